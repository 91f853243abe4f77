"""What the demo shows: a live panel while the campaign plays, then the outcome."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Group
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text
from sqlmodel import func, select

from bot.staff.status import AgencyStatusFacts, derive_state
from db.models import (
    Campaign,
    Contact,
    Enrollment,
    InboundMessage,
    OutboundMail,
    Submission,
)
from db.vocabulary import InboundState

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
KIND_LABELS = (("dispatch", "letters"), ("reminder", "reminders"), ("overdue", "overdue notices"),
               ("ack", "receipts"), ("digest", "digests"))


@dataclass
class Counts:
    sent: dict[str, int] = field(default_factory=dict)
    inbound: dict[str, int] = field(default_factory=dict)   # classification -> n
    inbound_total: int = 0
    reports: int = 0
    complete: int = 0
    states: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0

    @property
    def sent_total(self) -> int:
        return sum(self.sent.values())


def read_counts(app, campaign_id: int, now: datetime) -> Counts:
    """What the panel shows, from narrow queries (the status module's own gathering loads every
    submission's sections: too heavy to repeat twice a second beside the service)."""
    c = Counts()
    with app.session() as s:
        camp = s.get(Campaign, campaign_id)
        c.sent = dict(s.exec(select(OutboundMail.kind, func.count()).where(OutboundMail.status == "sent")
                             .group_by(OutboundMail.kind)).all())
        c.inbound = dict(s.exec(select(InboundMessage.classification, func.count())
                                .group_by(InboundMessage.classification)).all())
        c.inbound_total = sum(c.inbound.values())
        c.quarantined = s.exec(select(func.count()).select_from(InboundMessage)
                               .where(InboundMessage.state == InboundState.QUARANTINED)).one()
        c.reports = s.exec(select(func.count()).select_from(Submission)
                           .where(Submission.campaign_id == campaign_id)).one()
        facts = _facts(s, campaign_id)
    for f in facts.values():
        state = derive_state(f, camp.deadline, now)
        c.states[state] = c.states.get(state, 0) + 1
    c.complete = c.states.get("received", 0)
    return c


def _facts(s, campaign_id: int) -> dict[int, AgencyStatusFacts]:
    facts = {aid: AgencyStatusFacts(exempt=ex) for aid, ex in s.exec(
        select(Enrollment.agency_id, Enrollment.exempt).where(Enrollment.campaign_id == campaign_id))}
    for aid in s.exec(select(OutboundMail.agency_id).where(
            OutboundMail.campaign_id == campaign_id, OutboundMail.kind == "dispatch", OutboundMail.status == "sent")):
        if aid in facts:
            facts[aid].sent_at = facts[aid].sent_at or datetime.min
    for aid, received, missing in s.exec(select(Submission.agency_id, Submission.received_at, Submission.missing)
                                         .where(Submission.campaign_id == campaign_id, Submission.is_current)):
        if aid in facts:
            facts[aid].received_at, facts[aid].missing = received, tuple(missing or ())
    states: dict[int, list[str]] = {}
    for aid, st in s.exec(select(Contact.agency_id, Contact.state).where(Contact.role == "primary")):
        states.setdefault(aid, []).append(st)
    for aid, sts in states.items():
        if aid in facts:
            facts[aid].all_bounced = all(x in ("bounced", "failed") for x in sts)
    return facts


def local(t: datetime, tz: str) -> str:
    lt = t.astimezone(ZoneInfo(tz))
    return f"{WEEKDAYS[lt.weekday()]} {lt:%d/%m/%Y %H:%M}"


def live_panel(now: datetime, start: datetime, end: datetime, tz: str, c: Counts, recent: list[str]) -> Panel:
    done = max(0.0, min(1.0, (now - start) / (end - start)))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    clock_line = Text(local(now, tz))
    grid.add_row("Simulated time", clock_line)
    grid.add_row("", ProgressBar(total=1.0, completed=done, width=44))
    sent = ", ".join(f"{c.sent.get(k, 0)} {label}" for k, label in KIND_LABELS if c.sent.get(k))
    grid.add_row("Mails sent", f"{c.sent_total}" + (f"  ({sent})" if sent else ""))
    auto = c.inbound.get("auto_reply", 0) + c.inbound.get("bounce", 0)
    grid.add_row("Replies received", f"{c.inbound_total}" + (f"  ({auto} automatic)" if auto else ""))
    replied = c.states.get("received", 0) + c.states.get("received_incomplete", 0)
    grid.add_row("Reports parsed", f"{c.reports} from {replied} agencies  ({c.complete} complete)")
    grid.add_row("Overdue", str(c.states.get("overdue", 0)))
    grid.add_row("Bounced / quarantined", f"{c.states.get('bounced', 0)} / {c.quarantined}")
    body = Group(grid, Text(""), *[Text(line, style="dim") for line in recent[-5:]])
    return Panel(body, title="reportbot demo — letter 5422/BTTTT-CBC", border_style="cyan")


def verdict_lines(verdicts) -> list[Text]:
    out = []
    for v in verdicts:
        if v.ok:
            out.append(Text(f"  ✓ {v.name}", style="green"))
            continue
        out.append(Text(f"  ✗ {v.name}: {len(v.violations)} violation(s)", style="bold red"))
        out += [Text(f"      {x}", style="red") for x in v.violations[:10]]
        if len(v.violations) > 10:
            out.append(Text(f"      … and {len(v.violations) - 10} more", style="red"))
    return out
