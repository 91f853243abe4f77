"""One scheduler pass ("tick"), shared by `reportbot tick` and the service's interval job.

At `now` (read once by the caller from its clock), for every campaign:
1. queue what the planner says is due (bot/outbox.queue_due; idempotent by dedupe key);
2. send the outbox backlog (bot/outbound/send_pass.py, the CLI's `dispatch` pass too;
   claims make concurrent senders safe);
3. queue the staff digest when due, and send it.

The digest is due on a working day (Vietnamese calendar) at or after the campaign's
`digest_at` local time, when no digest exists yet for that local day (send_digest's
dedupe key) and bot/staff/digest_rule.py does not leave the day out (the reminders are
over and nothing is new, or every report is in and staff were told). After downtime
this yields one digest — today's — never a burst of the days missed; the planner
likewise sends only the latest missed reminder.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.campaigns.workdays import is_working_day
from bot.core.app import App
from bot.core.service_state import LAST_TICK, put_service_fact
from bot.outbound.mailer import SendSummary
from bot.outbound.mails import Sender, config_sender
from bot.outbound.outbox import queue_due
from bot.outbound.send_pass import StopFlag, send_pass
from bot.staff.digest import send_digest
from db.models import Campaign

log = logging.getLogger(__name__)

DEFAULT_DIGEST_AT = "07:30"


@dataclass
class TickSummary:
    at: datetime
    queued: Counter = field(default_factory=Counter)       # kind -> rows written
    digests: list[str] = field(default_factory=list)       # campaign codes whose digest was queued
    sends: list[SendSummary] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)        # what failed (logged), e.g. a digest

    @property
    def sent(self) -> int:
        return sum(s.sent for s in self.sends)

    @property
    def fatal(self) -> str | None:
        return next((s.fatal for s in self.sends if s.fatal), None)

    def line(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.queued.items()))
        parts = [f"{sum(self.queued.values())} queued" + (f" ({kinds})" if kinds else "")]
        parts += [("digest: " if i else "") + s.line() for i, s in enumerate(self.sends)]
        return "; ".join(parts + self.errors)


# ---------------------------------------------------------------- pure
def digest_day(schedule: dict, tz: str, now: datetime) -> date | None:
    """The campaign-local day whose digest is due at `now`, or None (weekend, holiday, too early)."""
    local = now.astimezone(ZoneInfo(tz))
    at = time.fromisoformat(str(schedule.get("digest_at") or DEFAULT_DIGEST_AT))
    if not is_working_day(local.date()) or local.time() < at:
        return None
    return local.date()


def digest_started(schedule: dict, now: datetime) -> bool:
    """No digest before the letter is due to go out: there is nothing to report yet."""
    start = schedule.get("dispatch_at")
    return start is None or now >= datetime.fromisoformat(start)


# ---------------------------------------------------------------- the pass
def run_tick(application: App, now: datetime, *, clock: Callable[[], datetime] | None = None,
             should_stop: StopFlag | None = None, actor: str = "scheduler") -> TickSummary:
    """One pass at `now`; `clock` is what the mailer reads per decision (default: fixed at `now`)."""
    clock = clock or (lambda: now)
    stop = should_stop or (lambda: False)
    summary = TickSummary(now)
    with application.session() as s:
        ids = s.exec(select(Campaign.id).order_by(Campaign.id)).all()
    sender = config_sender(application.config)
    for cid in ids:  # one transaction per campaign
        with application.session() as s:
            for p in queue_due(s, s.get(Campaign, cid), now, sender, application.store, actor=actor):
                summary.queued[p.kind] += 1
    if not stop():
        summary.sends.append(send_pass(application, clock=clock, actor=actor, should_stop=stop))
    if not stop() and _queue_digests(application, ids, now, sender, actor, summary) and not (stop() or summary.fatal):
        summary.sends.append(send_pass(application, clock=clock, actor=actor, should_stop=stop))
    with application.session() as s:
        put_service_fact(s, LAST_TICK, now, {"queued": sum(summary.queued.values()), "sent": summary.sent,
                                             "fatal": summary.fatal, "actor": actor})
    return summary


def _queue_digests(application: App, ids: list[int], now: datetime, sender: Sender, actor: str,
                   summary: TickSummary) -> bool:
    to = application.config.staff.digest_to
    if not to:
        return False
    for cid in ids:
        try:
            with application.session() as s:
                c = s.get(Campaign, cid)
                schedule = c.schedule or {}
                if not digest_started(schedule, now) or digest_day(schedule, c.timezone, now) is None:
                    continue
                if send_digest(s, c, now=now, sender=sender, to=to, actor=actor, only_if_due=True) is not None:
                    summary.queued["digest"] += 1
                    summary.digests.append(c.code)
        except Exception as e:  # noqa: BLE001 - one campaign's digest must not stop the tick
            log.exception("the digest of campaign #%s failed", cid)
            summary.errors.append(f"digest of campaign #{cid} failed: {type(e).__name__}: {e}")
    return bool(summary.digests)
