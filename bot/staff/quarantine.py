"""Mail set aside for staff (quarantined or failed): the list, with ranked guesses, and what staff do
with a message — assign it to an agency (the normal intake runs again from the stored message, the
agency given), reject it, or retry it (the normal intake, matching and verification included). One
function each behind `reportbot quarantine …`, the console and the API."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, or_, select

from bot.campaigns.agency_load import agency_by_code
from bot.core.app import App
from bot.core.errors import Conflict, NotFound
from bot.core.store import BlobStore
from bot.core.workers import worker_name
from bot.intake.attachments import ExtractedFile, body_text, extract
from bot.intake.directory import load_directory
from bot.intake.headers import parse_message
from bot.intake.match import Directory, MsgFacts
from bot.intake.pipeline import Intake, IntakeOutcome, process
from bot.intake.recording import set_reason
from bot.staff.guesses import Guess, clue_en, rank_guesses
from db.engine import session_scope
from db.events import log_event
from db.models import Agency, InboundMessage
from db.vocabulary import InboundState

SET_ASIDE = (InboundState.QUARANTINED, InboundState.FAILED)
TEXT_LIMIT = 200_000  # characters of a body read for guesses and shown to staff


class MessageNotFound(NotFound):
    """No received message by that number or Message-ID."""


class AgencyNotFound(NotFound):
    """No agency by that code."""


class NotSetAside(Conflict):
    """The message is not (or no longer) quarantined or failed: someone dealt with it already."""


# One function per action, behind the CLI (`reportbot quarantine …`), the console and the API.
# Each changes state with a conditional UPDATE, so a second press (or a second staff member at
# the same moment) finds nothing to do and is told so instead of acting twice.


def find_message(session: Session, ref: str | int) -> InboundMessage:
    """By the number `quarantine list` shows (with or without '#') or by its Message-ID."""
    text = str(ref).strip()
    cond = InboundMessage.message_id == text
    if text.lstrip("#").isdigit():
        cond = or_(InboundMessage.id == int(text.lstrip("#")), cond)
    row = session.exec(select(InboundMessage).where(cond)).first()
    if row is None:
        raise MessageNotFound(f"MESSAGE_ID: no received message {text!r} (give the number from `quarantine list`)")
    return row



def set_aside(session: Session) -> list[InboundMessage]:
    return list(session.exec(select(InboundMessage).where(col(InboundMessage.state).in_(SET_ASIDE))
                             .order_by(InboundMessage.id)))


# ---------------------------------------------------------------- reading a stored message
@dataclass(frozen=True)
class StoredMail:
    facts: MsgFacts
    text: str  # the body as text (HTML bodies as they came: the console sanitises them)
    is_html: bool
    readable: bool  # False when the raw file is missing or unreadable (facts then from the row)
    files: tuple[ExtractedFile, ...] = ()  # with_files: what the intake would extract (zips unpacked)


def read_stored(mail_store: BlobStore, row: InboundMessage, *, with_files: bool = False) -> StoredMail:
    """The stored message's matching facts and body, and its files if asked (I/O: reads the raw store)."""
    try:
        msg = parse_message(mail_store.read_rel(row.raw_path))
    except (OSError, ValueError):
        return StoredMail(MsgFacts((), row.subject, row.from_addr), "", False, False)
    text, is_html = body_text(msg)
    files = tuple(extract(msg)) if with_files else ()
    return StoredMail(MsgFacts.from_message(msg), text[:TEXT_LIMIT], is_html, True, files)


def guesses_for(stored: StoredMail, directory: Directory, names: dict[str, str]) -> list[Guess]:
    return rank_guesses(stored.facts, stored.text, directory, names)


def quarantine_items(session: Session, mail_store: BlobStore) -> list[dict]:
    """`reportbot quarantine list --format json` (the contract's shape), guesses included."""
    rows = set_aside(session)
    if not rows:
        return []
    directory = load_directory(session)
    names = dict(session.exec(select(Agency.code, Agency.name)).all())
    out = []
    for r in rows:
        guesses = guesses_for(read_stored(mail_store, r), directory, names)
        out.append({"id": r.id, "message_id": r.message_id, "received_at": r.received_at.isoformat(),
                    "from": r.from_addr, "subject": r.subject, "state": r.state, "reason": r.reason,
                    "reason_code": r.reason_code or "",
                    "guesses": [{"agency": g.agency, "confidence": g.confidence,
                                 "evidence": "; ".join(clue_en(c, g.agency) for c in g.clues)} for g in guesses]})
    return out


# ---------------------------------------------------------------- acting on a message
# One function per action, behind the CLI (`reportbot quarantine …`), the console and the API.
# Each changes state with a conditional UPDATE, so a second press (or a second staff member at
# the same moment) finds nothing to do and is told so instead of acting twice.
def _take_aside(app: App, ref: str | int, to: InboundState, event: str, *, actor: str, now: datetime,
                agency_code: str | None = None) -> tuple[int, str | None]:
    """Move a set-aside message to `to` (one conditional UPDATE) and log who did it."""
    with session_scope(app.engine) as s:
        row = find_message(s, ref)
        try:
            agency = agency_by_code(s, agency_code) if agency_code else None
        except NotFound as e:
            raise AgencyNotFound(str(e)) from None
        if row.state not in SET_ASIDE:
            raise NotSetAside(f"message #{row.id} is {row.state}, not quarantined or failed")
        won = s.connection().execute(
            update(InboundMessage).where(InboundMessage.id == row.id, InboundMessage.state == row.state)
            .values(state=to, next_attempt_at=None, claimed_at=now if to == InboundState.PROCESSING else None,
                    claimed_by=worker_name(f"staff:{actor}")[:100] if to == InboundState.PROCESSING else None)
        ).rowcount
        if won != 1:
            raise NotSetAside(f"message #{row.id} was just handled by someone else")
        log_event(s, event, agency_id=agency.id if agency else row.agency_id, campaign_id=row.campaign_id,
                  actor=actor, at=now, detail={"inbound_id": row.id, "was": str(row.state)})
        return row.id, agency.code if agency else None


def assign_message(app: App, ref: str | int, agency_code: str, *, actor: str, now: datetime) -> IntakeOutcome:
    """Credit a set-aside message to an agency: the pipeline runs again from the stored message,
    the agency given by staff (classification and sender checks are the staff's call). The
    message is claimed first (processing), so two presses, or the CLI and the console at the
    same moment, record it once; if the pipeline fails it goes back to quarantine."""
    inbound_id, code = _take_aside(app, ref, InboundState.PROCESSING, "mail.assigned", actor=actor, now=now,
                                   agency_code=agency_code)
    try:
        return process(Intake(app.config, app.engine), inbound_id, now, force_agency=code, actor=actor)
    except BaseException:
        with session_scope(app.engine) as s:
            s.connection().execute(update(InboundMessage).where(
                InboundMessage.id == inbound_id, InboundMessage.state == InboundState.PROCESSING)
                .values(state=InboundState.QUARANTINED, claimed_by=None, claimed_at=None))
        raise


def reject_message(app: App, ref: str | int, *, actor: str, now: datetime) -> int:
    """Not for us: kept in the store, never credited to an agency."""
    inbound_id, _ = _take_aside(app, ref, InboundState.REJECTED, "mail.rejected", actor=actor, now=now)
    with session_scope(app.engine) as s:
        set_reason(s.get(InboundMessage, inbound_id), "rejected_by_staff")
    return inbound_id


def retry_message(app: App, ref: str | int, *, actor: str, now: datetime) -> IntakeOutcome:
    """Run the normal intake again (classification, matching and verification included, unlike
    assign): for a message that failed, or was quarantined before a fix or a new address."""
    inbound_id, _ = _take_aside(app, ref, InboundState.STORED, "mail.retried", actor=actor, now=now)
    return process(Intake(app.config, app.engine), inbound_id, now, actor=actor)
