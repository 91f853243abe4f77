"""The intake pipeline: one stored message through small named steps, one transaction.

    classify → (bounce | auto-reply | own → recorded, no reply)
             → match → verify → read contents (extract + sandboxed parse) → record → acknowledge

Every step works from the raw store, so processing is idempotent: a message already
past `stored` is left as it is, unless staff assign it from quarantine.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
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
from bot.intake.classify import Classification, classify
from bot.intake.contents import Contents, merge_reports, read_contents
from bot.intake.decide import Action, ContentFacts, Disposition, Facts, decide
from bot.intake.directory import load_directory
from bot.intake.headers import header_block, parse_message
from bot.intake.match import Directory, MatchResult, MsgFacts, match_agency
from bot.intake.rawstore import HEAD_BYTES, mail_store
from bot.intake.recording import set_reason
from bot.intake.verify import Verification, verify
from bot.outbound.mails import Receipt, ReceivedFile, SectionRef, config_sender
from bot.outbound.outbox import queue_ack
from db.engine import session_scope
from db.events import log_event
from db.models import Agency, Campaign, Contact, InboundMessage
from db.vocabulary import Classification as MsgClass
from db.vocabulary import InboundState

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
    # Whether this instance fetches from the inbox now (one fetcher among instances sharing a
    # database: the holder of a lock); None: always. Every instance processes stored messages.
    may_fetch: Callable[[], bool] | None = None
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
# Several workers (processes, instances) may hold the same stored message. Before the steps run,
# the row is claimed with a conditional UPDATE, stored → processing with claimed_by/claimed_at:
# exactly one worker gets it. A claim whose worker is gone (same host, pid dead) or older than
# CLAIM_LEASE is taken over; a worker that fails puts the row back to stored, and the failure
# (poll.note_failure) sets next_attempt_at, before which no worker claims it again.
CLAIM_LEASE = timedelta(minutes=30)
BUSY = "being processed by another worker"


def _abandoned(holder: str | None, since: datetime | None, now: datetime) -> bool:
    return since is None or since < now - CLAIM_LEASE or claimer_gone(holder)


def _claim(intake: Intake, inbound_id: int, now: datetime) -> str | IntakeOutcome:
    """This worker's claim token, or the IntakeOutcome to report when the row is not ours to process
    now (state "stored": another worker has it, or its next attempt is not due; the caller then
    leaves the message in the inbox)."""
    with session_scope(intake.engine) as s:
        row = s.get(InboundMessage, inbound_id)
        if row is None:
            raise LookupError(f"no inbound message #{inbound_id}")
        if row.state not in (InboundState.STORED, InboundState.PROCESSING):
            return _outcome(row)
        state, holder, since, due = row.state, row.claimed_by, row.claimed_at, row.next_attempt_at
    if state == InboundState.STORED and due is not None and due > now:
        return IntakeOutcome(inbound_id, InboundState.STORED, "", reason=f"next attempt at {due.isoformat()}")
    busy = IntakeOutcome(inbound_id, InboundState.STORED, "", reason=BUSY)
    if state == InboundState.PROCESSING and not _abandoned(holder, since, now):
        return busy
    token = worker_name("intake")
    same = [InboundMessage.state == state]
    if state == InboundState.PROCESSING:
        same.append(InboundMessage.claimed_by == holder)
    with session_scope(intake.engine) as s:  # the UPDATE is the transaction's first statement
        won = s.connection().execute(update(InboundMessage).where(InboundMessage.id == inbound_id, *same)
                                     .values(state=InboundState.PROCESSING, claimed_by=token,
                                             claimed_at=now)).rowcount
    return token if won == 1 else busy


def _unclaim(intake: Intake, inbound_id: int, token: str | None) -> None:
    with session_scope(intake.engine) as s:
        s.connection().execute(update(InboundMessage).where(
            InboundMessage.id == inbound_id, InboundMessage.state == InboundState.PROCESSING,
            InboundMessage.claimed_by == token).values(state=InboundState.STORED, claimed_by=None, claimed_at=None))


def release_abandoned_claims(intake: Intake, now: datetime) -> int:
    """Rows left `processing` by a worker that died go back to `stored` (then the next pass
    processes them even when their message is no longer in the inbox)."""
    with session_scope(intake.engine) as s:
        rows = s.exec(select(InboundMessage.id, InboundMessage.claimed_by, InboundMessage.claimed_at)
                      .where(InboundMessage.state == InboundState.PROCESSING)).all()
    released = 0
    for rid, holder, since in rows:
        if _abandoned(holder, since, now):
            _unclaim(intake, rid, holder)
            released += 1
    return released


def process(intake: Intake, inbound_id: int, now: datetime, *, force_agency: str | None = None,
            actor: str = "intake") -> IntakeOutcome:
    if intake.should_stop is not None and intake.should_stop():
        return IntakeOutcome(inbound_id, InboundState.STORED, "", reason="stopping: left for the next run")
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


# ---------------------------------------------------------------- gathering the facts
def _process(intake: Intake, inbound_id: int, now: datetime, *, force_agency: str | None,
             actor: str) -> IntakeOutcome:
    with session_scope(intake.engine) as s:
        row = s.get(InboundMessage, inbound_id)
        # staff assign a message they claimed (staff/actions.py); the intake, one it claimed
        allowed = (InboundState.PROCESSING, InboundState.STORED, InboundState.QUARANTINED) if force_agency \
            else (InboundState.PROCESSING,)
        if row.state not in allowed:
            return _outcome(row)
        raw_path, size = row.raw_path, row.size
    directory = intake.directory or intake.refresh_directory()
    if size > MAX_MESSAGE_BYTES:
        head = parse_message(header_block(intake.mail.read_head(raw_path, HEAD_BYTES)))
        mb = 1024 * 1024
        facts = Facts(TOO_LARGE_TO_CLASSIFY, match_agency(MsgFacts.from_message(head), directory),
                      too_large=(round(size / mb), round(MAX_MESSAGE_BYTES / mb)))
        return _carry_out(intake, inbound_id, decide(facts), facts, head, None, actor, now)
    msg = parse_message(intake.mail.read_rel(raw_path))  # the bytes are not kept: msg holds the content
    with session_scope(intake.engine) as s:
        own = intake.own_addresses(s)
    msgid_domain = parseaddr(intake.config.smtp.from_)[1].rpartition("@")[2]
    c = classify(msg, own_addresses=own, own_message_id_domain=msgid_domain or None)
    match = _forced(force_agency, directory) if force_agency else match_agency(MsgFacts.from_message(msg), directory)
    checked = None if force_agency or not match.agency_code else _verification(intake, msg, match.agency_code)
    facts = Facts(c, match, checked, forced_agency=force_agency)
    disposition = decide(facts)
    contents = None
    if disposition.action is Action.READ_CONTENTS:
        with session_scope(intake.engine) as s:
            campaign = s.exec(select(Campaign).where(Campaign.code == match.campaign_code)).one()
            outline = campaign_outline(campaign)
        contents = read_contents(msg, outline)  # slow (sandboxed parses): outside any transaction
        facts = replace(facts, contents=ContentFacts(bool(contents.reports), contents.has_documents,
                                                     _broken_mime(msg)))
        disposition = decide(facts)
    return _carry_out(intake, inbound_id, disposition, facts, msg, contents, actor, now)


# A message too large to parse is not classified: only its head is read, to guess the agency.
TOO_LARGE_TO_CLASSIFY = Classification("report_or_other", "too large to read", False, False)
_STRUCTURE_DEFECTS = ("StartBoundaryNotFoundDefect", "MultipartInvariantViolationDefect")


def _broken_mime(msg: EmailMessage) -> str:
    """The names of defects that make the parser lose parts (a boundary declared but never used)."""
    found = {type(d).__name__ for part in msg.walk() for d in getattr(part, "defects", ())}
    return ", ".join(sorted(found.intersection(_STRUCTURE_DEFECTS)))


def _forced(code: str, d: Directory) -> MatchResult:
    campaigns = tuple(sorted(d.agency_campaigns.get(code, ())))
    return MatchResult(code, campaigns[0] if len(campaigns) == 1 else None, "staff", 1.0, (code,),
                       "assigned by staff", True)


def _verification(intake: Intake, msg: EmailMessage, code: str) -> Verification:
    sec = intake.config.security
    with session_scope(intake.engine) as s:
        agency = s.exec(select(Agency).where(Agency.code == code)).one()
        domains = list(agency.domains or [])
        addresses = [c.email for c in s.exec(select(Contact).where(Contact.agency_id == agency.id))]
    return verify(msg, sec.authserv_id, domains, sec.sender_policy, agency_addresses=addresses)


# ---------------------------------------------------------------- carrying the disposition out
def _carry_out(intake: Intake, inbound_id: int, d: Disposition, facts: Facts, msg: EmailMessage,
               contents: Contents | None, actor: str, now: datetime) -> IntakeOutcome:
    if d.action is Action.QUARANTINE:
        return _quarantine(intake, inbound_id, d, facts.match, actor, now)
    if d.action in (Action.IGNORE, Action.RECORD_BOUNCE):
        return _record_automated(intake, inbound_id, msg, d, facts, actor, now)
    return _record_reply(intake, inbound_id, facts.match, contents, d, now, actor)


def _outcome(row: InboundMessage, **kw) -> IntakeOutcome:
    return IntakeOutcome(row.id, row.state, row.classification, reason=row.reason, **kw)


def _finish(row: InboundMessage, state: str, classification: str, d: Disposition,
            now: datetime | None = None) -> None:
    row.state, row.classification = state, classification
    set_reason(row, d.code, d.args)
    row.attempts += 1
    row.processed_at = now or row.processed_at
    row.claimed_by = row.claimed_at = row.next_attempt_at = None


def _record_automated(intake: Intake, inbound_id: int, msg: EmailMessage, d: Disposition, facts: Facts,
                      actor: str, now: datetime) -> IntakeOutcome:
    kind = facts.classification.kind
    with session_scope(intake.engine) as s:
        row = s.get(InboundMessage, inbound_id)
        if d.action is Action.RECORD_BOUNCE:  # a delay too: a temporary failure, counted (recording.py)
            transient = facts.classification.transient
            recording.record_bounce(s, row, failed_recipients(msg), returned_message_ids(msg), actor=actor, now=now,
                                    transient=transient, temporary_days=intake.config.intake.temporary_bounce_days)
            _finish(row, InboundState.IGNORED if transient else InboundState.PROCESSED, MsgClass.BOUNCE, d)
        else:
            m = match_agency(MsgFacts.from_message(msg), intake.directory or intake.refresh_directory())
            if m.agency_code:
                row.agency_id = s.exec(select(Agency.id).where(Agency.code == m.agency_code)).one()
            _finish(row, InboundState.IGNORED, kind, d)
        # the classifier's own words say which sign it saw; the code says what was done
        row.reason = facts.classification.reason[:2000]
        log_event(s, f"mail.{row.classification}", agency_id=row.agency_id, actor=actor, at=now,
                  detail={"inbound_id": row.id, "reason": row.reason[:300], "rule": d.rule})
        return _outcome(row, agency=None)


def _quarantine(intake: Intake, inbound_id: int, d: Disposition, match: MatchResult | None, actor: str,
                now: datetime) -> IntakeOutcome:
    with session_scope(intake.engine) as s:
        row = s.get(InboundMessage, inbound_id)
        row.classification = MsgClass.REPORT_OR_OTHER
        row.match_method = (match.method if match else None) or ""
        row.match_confidence = match.confidence if match else None
        row.attempts += 1
        row.claimed_by = row.claimed_at = row.next_attempt_at = None
        recording.quarantine(s, row, d.code, d.args, actor=actor, now=now)
        return _outcome(row, agency=match.agency_code if match else None)


def _record_reply(intake: Intake, inbound_id: int, match: MatchResult, contents: Contents, d: Disposition,
                  now: datetime, actor: str) -> IntakeOutcome:
    with session_scope(intake.engine) as s:
        row = s.get(InboundMessage, inbound_id)
        campaign = s.exec(select(Campaign).where(Campaign.code == match.campaign_code)).one()
        agency = s.exec(select(Agency).where(Agency.code == match.agency_code)).one()
        row.campaign_id, row.agency_id = campaign.id, agency.id
        row.match_method, row.match_confidence = match.method or "", match.confidence
        files = recording.record_files(s, intake.blobs, row, contents)
        reports = contents.reports
        if not reports and not contents.has_documents:
            _finish(row, InboundState.PROCESSED, MsgClass.MESSAGE, d, now)
            log_event(s, "mail.message", campaign_id=campaign.id, agency_id=agency.id, actor=actor, at=now,
                      detail={"inbound_id": row.id})
            return _outcome(row, agency=agency.code)
        outline = campaign_outline(campaign)
        merged = merge_reports(reports, outline)
        sub = recording.record_submission(s, campaign, agency, row, merged, files, row.received_at, actor=actor,
                                          now=now)
        _finish(row, InboundState.PROCESSED, MsgClass.REPORT, d, now)
        if not reports:
            row.reason = "attachments could not be read"
        acked = False
        if d.action is Action.RECORD_AND_ACK:
            acked = _acknowledge(intake, s, campaign, agency, row, merged, files, now, actor)
        else:
            log_event(s, "ack.withheld", campaign_id=campaign.id, agency_id=agency.id, actor=actor, at=now,
                      detail={"inbound_id": row.id, "rule": d.rule, "reason": row.reason[:300]})
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
