"""Mail set aside for staff (quarantined or failed): the list, with ranked guesses, and what staff do
with a message — assign it to an agency (the normal intake runs again from the stored message) or
reject it. One function each behind `reportbot quarantine …`, the console and the API."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, or_, select

from bot.campaigns.agency_load import agency_by_code
from bot.core.errors import UserError
from bot.core.store import BlobStore
from bot.intake.attachments import ExtractedFile, body_text, extract
from bot.intake.directory import load_directory
from bot.intake.headers import parse_message
from bot.intake.match import Directory, MsgFacts
from bot.intake.pipeline import Intake, IntakeOutcome, process
from bot.staff.guesses import Guess, clue_en, rank_guesses
from db.engine import session_scope
from db.events import log_event
from db.models import Agency, InboundMessage

SET_ASIDE = ("quarantined", "failed")
TEXT_LIMIT = 200_000  # characters of a body read for guesses and shown to staff


class MessageNotFound(UserError):
    """No received message by that number or Message-ID."""


class AgencyNotFound(UserError):
    """No agency by that code."""


class NotSetAside(UserError):
    """The message is not (or no longer) in quarantine: someone dealt with it already."""


def find_message(session: Session, ref: str | int) -> InboundMessage:
    ref = str(ref).strip()
    cond = InboundMessage.message_id == ref
    if ref.lstrip("#").isdigit():
        cond = or_(InboundMessage.id == int(ref.lstrip("#")), cond)
    row = session.exec(select(InboundMessage).where(cond)).first()
    if row is None:
        raise MessageNotFound(f"MESSAGE_ID: no received message {ref!r} (give the number from `quarantine list`)")
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
_busy_lock = threading.Lock()
_busy: set[int] = set()  # messages being assigned in this process: a double submit waits for nothing


def _hold(inbound_id: int) -> None:
    with _busy_lock:
        if inbound_id in _busy:
            raise NotSetAside(f"message #{inbound_id} is being dealt with right now")
        _busy.add(inbound_id)


def _release(inbound_id: int) -> None:
    with _busy_lock:
        _busy.discard(inbound_id)


def assign_message(intake: Intake, ref: str | int, agency_code: str, *, actor: str, now: datetime) -> IntakeOutcome:
    """Credit a set-aside message to an agency: the pipeline runs again from the store."""
    with session_scope(intake.engine) as s:
        inbound_id = find_message(s, ref).id
    _hold(inbound_id)
    try:
        with session_scope(intake.engine) as s:
            row = s.get(InboundMessage, inbound_id)
            if row.state not in SET_ASIDE:
                raise NotSetAside(f"message #{row.id} is {row.state}, not quarantined")
            try:
                agency = agency_by_code(s, agency_code)
            except UserError as e:
                raise AgencyNotFound(str(e)) from None
            row.state = "quarantined"
            log_event(s, "mail.assigned", agency_id=agency.id, actor=actor, at=now,
                      detail={"inbound_id": row.id, "agency": agency.code})
            code = agency.code
        return process(intake, inbound_id, now, force_agency=code, actor=actor)
    finally:
        _release(inbound_id)


def reject_message(session: Session, ref: str | int, *, actor: str, now: datetime) -> InboundMessage:
    """Reject a set-aside message: kept in the store, never credited to an agency."""
    row = find_message(session, ref)
    done = session.connection().execute(update(InboundMessage).where(
        InboundMessage.id == row.id, col(InboundMessage.state).in_(SET_ASIDE)).values(state="rejected")).rowcount
    session.refresh(row)
    if done != 1:
        raise NotSetAside(f"message #{row.id} is {row.state}, not quarantined")
    log_event(session, "mail.rejected", agency_id=row.agency_id, actor=actor, at=now, detail={"inbound_id": row.id})
    return row
