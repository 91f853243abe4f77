"""Receipt status of every agency in a campaign: facts from the database, state derived purely.

`derive_state` is pure (facts + now -> state); `campaign_status` gathers the facts.
The JSON shape is a contract (DESIGN.md, `reportbot status --format json`).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from bot.campaigns.agencies_file import CATEGORIES
from bot.core.service_state import LAST_TICK, STARTED, STOPPED, get_state
from bot.staff.reasons import failing_address_text
from db.models import (
    Agency,
    Campaign,
    Contact,
    Enrollment,
    Event,
    InboundMessage,
    MailboxState,
    OutboundMail,
    Submission,
)
from db.vocabulary import REMINDER_KINDS

STATES = ("not_sent", "sent", "bounced", "overdue", "received_incomplete", "received", "exempt")
_CATEGORY_ORDER = {c: i for i, c in enumerate(CATEGORIES)}


@dataclass
class AgencyStatusFacts:
    exempt: bool = False
    sent_at: datetime | None = None
    all_bounced: bool = False
    received_at: datetime | None = None
    on_time: bool | None = None
    completeness: float | None = None
    missing: tuple[str, ...] = ()
    reminders_sent: int = 0
    submissions: int = 0
    last_event: str | None = None
    last_event_at: datetime | None = None


def derive_state(f: AgencyStatusFacts, deadline: datetime, now: datetime) -> str:
    if f.exempt:
        return "exempt"
    if f.received_at is not None:
        return "received_incomplete" if f.missing else "received"
    if f.all_bounced:
        return "bounced"
    if f.sent_at is None:
        return "not_sent"
    return "overdue" if now > deadline else "sent"


def _iso(t: datetime | None, tz: ZoneInfo) -> str | None:
    return t.astimezone(tz).isoformat() if t else None


def _gather(session: Session, campaign: Campaign) -> list[tuple[Agency, AgencyStatusFacts]]:
    cid = campaign.id
    rows = session.exec(
        select(Agency, Enrollment).join(Enrollment, Enrollment.agency_id == Agency.id)
        .where(Enrollment.campaign_id == cid)
    ).all()
    rows = sorted(rows, key=lambda r: (_CATEGORY_ORDER.get(r[0].category, 99), r[0].code))
    facts = {a.id: AgencyStatusFacts(exempt=e.exempt) for a, e in rows}
    ids = list(facts)
    contacts = defaultdict(list)
    for aid, state in session.exec(select(Contact.agency_id, Contact.state).where(
            col(Contact.agency_id).in_(ids), Contact.role == "primary")):
        contacts[aid].append(state)
    for aid, states in contacts.items():
        facts[aid].all_bounced = all(s in ("bounced", "failed") for s in states)
    for aid, kind, sent_at in session.exec(select(OutboundMail.agency_id, OutboundMail.kind, OutboundMail.sent_at)
                                           .where(OutboundMail.campaign_id == cid, col(OutboundMail.sent_at).is_not(None))):  # delivered (to some, at least)
        if aid not in facts:
            continue
        if kind == "dispatch":
            facts[aid].sent_at = min(filter(None, (facts[aid].sent_at, sent_at)), default=None)
        elif kind in REMINDER_KINDS:
            facts[aid].reminders_sent += 1
    counts = Counter()
    for sub in session.exec(select(Submission).where(Submission.campaign_id == cid)):
        counts[sub.agency_id] += 1
        if sub.is_current and sub.agency_id in facts:
            f = facts[sub.agency_id]
            f.received_at, f.on_time = sub.received_at, sub.on_time
            f.completeness, f.missing = sub.completeness, tuple(sub.missing)
    for aid, n in counts.items():
        if aid in facts:
            facts[aid].submissions = n
    _last_events(session, cid, facts)
    return [(a, facts[a.id]) for a, _ in rows]


def _last_events(session: Session, cid: int, facts: dict[int, AgencyStatusFacts]) -> None:
    latest = (select(Event.agency_id, func.max(Event.id).label("eid"))
              .where(Event.campaign_id == cid, col(Event.agency_id).is_not(None))
              .group_by(Event.agency_id).subquery())
    for ev in session.exec(select(Event).join(latest, Event.id == latest.c.eid)):
        if ev.agency_id in facts:
            facts[ev.agency_id].last_event, facts[ev.agency_id].last_event_at = ev.kind, ev.at


def campaign_status(session: Session, campaign: Campaign, now: datetime) -> list[dict]:
    """One dict per enrolled agency, in the contract's shape (plus `last_event_at`)."""
    tz = ZoneInfo(campaign.timezone)
    out = []
    for agency, f in _gather(session, campaign):
        out.append({
            "agency": agency.code, "name": agency.name, "category": agency.category,
            "state": derive_state(f, campaign.deadline, now),
            "sent_at": _iso(f.sent_at, tz), "received_at": _iso(f.received_at, tz),
            "on_time": f.on_time, "completeness": f.completeness, "missing": list(f.missing),
            "reminders_sent": f.reminders_sent, "submissions": f.submissions,
            "last_event": f.last_event, "last_event_at": _iso(f.last_event_at, tz),
        })
    return out


# ---------------------------------------------------------------- addresses failing for now
@dataclass(frozen=True)
class FailingAddress:
    """An address whose mail fails temporarily (still written to), or that failed so until it was
    treated as dead (`dead`): what staff are told, from the contact's temp_failure_* facts."""

    agency_code: str
    agency_name: str
    email: str
    role: str
    since: date  # local day of the first temporary failure of the run
    last: date  # local day of the latest
    failures: int
    reason: str
    dead: bool
    others_alive: bool  # the agency has another primary address still written to

    def text(self) -> str:
        """The staff line, in Vietnamese."""
        return failing_address_text(self.email, self.since, self.last, self.failures, self.reason, dead=self.dead,
                                    others_alive=self.others_alive)


def failing_addresses(session: Session, campaign: Campaign | None, tz: str = "Asia/Ho_Chi_Minh"
                      ) -> list[FailingAddress]:
    """Addresses that failed temporarily on more than one day (RFC 3463 class 4, delayed, expired),
    of the campaign's agencies (every agency without one), oldest run first."""
    zone = ZoneInfo(campaign.timezone if campaign else tz)
    q = select(Contact, Agency).join(Agency, Agency.id == Contact.agency_id).where(
        col(Contact.temp_failure_since).is_not(None), col(Contact.state).in_(("active", "bounced")))
    if campaign is not None:
        q = q.where(col(Contact.agency_id).in_(select(Enrollment.agency_id).where(Enrollment.campaign_id == campaign.id)))
    rows = session.exec(q.order_by(Contact.temp_failure_since, Contact.id)).all()
    alive = Counter(session.exec(select(Contact.agency_id).where(
        Contact.role == "primary", Contact.state == "active",
        col(Contact.agency_id).in_({c.agency_id for c, _ in rows})))) if rows else Counter()
    out = []
    for c, a in rows:
        since, last = c.temp_failure_since.astimezone(zone).date(), c.temp_failure_at.astimezone(zone).date()
        if last > since or c.state == "bounced":
            others = alive[c.agency_id] - (c.state == "active" and c.role == "primary")
            out.append(FailingAddress(a.code, a.name, c.email, c.role, since, last, c.temp_failures,
                                      c.temp_failure_reason, c.state == "bounced", others > 0))
    return out


# ---------------------------------------------------------------- service health
SERVICE_KEYS = {"started": STARTED, "stopped": STOPPED, "last_tick": LAST_TICK}


def service_health(session: Session, now: datetime) -> dict:
    """How the service is doing, for `reportbot status`: last inbox check, last tick (and how long
    ago, judged at `now`), outbox backlog (pending + sending), quarantine and failed intake."""

    def ago(t: datetime | None) -> float | None:
        return None if t is None else round((now - t).total_seconds(), 1)

    state = {name: get_state(session, key) or {} for name, key in SERVICE_KEYS.items()}
    at = {name: _state_at(value) for name, value in state.items()}
    checked = session.exec(select(func.max(MailboxState.last_check_at))).one()
    outbox = dict(session.exec(select(OutboundMail.status, func.count()).group_by(OutboundMail.status)).all())
    inbound = dict(session.exec(select(InboundMessage.state, func.count()).group_by(InboundMessage.state)).all())
    tick = state["last_tick"]
    return {
        "last_inbox_check_at": _iso(checked, ZoneInfo("UTC")), "last_inbox_check_age_s": ago(checked),
        "last_tick_at": _iso(at["last_tick"], ZoneInfo("UTC")), "last_tick_age_s": ago(at["last_tick"]),
        "last_tick_error": tick.get("fatal"),
        "service_started_at": _iso(at["started"], ZoneInfo("UTC")),
        "service_stopped_at": _iso(at["stopped"], ZoneInfo("UTC")) if _after(at["stopped"], at["started"]) else None,
        "outbox_backlog": outbox.get("pending", 0) + outbox.get("sending", 0),
        "outbox_failed": outbox.get("failed", 0),
        "quarantine": inbound.get("quarantined", 0),
        "failed_inbound": inbound.get("failed", 0),
        "inbound_waiting": inbound.get("stored", 0) + inbound.get("processing", 0),
    }


def _state_at(value: dict) -> datetime | None:
    at = value.get("at")
    return datetime.fromisoformat(at) if at else None


def _after(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and (b is None or a >= b)


def health_lines(h: dict) -> list[str]:
    """The health as short readable lines (under the status table)."""
    def when(key: str) -> str:
        t, age = h[f"{key}_at"], h.get(f"{key}_age_s")
        if t is None:
            return "never"
        return f"{t[:16].replace('T', ' ')} UTC" + ("" if age is None else f" ({_age(age)} ago)")

    running = "stopped" if h["service_stopped_at"] else ("started " + h["service_started_at"][:16].replace("T", " ")
                                                         + " UTC" if h["service_started_at"] else "never started")
    return [
        f"Service: {running}; last tick {when('last_tick')}"
        + (f" — sending failed: {h['last_tick_error']}" if h["last_tick_error"] else ""),
        f"Inbox: last check {when('last_inbox_check')}; {h['inbound_waiting']} waiting, "
        f"{h['quarantine']} in quarantine, {h['failed_inbound']} failed",
        f"Outbox: {h['outbox_backlog']} waiting to be sent, {h['outbox_failed']} failed",
    ]


def _age(seconds: float) -> str:
    s = abs(int(seconds))
    text = f"{s} s" if s < 120 else (f"{s // 60} min" if s < 7200 else
                                     (f"{s // 3600} h" if s < 172800 else f"{s // 86400} d"))
    return text if seconds >= 0 else f"in {text}"
