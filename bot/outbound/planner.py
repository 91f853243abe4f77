"""What mail is due now? Pure: campaign plan + agencies' facts + `now` → mails due.

No database and no clock: the caller reads the clock once and passes `now`.
Feeding back what was queued (as `SentMail`) at the same `now` yields nothing
new, so a tick can be repeated safely; the outbox's unique key
(campaign, agency, kind, seq) is the second lock.

Rules, per agency (none for an agency that reported, is exempt or whose every
contact bounced):
- dispatch: once, from `dispatch_at`; again (next seq, once) when every address it went to is
  dead and the agency has a live address now (staff gave a new one).
- reminders (before the deadline): slot i (seq = i, 1-based) of `remind_before`
  falls `offset` calendar days before the deadline's date in the campaign's
  timezone, moved back to the previous working day, at `send_time`. Only after
  the dispatch went out, and not on the dispatch's own day. After downtime only
  the latest slot that fell due is sent (once); none once the deadline passed.
- overdue (after the deadline): seq 1 on the first working day after the
  deadline's date; seq n+1 `overdue_every` working days after seq n was
  actually queued (never earlier than its nominal slot), so downtime delays
  the series instead of bursting it; at most `overdue_max`; `escalate` from
  seq `escalate_on_overdue` (0 disables).
- reminders and overdue reminders leave only in office hours of a working day
  (`send_time` to `send_until`, local): a catch-up after downtime that falls on
  a holiday, a weekend or at night waits for the next working morning.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.campaigns.campaign_file import DEFAULT_OVERDUE_EVERY, DEFAULT_OVERDUE_MAX, DEFAULT_REMIND_BEFORE
from bot.campaigns.workdays import add_working_days, is_working_day, next_working_day, parse_days, previous_working_day
from db.vocabulary import AGENCY_MAIL_KINDS, MailKind

KINDS = AGENCY_MAIL_KINDS


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value.isoformat()}")


@dataclass(frozen=True)
class CampaignPlan:
    code: str
    deadline: datetime
    tz: str
    dispatch_at: datetime
    remind_before: tuple[str, ...] = DEFAULT_REMIND_BEFORE
    overdue_every: str = DEFAULT_OVERDUE_EVERY
    overdue_max: int = DEFAULT_OVERDUE_MAX
    escalate_on_overdue: int = 2
    send_time: time = time(8, 0)  # local time of reminders and overdue reminders
    send_until: time = time(18, 0)  # no reminder leaves after this local time

    def __post_init__(self) -> None:
        _require_aware("deadline", self.deadline)
        _require_aware("dispatch_at", self.dispatch_at)
        ZoneInfo(self.tz)  # raises on an unknown zone
        object.__setattr__(self, "remind_before", tuple(self.remind_before))
        for v in (*self.remind_before, self.overdue_every):
            parse_days(v)
        if parse_days(self.overdue_every) < 1:
            raise ValueError("overdue_every must be at least 1 working day")
        if self.overdue_max < 0 or self.escalate_on_overdue < 0:
            raise ValueError("overdue_max and escalate_on_overdue must be >= 0")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def at_send_time(self, day: date) -> datetime:
        return datetime.combine(day, self.send_time, tzinfo=self.zone)

    def in_office_hours(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        return is_working_day(local.date()) and self.send_time <= local.time() < self.send_until


@dataclass(frozen=True)
class SentMail:
    """A mail already queued or sent (its outbox row): `at` is when it was queued/sent."""

    kind: str
    seq: int
    at: datetime


@dataclass(frozen=True)
class AgencyPlanFacts:
    code: str
    exempt: bool = False
    reported_at: datetime | None = None  # first report recorded; any value stops reminders
    all_contacts_bounced: bool = False
    sent: tuple[SentMail, ...] = field(default_factory=tuple)
    # False when every letter queued to the agency went to addresses now dead or removed (it
    # bounced, or was refused) while it has a live one now (an address staff added): the
    # letter is sent again, once, to the live addresses.
    letter_reached: bool = True

    @property
    def reported(self) -> bool:
        return self.reported_at is not None

    def last(self, kind: str) -> SentMail | None:
        mails = [m for m in self.sent if m.kind == kind]
        return max(mails, key=lambda m: (m.at, m.seq)) if mails else None


@dataclass(frozen=True)
class DueMail:
    agency_code: str
    kind: str
    seq: int
    due_at: datetime
    escalate: bool = False


@dataclass(frozen=True)
class Slot:
    kind: str
    seq: int
    due_at: datetime


def reminder_slots(plan: CampaignPlan) -> list[Slot]:
    """The nominal pre-deadline reminders, in seq order (seq = 1-based index in remind_before)."""
    deadline_day = plan.local_date(plan.deadline)
    slots = []
    for i, offset in enumerate(plan.remind_before, start=1):
        day = previous_working_day(deadline_day - timedelta(days=parse_days(offset)))
        slots.append(Slot(MailKind.REMINDER, i, plan.at_send_time(day)))
    return slots


def overdue_slot(plan: CampaignPlan, seq: int) -> Slot:
    """The nominal time of overdue reminder `seq` when nothing was late."""
    first = next_working_day(plan.local_date(plan.deadline), inclusive=False)
    day = add_working_days(first, (seq - 1) * parse_days(plan.overdue_every))
    return Slot(MailKind.OVERDUE, seq, plan.at_send_time(day))


def nominal_schedule(plan: CampaignPlan) -> list[Slot]:
    """The whole calendar for display: dispatch, reminders, overdue reminders."""
    slots = [Slot(MailKind.DISPATCH, 1, plan.dispatch_at)]
    slots += sorted(
        (s for s in reminder_slots(plan) if s.due_at < plan.deadline),
        key=lambda s: (s.due_at, s.seq),
    )
    slots += [overdue_slot(plan, n) for n in range(1, plan.overdue_max + 1)]
    return slots


def _due_dispatch(plan: CampaignPlan, facts: AgencyPlanFacts, now: datetime) -> DueMail | None:
    if now >= plan.dispatch_at:
        return DueMail(facts.code, MailKind.DISPATCH, 1, plan.dispatch_at)
    return None


def _due_reminder(
    plan: CampaignPlan, facts: AgencyPlanFacts, dispatched: SentMail, now: datetime
) -> DueMail | None:
    if now >= plan.deadline:
        return None  # a pre-deadline reminder is stale once the deadline passed
    dispatch_day = plan.local_date(dispatched.at)
    fallen = [
        s for s in reminder_slots(plan)
        if s.due_at <= now and s.due_at < plan.deadline
        and s.due_at.date() > dispatch_day
    ]
    if not fallen:
        return None
    latest = max(fallen, key=lambda s: (s.due_at, s.seq))
    last = facts.last(MailKind.REMINDER)
    if last is not None and (
        last.seq == latest.seq or plan.local_date(last.at) >= latest.due_at.date()
    ):
        return None  # covered: this slot was sent, or a reminder went out that day or later
    return DueMail(facts.code, MailKind.REMINDER, latest.seq, latest.due_at)


def _due_overdue(
    plan: CampaignPlan, facts: AgencyPlanFacts, dispatched: SentMail, now: datetime
) -> DueMail | None:
    every = parse_days(plan.overdue_every)
    done = [m for m in facts.sent if m.kind == MailKind.OVERDUE]
    seq = max((m.seq for m in done), default=0) + 1
    if seq > plan.overdue_max:
        return None
    previous = facts.last(MailKind.OVERDUE) or dispatched
    # Give at least `every` working days after the previous mail (or the letter).
    earliest = plan.at_send_time(add_working_days(plan.local_date(previous.at), every))
    due_at = max(overdue_slot(plan, seq).due_at, earliest)
    if now < due_at:
        return None
    escalate = plan.escalate_on_overdue > 0 and seq >= plan.escalate_on_overdue
    return DueMail(facts.code, MailKind.OVERDUE, seq, due_at, escalate)


def plan_agency(plan: CampaignPlan, facts: AgencyPlanFacts, now: datetime) -> list[DueMail]:
    """The mails due for one agency at `now` (at most one)."""
    _require_aware("now", now)
    if facts.exempt or facts.reported or facts.all_contacts_bounced:
        return []
    dispatched = facts.last(MailKind.DISPATCH)
    if dispatched is None:
        due = _due_dispatch(plan, facts, now)
        return [due] if due else []
    if not facts.letter_reached:  # a new address of an agency the letter never reached: at once
        return [DueMail(facts.code, MailKind.DISPATCH, dispatched.seq + 1, max(now, plan.dispatch_at))]
    if not plan.in_office_hours(now):
        return []
    due = _due_reminder(plan, facts, dispatched, now) or _due_overdue(
        plan, facts, dispatched, now
    )
    return [due] if due else []


def plan_due(
    plan: CampaignPlan, agencies: list[AgencyPlanFacts] | tuple[AgencyPlanFacts, ...], now: datetime
) -> list[DueMail]:
    """Every mail due at `now`, ordered by due time then agency code."""
    out = [m for facts in agencies for m in plan_agency(plan, facts, now)]
    return sorted(out, key=lambda m: (m.due_at, m.agency_code, m.kind, m.seq))
