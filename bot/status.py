"""Receipt status of every agency in a campaign: facts from the database, state derived purely.

`derive_state` is pure (facts + now -> state); `campaign_status` gathers the facts.
The JSON shape is a contract (DESIGN.md, `reportbot status --format json`).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from bot.agencies_file import CATEGORIES
from db.models import Agency, Campaign, Contact, Enrollment, Event, OutboundMail, Submission

STATES = ("not_sent", "sent", "bounced", "overdue", "received_incomplete", "received", "exempt")
REMINDER_KINDS = ("reminder", "overdue")
_CATEGORY_ORDER = {c: i for i, c in enumerate(CATEGORIES)}


@dataclass
class AgencyFacts:
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


def derive_state(f: AgencyFacts, deadline: datetime, now: datetime) -> str:
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


def _gather(session: Session, campaign: Campaign) -> list[tuple[Agency, AgencyFacts]]:
    cid = campaign.id
    rows = session.exec(
        select(Agency, Enrollment).join(Enrollment, Enrollment.agency_id == Agency.id)
        .where(Enrollment.campaign_id == cid)
    ).all()
    rows = sorted(rows, key=lambda r: (_CATEGORY_ORDER.get(r[0].category, 99), r[0].code))
    facts = {a.id: AgencyFacts(exempt=e.exempt) for a, e in rows}
    ids = list(facts)
    contacts = defaultdict(list)
    for aid, state in session.exec(select(Contact.agency_id, Contact.state).where(
            col(Contact.agency_id).in_(ids), Contact.role == "primary")):
        contacts[aid].append(state)
    for aid, states in contacts.items():
        facts[aid].all_bounced = all(s in ("bounced", "failed") for s in states)
    for aid, kind, sent_at in session.exec(select(OutboundMail.agency_id, OutboundMail.kind, OutboundMail.sent_at)
                                           .where(OutboundMail.campaign_id == cid, OutboundMail.status == "sent")):
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


def _last_events(session: Session, cid: int, facts: dict[int, AgencyFacts]) -> None:
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
