"""The intake pipeline: one stored message through small named steps, one transaction.

    classify → (bounce | auto-reply | own → recorded, no reply)
             → match → verify → read contents (extract + sandboxed parse) → record → acknowledge

Every step works from the raw store, so processing is idempotent: a message already
past `stored` is left as it is, unless staff assign it from quarantine.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr

from sqlalchemy import update
from sqlmodel import Session, select

from bot.campaigns.campaign_load import campaign_outline
from bot.core.config import Config
from bot.core.store import BlobStore
from bot.core.workers import claimer_gone, worker_name
from bot.intake import recording
from bot.intake.bounce import failed_recipients, returned_message_ids
from bot.intake.classify import classify
from bot.intake.contents import Contents, merge_reports, read_contents
from bot.intake.directory import load_directory
from bot.intake.headers import header_block, parse_message
from bot.intake.match import Directory, MatchResult, MsgFacts, match_agency
from bot.intake.rawstore import HEAD_BYTES, mail_store
from bot.intake.verify import verify
from bot.outbound.mails import Receipt, ReceivedFile, SectionRef, config_sender
from bot.outbound.outbox import queue_ack
from db.engine import session_scope
from db.events import log_event
from db.models import Agency, Campaign, Contact, InboundMessage

log = logging.getLogger(__name__)
# The stdlib MIME parser needs about 4x a message's size in memory (and the IMAP fetch 3x):
# a bigger message is kept (raw store, quarantine folder) for staff but not read, so the
# service's memory stays bounded whatever arrives.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class IntakeOutcome:
    inbound_id: int
    state: str  # processed | quarantined | ignored | ... (InboundMessage.state)
    classification: str
    agency: str | None = None
    submission_id: int | None = None
    ack_queued: bool = False
    reason: str = ""


@dataclass
class Intake:
    """What the steps need besides the message: config, stores, and the matcher's directory."""

    config: Config
    engine: object
    directory: Directory | None = None
    # Set by a service that is shutting down: messages not yet started are left for the next run.
    should_stop: Callable[[], bool] | None = None
    _outlines: dict[int, object] = field(default_factory=dict)

    @property
    def blobs(self) -> BlobStore:
        return BlobStore(self.config.storage_dir)

    @property
    def mail(self) -> BlobStore:
        return mail_store(self.config.storage_dir)

    def own_addresses(self, session: Session) -> set[str]:
        own = {parseaddr(self.config.smtp.from_)[1].lower()}
        own |= {c.reply_to.lower() for c in session.exec(select(Campaign))}
        return own

    def refresh_directory(self) -> Directory:
        with session_scope(self.engine) as s:
            self.directory = load_directory(s)
        return self.directory


# ---------------------------------------------------------------- claiming a stored message
# Several watchers (processes) may fetch the same message. Before the steps run, the row is
# claimed with a conditional UPDATE, stored → processing (reason names the worker, processed_at
# the moment): exactly one worker gets it. A claim whose worker is gone (same host, pid dead)
# or older than CLAIM_LEASE is taken over; a worker that fails puts the row back to stored.
CLAIM_LEASE = timedelta(minutes=30)
CLAIM_PREFIX = "processing by "
BUSY = "being processed by another worker"


def _abandoned(holder: str, since: datetime | None, now: datetime) -> bool:
    return since is None or since < now - CLAIM_LEASE or claimer_gone(holder.removeprefix(CLAIM_PREFIX))


def _claim(intake: Intake, inbound_id: int, now: datetime) -> str | IntakeOutcome:
    """This worker's claim token, or the IntakeOutcome to report when the row is not ours to process
    (state "stored" while another worker has it: the caller then leaves the message in the inbox)."""
    with session_scope(intake.engine) as s:
        row = s.get(InboundMessage, inbound_id)
        if row is None:
            raise LookupError(f"no inbound message #{inbound_id}")
        if row.state not in ("stored", "processing"):
            return _outcome(row)
        state, holder, since = row.state, row.reason, row.processed_at
    busy = IntakeOutcome(inbound_id, "stored", "", reason=BUSY)
    if state == "processing" and not _abandoned(holder, since, now):
        return busy
    token = CLAIM_PREFIX + worker_name("intake")
    same = [InboundMessage.state == state] + ([InboundMessage.reason == holder] if state == "processing" else [])
    with session_scope(intake.engine) as s:  # the UPDATE is the transaction's first statement
        won = s.connection().execute(update(InboundMessage).where(InboundMessage.id == inbound_id, *same)
                                     .values(state="processing", reason=token, processed_at=now)).rowcount
    return token if won == 1 else busy


def _unclaim(intake: Intake, inbound_id: int, token: str) -> None:
    with session_scope(intake.engine) as s:
        s.connection().execute(update(InboundMessage).where(
            InboundMessage.id == inbound_id, InboundMessage.state == "processing", InboundMessage.reason == token)
            .values(state="stored", reason=""))


def release_abandoned_claims(intake: Intake, now: datetime) -> int:
    """Rows left `processing` by a worker that died go back to `stored` (then the next pass
    processes them even when their message is no longer in the inbox)."""
    with session_scope(intake.engine) as s:
        rows = s.exec(select(InboundMessage.id, InboundMessage.reason, InboundMessage.processed_at)
                      .where(InboundMessage.state == "processing")).all()
    released = 0
    for rid, holder, since in rows:
        if _abandoned(holder, since, now):
            _unclaim(intake, rid, holder)
            released += 1
    return released


def process(intake: Intake, inbound_id: int, now: datetime, *, force_agency: str | None = None,
            actor: str = "intake") -> IntakeOutcome:
    if intake.should_stop is not None and intake.should_stop():
        return IntakeOutcome(inbound_id, "stored", "", reason="stopping: left for the next run")
    token = None
    if not force_agency:
        claimed = _claim(intake, inbound_id, now)
        if isinstance(claimed, IntakeOutcome):
            return claimed
        token = claimed
    try:
        return _process(intake, inbound_id, now, force_agency=force_agency, actor=actor)
    except BaseException:
        if token:
            _unclaim(intake, inbound_id, token)
        raise


def _process(intake: Intake, inbound_id: int, now: datetime, *, force_agency: str | None,
             actor: str) -> IntakeOutcome:
    with session_scope(intake.engine) as s:
        row = s.get(InboundMessage, inbound_id)
        allowed = ("stored", "quarantined") if force_agency else ("processing",)
        if row.state not in allowed:
            return _outcome(row)
        raw_path, size = row.raw_path, row.size
    if size > MAX_MESSAGE_BYTES:
        return _too_large(intake, inbound_id, raw_path, size, actor, now)
    msg = parse_message(intake.mail.read_rel(raw_path))  # the bytes are not kept: msg holds the content
    directory = intake.directory or intake.refresh_directory()
    with session_scope(intake.engine) as s:
        own = intake.own_addresses(s)
    msgid_domain = parseaddr(intake.config.smtp.from_)[1].rpartition("@")[2]
    c = classify(msg, own_addresses=own, own_message_id_domain=msgid_domain or None)
    if c.is_automated and not force_agency:
        return _record_automated(intake, inbound_id, msg, c.kind, c.reason, c.transient, directory, actor, now)
    match = _forced(force_agency, directory) if force_agency else match_agency(MsgFacts.from_message(msg), directory)
    with session_scope(intake.engine) as s:
        problem, campaign, agency = _resolve(s, match)
    if problem:
        return _quarantine(intake, inbound_id, problem, match, actor, now)
    if not force_agency:
        problem = _verification_problem(intake, msg, agency)
        if problem:
            return _quarantine(intake, inbound_id, problem, match, actor, now)
    outline = campaign_outline(campaign)
    contents = read_contents(msg, outline)  # slow (sandboxed parses): outside any transaction
    broken = _broken_mime(msg)
    if broken and not contents.reports and not contents.has_documents:  # a report may be hidden in it
        return _quarantine(intake, inbound_id, f"the MIME structure is broken ({broken}): its parts cannot be "
                           "told apart; kept for staff", match, actor, now)
    return _record_reply(intake, inbound_id, campaign.id, agency.id, match, contents, now, actor)


_STRUCTURE_DEFECTS = ("StartBoundaryNotFoundDefect", "MultipartInvariantViolationDefect")


def _broken_mime(msg: EmailMessage) -> str:
    """The names of defects that make the parser lose parts (a boundary declared but never used)."""
    found = {type(d).__name__ for part in msg.walk() for d in getattr(part, "defects", ())}
    return ", ".join(sorted(found.intersection(_STRUCTURE_DEFECTS)))


def _too_large(intake: Intake, inbound_id: int, raw_path: str, size: int, actor: str, now: datetime) -> IntakeOutcome:
    head = parse_message(header_block(intake.mail.read_head(raw_path, HEAD_BYTES)))
    match = match_agency(MsgFacts.from_message(head), intake.directory or intake.refresh_directory())
    mb = 1024 * 1024
    return _quarantine(intake, inbound_id, f"message too large to read ({size / mb:.0f} MB, limit "
                       f"{MAX_MESSAGE_BYTES / mb:.0f} MB); kept for staff", match, actor, now)


def _forced(code: str, d: Directory) -> MatchResult:
    campaigns = tuple(sorted(d.agency_campaigns.get(code, ())))
    return MatchResult(code, campaigns[0] if len(campaigns) == 1 else None, "staff", 1.0, (code,),
                       "assigned by staff", True)


def _resolve(s: Session, m: MatchResult) -> tuple[str, Campaign | None, Agency | None]:
    if m.agency_code is None:
        return f"no agency matched: {m.reason}", None, None
    if m.method in ("thread", "token") and m.sender_known is False:
        return f"sender is not a registered address of {m.agency_code} ({m.reason})", None, None
    agency = s.exec(select(Agency).where(Agency.code == m.agency_code)).one()
    if m.campaign_code is None:
        return f"{m.agency_code}: cannot tell which campaign the reply is for", None, agency
    campaign = s.exec(select(Campaign).where(Campaign.code == m.campaign_code)).one()
    return "", campaign, agency


def _verification_problem(intake: Intake, msg: EmailMessage, agency: Agency) -> str:
    sec = intake.config.security
    with session_scope(intake.engine) as s:
        addresses = [c.email for c in s.exec(select(Contact).where(Contact.agency_id == agency.id))]
    v = verify(msg, sec.authserv_id, agency.domains or [], sec.sender_policy, agency_addresses=addresses)
    return "" if v.passed is not False else f"sender verification failed: {v.reason}"


def _outcome(row: InboundMessage, **kw) -> IntakeOutcome:
    return IntakeOutcome(row.id, row.state, row.classification, reason=row.reason, **kw)


def _finish(row: InboundMessage, state: str, classification: str, reason: str, now: datetime | None = None) -> None:
    row.state, row.classification, row.reason = state, classification, reason[:2000]
    row.attempts += 1
    row.processed_at = now or row.processed_at


def _record_automated(intake: Intake, inbound_id: int, msg: EmailMessage, kind: str, reason: str,
                      transient: bool, directory: Directory, actor: str, now: datetime) -> IntakeOutcome:
    with session_scope(intake.engine) as s:
        row = s.get(InboundMessage, inbound_id)
        if kind == "bounce":  # a delay is recorded too: a temporary failure, counted (bot/intake/recording.py)
            recording.record_bounce(s, row, failed_recipients(msg), returned_message_ids(msg), actor=actor, now=now,
                                    transient=transient, temporary_days=intake.config.intake.temporary_bounce_days)
            _finish(row, "ignored" if transient else "processed", "bounce", reason)
        else:
            m = match_agency(MsgFacts.from_message(msg), directory)
            if m.agency_code:
                row.agency_id = s.exec(select(Agency.id).where(Agency.code == m.agency_code)).one()
            _finish(row, "ignored", "bounce" if kind == "bounce" else kind, reason)
        log_event(s, f"mail.{row.classification}", agency_id=row.agency_id, actor=actor, at=now,
                  detail={"inbound_id": row.id, "reason": reason[:300]})
        return _outcome(row, agency=None)


def _quarantine(intake: Intake, inbound_id: int, reason: str, match: MatchResult, actor: str,
                now: datetime) -> IntakeOutcome:
    with session_scope(intake.engine) as s:
        row = s.get(InboundMessage, inbound_id)
        row.classification, row.match_method = "report_or_other", match.method or ""
        row.match_confidence = match.confidence
        row.attempts += 1
        recording.quarantine(s, row, reason, actor=actor, now=now)
        return _outcome(row, agency=match.agency_code)


def _record_reply(intake: Intake, inbound_id: int, campaign_id: int, agency_id: int, match: MatchResult,
                  contents: Contents, now: datetime, actor: str) -> IntakeOutcome:
    with session_scope(intake.engine) as s:
        row = s.get(InboundMessage, inbound_id)
        campaign, agency = s.get(Campaign, campaign_id), s.get(Agency, agency_id)
        row.campaign_id, row.agency_id = campaign.id, agency.id
        row.match_method, row.match_confidence = match.method or "", match.confidence
        files = recording.record_files(s, intake.blobs, row, contents)
        reports = contents.reports
        if not reports and not contents.has_documents:
            _finish(row, "processed", "message", "no report content (cover note or message)", now)
            log_event(s, "mail.message", campaign_id=campaign.id, agency_id=agency.id, actor=actor, at=now,
                      detail={"inbound_id": row.id})
            return _outcome(row, agency=agency.code)
        outline = campaign_outline(campaign)
        merged = merge_reports(reports, outline) if reports else merge_reports([], outline)
        sub = recording.record_submission(s, campaign, agency, row, merged, files, row.received_at, actor=actor,
                                       now=now)
        _finish(row, "processed", "report", "" if reports else "attachments could not be read", now)
        acked = _acknowledge(intake, s, campaign, agency, row, merged, files, now, actor)
        return _outcome(row, agency=agency.code, submission_id=sub.id, ack_queued=acked)


def _acknowledge(intake: Intake, s: Session, campaign: Campaign, agency: Agency, row: InboundMessage,
                 merged: dict, files, now: datetime, actor: str) -> bool:
    cap = intake.config.security.acks_per_sender_per_day
    if not row.from_addr or recording.acks_sent_to(s, row.from_addr, now) >= cap:
        log_event(s, "ack.capped", campaign_id=campaign.id, agency_id=agency.id, actor=actor, at=now,
                  detail={"inbound_id": row.id})
        return False
    outline = campaign_outline(campaign)
    titles = {n.id: n.title for n in outline.nodes}
    receipt = Receipt(
        received_at=row.received_at,
        files=tuple(ReceivedFile(a.filename, a.size, a.sha256, recording.agency_problem(a)) for a in files),
        found=tuple(SectionRef(x["id"], titles[x["id"]]) for x in merged["sections"] if x["found"]),
        missing=tuple(SectionRef(i, titles[i]) for i in merged["missing"]),
    )
    sender = config_sender(intake.config)
    return queue_ack(s, campaign, agency, row, receipt, sender=sender, now=now, actor=actor) is not None
