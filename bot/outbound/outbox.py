"""Planning into the outbox: what the planner says is due becomes OutboundMail rows.

A row holds its Message-ID and envelope recipients, and the fully rendered
message (the exact bytes the mailer will send) sits beside it in OutboundBody,
written in the same transaction (write_body / read_bodies below); both are
committed BEFORE any send.
`dedupe_key` = "<campaign code>|<agency code or ->|<kind>|<seq>" is unique:
inserting an existing key is a no-op (INSERT ... ON CONFLICT DO NOTHING on
SQLite and PostgreSQL alike), so two ticks racing each other queue a mail once.
Acks use kind "ack" with seq = the inbound message's id; digests kind "digest"
with agency "-" and seq = YYYYMMDD.

Clock: `now` is passed in (the scheduler's decision time). It becomes the Date
header, the row's created_at and the events' time, and the planner reads it
back as "when it was queued" (`SentMail.at`), so a replayed calendar
(`reportbot tick --now ...`) is consistent with itself.

Sending is bot/outbound/mailer.py's job.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert as sql_insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, select

from bot.campaigns.campaign_file import DEFAULT_OVERDUE_EVERY, DEFAULT_OVERDUE_MAX, DEFAULT_REMIND_BEFORE
from bot.campaigns.campaign_load import DOCX_TYPE, slug
from bot.campaigns.letter_docx import FormalReminder, render_formal_reminder_docx
from bot.campaigns.workdays import parse_days
from bot.core.errors import RuntimeFailure
from bot.core.store import BlobStore, sha256_hex
from bot.outbound.mails import (
    Attachment,
    MailAgency,
    MailCampaign,
    Receipt,
    Sender,
    build_ack,
    build_dispatch,
    build_overdue,
    build_reminder,
)
from bot.outbound.planner import AgencyPlanFacts, CampaignPlan, DueMail, SentMail, plan_due
from db.events import log_event
from db.models import (
    Agency,
    Campaign,
    Contact,
    Enrollment,
    InboundMessage,
    OutboundBody,
    OutboundMail,
    Submission,
)
from db.vocabulary import AGENCY_MAIL_KINDS, MailKind, OutboxStatus

log = logging.getLogger(__name__)

AGENCY_KINDS = AGENCY_MAIL_KINDS
# A dispatch row in these states is delivered or on its way to the addresses it names.
LETTER_ON_ITS_WAY = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.SENT)
DEAD_STATES = ("bounced", "failed")  # contact states we never send to
FORM_PREFIX = "mau-bao-cao-"  # bot/campaigns/campaign_load.py names the blank report form so


def dedupe_key(campaign_code: str, agency_code: str | None, kind: str, seq: int) -> str:
    return f"{campaign_code}|{agency_code or '-'}|{kind}|{seq}"


@dataclass(frozen=True)
class PlannedMail:
    """A rendered mail not yet (or just) written to the outbox."""

    key: str
    kind: str
    seq: int
    campaign_id: int | None
    agency_id: int | None
    agency_code: str | None
    msg: EmailMessage
    due_at: datetime | None = None

    @property
    def message_id(self) -> str:
        return str(self.msg["Message-ID"])


@dataclass(frozen=True)
class QueuedMail:
    """What queue_due reports about a row it wrote (the bytes stay in the database)."""

    key: str
    kind: str
    seq: int
    agency_code: str | None
    message_id: str


@dataclass(frozen=True)
class AgencyInfo:
    id: int
    code: str
    name: str
    contact_name: str
    primary: tuple[str, ...]     # active primary addresses
    escalation: tuple[str, ...]  # active escalation addresses
    category: str = "other"


# ---------------------------------------------------------------- campaign → pure shapes
def campaign_plan(c: Campaign) -> CampaignPlan:
    s = c.schedule or {}
    return CampaignPlan(
        code=c.code, deadline=c.deadline, tz=c.timezone,
        dispatch_at=datetime.fromisoformat(s["dispatch_at"]),
        remind_before=tuple(s.get("remind_before", DEFAULT_REMIND_BEFORE)),
        overdue_every=s.get("overdue_every", DEFAULT_OVERDUE_EVERY),
        overdue_max=int(s.get("overdue_max", DEFAULT_OVERDUE_MAX)),
        escalate_on_overdue=int(s.get("escalate_on_overdue", 2)),
        send_time=time.fromisoformat(s.get("reminder_at", "08:00")),
    )


def letter_request(letter: dict[str, Any]) -> tuple[str, ...]:
    """The request paragraphs of a campaign's [letter] table (its body without the closing)."""
    return tuple(str(p) for p in letter.get("body", []) if not str(p).startswith("Trân trọng"))


def mail_campaign(c: Campaign) -> MailCampaign:
    return MailCampaign(code=c.code, title=c.title, issued=c.issued, deadline=c.deadline,
                        tz=c.timezone, reply_to=c.reply_to, request=letter_request(c.letter or {}))


def dispatch_attachments(c: Campaign, store: BlobStore) -> list[Attachment]:
    """The letter and the blank report form, from the store, checked against their SHA-256."""
    out = []
    for i, a in enumerate(c.attachments or []):
        try:
            data = store.get(a["sha256"])
        except OSError as e:
            raise RuntimeFailure(f"campaign {c.code}: attachment {a['name']} missing from the store "
                                 f"({e.strerror}); run `reportbot campaign load` again") from None
        if sha256_hex(data) != a["sha256"]:
            raise RuntimeFailure(f"campaign {c.code}: attachment {a['name']} is corrupt in the store")
        if a["name"].startswith(FORM_PREFIX):
            what = "Mẫu báo cáo theo Đề cương (để trống)"
        else:
            what = f"Công văn số {c.code}" if i == 0 else ""
        out.append(Attachment(a["name"], data, a.get("content_type") or "application/octet-stream", what))
    return out


# ---------------------------------------------------------------- facts from the database
def _agencies(session: Session, c: Campaign) -> tuple[dict[int, AgencyInfo], dict[int, bool]]:
    rows = session.exec(select(Agency, Enrollment.exempt).join(Enrollment, Enrollment.agency_id == Agency.id)
                        .where(Enrollment.campaign_id == c.id).order_by(Agency.code)).all()
    ids = [a.id for a, _ in rows]
    primary: dict[int, list[str]] = {i: [] for i in ids}
    escalation: dict[int, list[str]] = {i: [] for i in ids}
    for ct in session.exec(select(Contact).where(col(Contact.agency_id).in_(ids)).order_by(Contact.id)):
        if ct.state not in DEAD_STATES:
            (primary if ct.role == "primary" else escalation)[ct.agency_id].append(ct.email)
    infos = {a.id: AgencyInfo(a.id, a.code, a.name, a.contact_name, tuple(primary[a.id]),
                              tuple(escalation[a.id]), a.category) for a, _ in rows}
    return infos, {a.id: bool(exempt) for a, exempt in rows}


def gather_facts(session: Session, c: Campaign) -> tuple[list[AgencyPlanFacts], dict[str, AgencyInfo]]:
    """The planner's view of every enrolled agency, plus what is needed to address its mail."""
    infos, exempt = _agencies(session, c)
    reported = dict(session.exec(
        select(Submission.agency_id, func.min(Submission.received_at))
        .where(Submission.campaign_id == c.id).group_by(Submission.agency_id)).all())
    sent: dict[int, list[SentMail]] = {i: [] for i in infos}
    reached: dict[int, bool] = {}
    # Every row counts, whatever its status: the key exists, so the planner must move on.
    for aid, kind, seq, created, status, to, cc in session.exec(
            select(OutboundMail.agency_id, OutboundMail.kind, OutboundMail.seq, OutboundMail.created_at,
                   OutboundMail.status, OutboundMail.to_addrs, OutboundMail.cc_addrs)
            .where(OutboundMail.campaign_id == c.id, col(OutboundMail.kind).in_(AGENCY_KINDS))):
        if aid not in sent:
            continue
        sent[aid].append(SentMail(kind, seq, created))
        if kind == MailKind.DISPATCH:
            live = {a.lower() for a in (*infos[aid].primary, *infos[aid].escalation)}
            alive = status in LETTER_ON_ITS_WAY and bool(live & {a.lower() for a in (*(to or ()), *(cc or ()))})
            reached[aid] = reached.get(aid, False) or alive
    facts = [AgencyPlanFacts(code=info.code, exempt=exempt[aid], reported_at=reported.get(aid),
                             all_contacts_bounced=not info.primary, sent=tuple(sent[aid]),
                             letter_reached=reached.get(aid, True))
             for aid, info in infos.items()]
    return facts, {info.code: info for info in infos.values()}


# ---------------------------------------------------------------- rendering
def formal_letter(c: Campaign, info: AgencyInfo, due: DueMail) -> tuple[Attachment, ...]:
    """The "công văn đôn đốc" attached from the campaign's `formal_letter_on_overdue`-th overdue
    reminder on (none before, none when 0 or when the campaign has no [letter] table)."""
    s = c.schedule or {}
    first = int(s.get("formal_letter_on_overdue", 0) or 0)
    if not first or due.seq < first or not (c.letter or {}).get("authority"):
        return ()
    tz = ZoneInfo(c.timezone)
    data = render_formal_reminder_docx(c.letter, FormalReminder(
        campaign_code=c.code, campaign_title=c.title, issued=c.issued, deadline=c.deadline.astimezone(tz).date(),
        agency_name=info.name, agency_category=info.category, reply_to=c.reply_to,
        respond_days=parse_days(s.get("overdue_every", DEFAULT_OVERDUE_EVERY))))
    return (Attachment(f"cong-van-don-doc-{slug(c.code)}-{info.code.lower()}.docx", data, DOCX_TYPE,
                       "Công văn đôn đốc (để ký ban hành)"),)



def _render_agency_mail(mc: MailCampaign, info: AgencyInfo, due: DueMail, *, sender: Sender,
                        now: datetime, attachments: Sequence[Attachment],
                        formal_letter: Sequence[Attachment] = ()) -> EmailMessage:
    agency = MailAgency(code=info.code, name=info.name, emails=info.primary,
                        contact_name=info.contact_name, escalation_emails=info.escalation)
    if due.kind == MailKind.DISPATCH:
        return build_dispatch(mc, agency, sender=sender, date=now, attachments=attachments)
    if due.kind == MailKind.REMINDER:
        return build_reminder(mc, agency, sender=sender, date=now, seq=due.seq)
    if due.kind == MailKind.OVERDUE:
        return build_overdue(mc, agency, sender=sender, date=now, seq=due.seq, escalate=due.escalate,
                             attachments=formal_letter)
    raise ValueError(f"unknown mail kind {due.kind!r}")


def existing_keys(session: Session, keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        found |= set(session.exec(select(OutboundMail.dedupe_key)
                                  .where(col(OutboundMail.dedupe_key).in_(keys[i:i + 500]))).all())
    return found


def due_mails(session: Session, c: Campaign, now: datetime, *, dispatch_now: bool = False
              ) -> tuple[list[DueMail], dict[str, AgencyInfo]]:
    """What the planner says is due at `now` (and the agencies' addresses); with `dispatch_now`,
    the dispatch to every agency not yet sent, whatever the campaign's dispatch_at (the
    operator asked for it)."""
    plan = campaign_plan(c)
    if dispatch_now:
        plan = replace(plan, dispatch_at=min(plan.dispatch_at, now))
    facts, infos = gather_facts(session, c)
    due = plan_due(plan, facts, now)
    return ([d for d in due if d.kind == MailKind.DISPATCH] if dispatch_now else due), infos


def render_due(session: Session, c: Campaign, now: datetime, sender: Sender, store: BlobStore,
               *, dispatch_now: bool = False) -> Iterator[PlannedMail]:
    """Render the due mails one at a time (a generator: 1,000 letters never sit in memory together).

    Keys already in the outbox are skipped before rendering."""
    due, infos = due_mails(session, c, now, dispatch_now=dispatch_now)
    keys = {d: dedupe_key(c.code, d.agency_code, d.kind, d.seq) for d in due}
    done = existing_keys(session, keys.values())
    mc = mail_campaign(c)
    files = dispatch_attachments(c, store) if any(d.kind == MailKind.DISPATCH for d in due) else []
    for d in due:
        info = infos[d.agency_code]
        if keys[d] in done or not info.primary:
            continue
        formal = formal_letter(c, info, d) if d.kind == MailKind.OVERDUE else ()
        msg = _render_agency_mail(mc, info, d, sender=sender, now=now, attachments=files, formal_letter=formal)
        yield PlannedMail(keys[d], d.kind, d.seq, c.id, info.id, info.code, msg, d.due_at)


def render_preview(session: Session, c: Campaign, agency_code: str, kind: str, now: datetime, sender: Sender,
                   store: BlobStore, *, seq: int = 1) -> EmailMessage:
    """One agency's dispatch, reminder or overdue mail rendered exactly as the planner's would
    leave at `now` (same builder, attachments and formal letter), whether or not it is due;
    nothing is written. KeyError when the agency is not enrolled in the campaign."""
    if kind not in AGENCY_KINDS:
        raise ValueError(f"kind: expected one of {', '.join(AGENCY_KINDS)}, got {kind!r}")
    infos, _ = _agencies(session, c)
    info = next((i for i in infos.values() if i.code == agency_code), None)
    if info is None:
        raise KeyError(agency_code)
    plan = campaign_plan(c)
    due = DueMail(info.code, kind, seq, now, escalate=kind == MailKind.OVERDUE and 0 < plan.escalate_on_overdue <= seq)
    files = dispatch_attachments(c, store) if kind == MailKind.DISPATCH else []
    formal = formal_letter(c, info, due) if kind == MailKind.OVERDUE else ()
    return _render_agency_mail(mail_campaign(c), info, due, sender=sender, now=now, attachments=files,
                               formal_letter=formal)


# ---------------------------------------------------------------- the rendered bytes
# A row's bytes live in OutboundBody (db/models.py says why); these are the only ways in and out.
def write_body(session: Session, outbound_id: int, raw: bytes) -> None:
    """Store the exact bytes the outbox row `outbound_id` sends (once, in the row's transaction)."""
    session.connection().execute(sql_insert(OutboundBody.__table__).values(outbound_id=outbound_id, raw=raw))


def read_bodies(session: Session, ids: Iterable[int]) -> dict[int, bytes]:
    """{outbox row id: its bytes} for the rows of `ids` (500 per query)."""
    ids = list(ids)
    out: dict[int, bytes] = {}
    for i in range(0, len(ids), 500):
        out.update((rid, bytes(raw)) for rid, raw in session.exec(
            select(OutboundBody.outbound_id, OutboundBody.raw)
            .where(col(OutboundBody.outbound_id).in_(ids[i:i + 500]))))
    return out


def read_body(session: Session, outbound_id: int) -> bytes:
    """The bytes of one outbox row (KeyError when it has none)."""
    return read_bodies(session, [outbound_id])[outbound_id]


# ---------------------------------------------------------------- writing rows
def _addrs(msg: EmailMessage, header: str) -> list[str]:
    return [a for _, a in getaddresses([str(v) for v in msg.get_all(header, [])]) if a]


def _insert_ignore(session: Session, values: dict[str, Any]) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING; the new row's id, None when its key existed."""
    dialect = session.get_bind().dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect)
    if insert is None:
        raise RuntimeFailure(f"unsupported database backend {dialect!r}")
    stmt = (insert(OutboundMail.__table__).values(**values).on_conflict_do_nothing()
            .returning(OutboundMail.__table__.c.id))
    # rowcount is unreliable here (psycopg reports -1 with RETURNING); a returned id is not.
    return session.connection().execute(stmt).scalar_one_or_none()


def insert_planned(session: Session, p: PlannedMail, now: datetime, *, actor: str = "system",
                   in_reply_to: str | None = None) -> bool:
    """Write one rendered mail to the outbox (status pending); False when its key already exists."""
    to, cc = _addrs(p.msg, "To"), _addrs(p.msg, "Cc")
    row_id = _insert_ignore(session, {
        "dedupe_key": p.key, "campaign_id": p.campaign_id, "agency_id": p.agency_id, "kind": p.kind,
        "seq": p.seq, "message_id": p.message_id, "in_reply_to": in_reply_to, "to_addrs": to,
        "cc_addrs": cc, "subject": str(p.msg["Subject"]), "status": "pending",
        "attempts": 0, "due_at": p.due_at or now, "next_attempt_at": None, "smtp_response": "",
        "last_error": "", "created_at": now,
    })
    if row_id is None:
        return False
    write_body(session, row_id, p.msg.as_bytes())
    log_event(session, "outbox.queued", campaign_id=p.campaign_id, agency_id=p.agency_id, actor=actor,
              at=now, detail={"key": p.key, "kind": p.kind, "seq": p.seq, "message_id": p.message_id,
                              "to": to, "cc": cc})
    return True


def queue_due(session: Session, campaign: Campaign, now: datetime, sender: Sender, store: BlobStore,
              *, dispatch_now: bool = False, actor: str = "system") -> list[QueuedMail]:
    """Queue every mail the planner says is due at `now`; returns the rows written.

    `dispatch_now=True` (the `dispatch` command) queues only the dispatch, to
    every enrolled agency not yet sent, regardless of dispatch_at."""
    written = []
    for p in render_due(session, campaign, now, sender, store, dispatch_now=dispatch_now):
        if insert_planned(session, p, now, actor=actor):
            written.append(QueuedMail(p.key, p.kind, p.seq, p.agency_code, p.message_id))
    return written


def queue_ack(session: Session, campaign: Campaign, agency: Agency, inbound: InboundMessage,
              receipt: Receipt, *, sender: Sender, now: datetime, to: Sequence[str] | None = None,
              actor: str = "system") -> PlannedMail | None:
    """Queue the receipt for one inbound report (once per inbound message).

    `to` defaults to the report's sender; addresses of failed or bounced contacts
    are dropped, and nothing is queued when none is left."""
    key = dedupe_key(campaign.code, agency.code, "ack", inbound.id)
    wanted = [a for _, a in getaddresses(list(to) if to else [inbound.from_addr]) if a]
    dead = dead_addresses(session, wanted)
    rcpts = [a for a in wanted if a.lower() not in dead]
    if not rcpts or existing_keys(session, [key]):
        return None
    mail_agency = MailAgency(code=agency.code, name=agency.name, emails=tuple(rcpts),
                             contact_name=agency.contact_name)
    msg = build_ack(mail_campaign(campaign), mail_agency, receipt, sender=sender, date=now, to=rcpts,
                    in_reply_to=inbound.message_id, references=inbound.thread_references or ())
    p = PlannedMail(key, "ack", inbound.id, campaign.id, agency.id, agency.code, msg, now)
    return p if insert_planned(session, p, now, actor=actor, in_reply_to=inbound.message_id) else None


def _digest_key(campaign: Campaign, now: datetime) -> tuple[str, int]:
    seq = int(now.astimezone(ZoneInfo(campaign.timezone)).date().strftime("%Y%m%d"))
    return dedupe_key(campaign.code, None, "digest", seq), seq


def today_digest_queued(session: Session, campaign: Campaign, now: datetime) -> bool:
    """Is the digest of `now`'s campaign-local day in the outbox already?"""
    return bool(existing_keys(session, [_digest_key(campaign, now)[0]]))


def queue_digest(session: Session, campaign: Campaign, msg: EmailMessage, *, now: datetime,
                 actor: str = "system") -> PlannedMail | None:
    """Queue a built digest as the one of `now`'s campaign-local day (once per campaign and day)."""
    key, seq = _digest_key(campaign, now)
    p = PlannedMail(key, "digest", seq, campaign.id, None, None, msg, now)
    return p if insert_planned(session, p, now, actor=actor) else None


def dead_addresses(session: Session, addrs: Iterable[str]) -> set[str]:
    """Lower-cased addresses (of `addrs`) that some contact row marks failed or bounced."""
    lowered = {a.lower() for a in addrs}
    if not lowered:
        return set()
    rows = session.exec(select(Contact.email).where(col(Contact.state).in_(DEAD_STATES),
                                                    func.lower(Contact.email).in_(lowered)))
    return {e.lower() for e in rows}
