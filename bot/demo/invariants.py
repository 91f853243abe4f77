"""What must hold after a demo run, checked over the final database.

`read_facts` reads the rows (the only I/O here); each `check_*` is pure: facts (and what
the simulated agencies did) in, a list of violations out, each naming the agency, mail or
message at fault. `check_all` runs them in order.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.campaigns.workdays import is_working_day
from db.models import Agency, Campaign, Event, InboundMessage, OutboundMail, Submission
from db.vocabulary import REMINDER_KINDS, InboundState

# Where every demo mail must end (a failed one is a broken invariant, not an end).
FINAL_STATES = (InboundState.PROCESSED, InboundState.IGNORED, InboundState.QUARANTINED, InboundState.REJECTED)


@dataclass(frozen=True)
class OutRow:
    key: str
    agency: str | None
    kind: str
    status: str
    created_at: datetime
    sent_at: datetime | None
    in_reply_to: str | None


@dataclass(frozen=True)
class InRow:
    id: int
    message_id: str | None
    state: str
    classification: str
    agency: str | None


@dataclass
class DbFacts:
    tz: str
    outbound: list[OutRow]
    inbound: list[InRow]
    submissions: list[tuple[str, int | None]]           # (agency, inbound id)
    states: dict[str, str]                              # agency -> status state
    first_report_event: dict[str, int] = field(default_factory=dict)   # agency -> event id
    queued_event: dict[str, int] = field(default_factory=dict)         # outbox key -> event id
    sent_event: dict[str, int] = field(default_factory=dict)           # outbox key -> event id
    bounce_event: dict[str, int] = field(default_factory=dict)         # agency -> first contact.bounced/failed
    first_arrival: dict[str, datetime] = field(default_factory=dict)   # agency -> its first report reached us


@dataclass(frozen=True)
class WorldFacts:
    """What the simulated agencies did (from bot.demo.agencies)."""

    sent: list[tuple[str, str, str, str]]   # (agency, kind, message id, envelope sender)
    registered: dict[str, set[str]]          # agency -> its registered addresses and domains
    bounced: set[str]                        # agencies whose address fails
    duplicates: list[str]                    # messages an agency received twice
    planned_reports: int = 0                 # reports the scenario planned
    errors: tuple[str, ...] = ()             # ERROR lines the service logged


@dataclass(frozen=True)
class Verdict:
    name: str
    violations: list[str]

    @property
    def ok(self) -> bool:
        return not self.violations


def _mid(value: str | None) -> str:
    """A Message-ID as the store keeps it: without angle brackets."""
    return (value or "").strip().strip("<>").strip()


def read_facts(session: Session, campaign: Campaign, states: dict[str, str]) -> DbFacts:
    codes = dict(session.exec(select(Agency.id, Agency.code)).all())
    out = [OutRow(o.dedupe_key, codes.get(o.agency_id), o.kind, o.status, o.created_at, o.sent_at, _mid(o.in_reply_to))
           for o in session.exec(select(OutboundMail).where(OutboundMail.campaign_id == campaign.id))]
    inbound = [InRow(m.id, _mid(m.message_id), m.state, m.classification, codes.get(m.agency_id))
               for m in session.exec(select(InboundMessage))]
    subs, arrivals = [], {}
    for code_id, inbound_id, received in session.exec(
            select(Submission.agency_id, Submission.inbound_id, Submission.received_at)
            .where(Submission.campaign_id == campaign.id)):
        subs.append((codes[code_id], inbound_id))
        arrivals[codes[code_id]] = min(received, arrivals.get(codes[code_id], received))
    facts = DbFacts(campaign.timezone, out, inbound, subs, states, first_arrival=arrivals)
    kinds = ("submission.recorded", "outbox.queued", "outbox.sent", "contact.bounced", "contact.failed")
    for ev in session.exec(select(Event).where(col(Event.kind).in_(kinds)).order_by(Event.id)):
        if ev.kind == "submission.recorded" and ev.agency_id in codes:
            facts.first_report_event.setdefault(codes[ev.agency_id], ev.id)
        elif ev.kind.startswith("contact.") and ev.agency_id in codes:
            facts.bounce_event.setdefault(codes[ev.agency_id], ev.id)
        elif ev.kind == "outbox.queued":
            facts.queued_event[(ev.detail or {}).get("key", "")] = ev.id
        else:
            facts.sent_event[(ev.detail or {}).get("key", "")] = ev.id
    return facts


def check_replies_recorded_once(db: DbFacts, world: WorldFacts) -> list[str]:
    """Every mail an agency sent is stored once and processed; every report from a registered
    sender became exactly one submission."""
    bad = []
    by_mid = Counter(m.message_id for m in db.inbound)
    rows = {m.message_id: m for m in db.inbound}
    per_inbound = Counter(i for _, i in db.submissions)
    for agency, kind, mid, sender in world.sent:
        mid = _mid(mid)
        if by_mid[mid] != 1:
            bad.append(f"{agency}: {kind} {mid} stored {by_mid[mid]} times")
            continue
        row = rows[mid]
        if row.state not in FINAL_STATES:
            bad.append(f"{agency}: {kind} {mid} left {row.state}")
        elif (kind == "report" and _registered(sender, world.registered.get(agency, set()))
              and per_inbound[row.id] != 1):
            bad.append(f"{agency}: report {mid} gave {per_inbound[row.id]} submissions (state {row.state})")
    bad += [f"message #{i} gave {n} submissions" for i, n in per_inbound.items() if n > 1]
    return bad


def _registered(sender: str, registered: set[str]) -> bool:
    sender = sender.lower()
    return sender in registered or sender.rpartition("@")[2] in registered


def check_no_reminder_after_report(db: DbFacts, world: WorldFacts) -> list[str]:
    """No reminder reached an agency once its report was recorded, but for the one mail the
    mailer may have had in hand at that moment (claimed before, delivered after). Order is
    the database's: event ids grow in commit order. A reminder the planner queued from a read
    made before the report committed must be cancelled when claimed, never sent."""
    bad, after = [], Counter()
    for o in db.outbound:
        report = db.first_report_event.get(o.agency or "")
        if o.kind not in REMINDER_KINDS or o.status != "sent" or report is None:
            continue
        if db.queued_event.get(o.key, 0) > report:
            bad.append(f"{o.agency}: {o.kind} {o.key} queued after its report was recorded, and sent")
        elif db.sent_event.get(o.key, 0) > report:
            after[o.agency] += 1
    bad += [f"{a}: {n} reminders sent after its report was recorded" for a, n in sorted(after.items()) if n > 1]
    return bad


def crossed_reminders(db: DbFacts) -> list[str]:
    """Reminders queued after the agency's report had reached the inbox but before the intake
    recorded it — no rule is broken (the service cannot know an unread report), but many of
    them say the intake fell behind the simulated clock: the demo ran too fast for this machine."""
    return [o.key for o in db.outbound if o.kind in REMINDER_KINDS and o.status == "sent"
            and o.agency in db.first_arrival and o.created_at > db.first_arrival[o.agency]]


def stale_reminders(db: DbFacts) -> list[str]:
    """Reminders queued after the report was recorded (and so cancelled at claim): not a broken
    rule — nothing went out — but a sign the planner read before the report committed."""
    return [o.key for o in db.outbound if o.kind in REMINDER_KINDS and o.agency in db.first_report_event
            and db.queued_event.get(o.key, 0) > db.first_report_event[o.agency]]


def check_reminders_on_working_days(db: DbFacts, world: WorldFacts) -> list[str]:
    """Every reminder and overdue reminder was queued — the moment the planner decided it, which
    is also its Date header — on a Vietnamese working day, counted in the campaign's timezone.
    (Its SMTP delivery follows at the mailer's pace; on an accelerated clock a burst of a hundred
    mails spans simulated hours, which says nothing about the calendar rules.)"""
    tz, bad = ZoneInfo(db.tz), []
    for o in db.outbound:
        if o.kind in REMINDER_KINDS and not is_working_day(o.created_at.astimezone(tz).date()):
            bad.append(f"{o.agency}: {o.kind} {o.key} queued on {o.created_at.astimezone(tz):%a %d/%m/%Y %H:%M}")
    return bad


def check_sent_once(db: DbFacts, world: WorldFacts) -> list[str]:
    """No agency received the same message twice."""
    return [f"received twice: {d}" for d in world.duplicates]


def check_bounces(db: DbFacts, world: WorldFacts) -> list[str]:
    """An agency whose address fails ends `bounced`, and nothing is queued for it once the
    failure is recorded (a 550 at RCPT, or a bounce report read from the inbox)."""
    bad = [f"{a}: state {db.states.get(a)}, expected bounced" for a in sorted(world.bounced)
           if db.states.get(a) != "bounced"]
    for o in db.outbound:
        failed = db.bounce_event.get(o.agency or "")
        if failed is not None and o.kind in REMINDER_KINDS and db.queued_event.get(o.key, 0) > failed:
            bad.append(f"{o.agency}: {o.kind} {o.key} queued after the address was recorded as failing")
    return bad


def check_no_loops(db: DbFacts, world: WorldFacts) -> list[str]:
    """No acknowledgement answers an auto-reply or a bounce, and unknown senders are quarantined."""
    automated = {_mid(mid) for _, kind, mid, _ in world.sent if kind in ("auto_reply", "bounce")}
    bad = [f"{o.agency}: ack {o.key} answers automated mail {o.in_reply_to}" for o in db.outbound
           if o.kind == "ack" and o.in_reply_to in automated]
    state = {m.message_id: m.state for m in db.inbound}
    for agency, kind, mid, sender in world.sent:
        if kind == "report" and not _registered(sender, world.registered.get(agency, set())) \
                and state.get(_mid(mid)) != InboundState.QUARANTINED:
            bad.append(f"{agency}: report from unregistered {sender} is {state.get(_mid(mid))}, not quarantined")
    return bad


def check_campaign_ran(db: DbFacts, world: WorldFacts) -> list[str]:
    """The letter went to every agency (refused only where the address fails), every planned
    report was sent, and the service logged no error: the other checks are not vacuous."""
    dispatch = {o.agency: o.status for o in db.outbound if o.kind == "dispatch"}
    bad = [f"{a}: letter {dispatch.get(a, 'never queued')}" for a in sorted(db.states)
           if dispatch.get(a) != "sent" and not (a in world.bounced and dispatch.get(a) == "failed")]
    reports = sum(1 for _, kind, _, _ in world.sent if kind == "report")
    if reports != world.planned_reports:
        bad.append(f"{reports} of {world.planned_reports} planned reports were sent")
    bad += [f"service error: {e}" for e in world.errors[:5]]
    if len(world.errors) > 5:
        bad.append(f"… and {len(world.errors) - 5} more service errors (see reportbot.log)")
    return bad


CHECKS = (
    ("the campaign ran", check_campaign_ran),
    ("every reply recorded once", check_replies_recorded_once),
    ("no reminder after a report", check_no_reminder_after_report),
    ("reminders on working days", check_reminders_on_working_days),
    ("no mail received twice", check_sent_once),
    ("bounces stop the mail", check_bounces),
    ("no mail loops; unknown senders quarantined", check_no_loops),
)


def check_all(db: DbFacts, world: WorldFacts) -> list[Verdict]:
    return [Verdict(name, fn(db, world)) for name, fn in CHECKS]


def states_by_agency(rows: list[dict]) -> dict[str, str]:
    return {r["agency"]: r["state"] for r in rows}


def kinds_sent(db: DbFacts) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for o in db.outbound:
        if o.status == "sent":
            counts[o.kind] += 1
    return dict(counts)
