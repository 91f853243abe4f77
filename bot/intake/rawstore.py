"""Raw store first: a received message's bytes are on disk and its row committed before any
other step, so a crash at any later point loses nothing. Dedupe by SHA-256 of the raw
bytes, by IMAP (folder, UIDVALIDITY, UID), and by Message-ID from the same sender."""
from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.core.store import BlobStore, sha256_hex
from bot.intake import headers as h
from db.events import log_event
from db.models import InboundMessage

HEAD_BYTES = 1024 * 1024  # where the headers of a message too large to read whole are looked for


def mail_store(root) -> BlobStore:
    return BlobStore(root, area="mail")


def _header_date(msg) -> datetime | None:

    try:
        t = parsedate_to_datetime(h.header(msg, "Date", 200))
    except (TypeError, ValueError, IndexError):
        return None
    return t if t and t.tzinfo else None


def find_known(session: Session, digest: str, folder: str | None, uidvalidity: int | None,
               uid: int | None) -> InboundMessage | None:
    row = session.exec(select(InboundMessage).where(InboundMessage.sha256 == digest)).first()
    if row is None and uid is not None:
        row = session.exec(select(InboundMessage).where(
            InboundMessage.folder == folder, InboundMessage.uidvalidity == uidvalidity,
            InboundMessage.uid == uid)).first()
    return row


def store_raw(session: Session, store: BlobStore, raw: bytes, *, received_at: datetime,
              folder: str | None = None, uidvalidity: int | None = None, uid: int | None = None,
              actor: str = "inbox", now: datetime | None = None) -> tuple[InboundMessage, bool]:
    """Write the bytes, then add the row (the caller commits). Returns (row, created)."""
    digest = sha256_hex(raw)
    known = find_known(session, digest, folder, uidvalidity, uid)
    if known is not None:
        return known, False
    _, rel = store.put(raw)
    return _add_row(session, digest, rel, len(raw), h.header_block(raw), received_at=received_at,
                    folder=folder, uidvalidity=uidvalidity, uid=uid, actor=actor, now=now)


def store_spooled(session: Session, store: BlobStore, digest: str, rel: str, size: int, *,
                  received_at: datetime, folder: str | None, uidvalidity: int | None, uid: int | None,
                  actor: str = "inbox", now: datetime | None = None) -> tuple[InboundMessage, bool]:
    """The row of a message already written to the store in pieces (BlobStore.put_stream);
    only its head is read back for the headers."""
    known = find_known(session, digest, folder, uidvalidity, uid)
    if known is not None:
        return known, False
    head = h.header_block(store.read_head(rel, HEAD_BYTES))
    return _add_row(session, digest, rel, size, head, received_at=received_at, folder=folder,
                    uidvalidity=uidvalidity, uid=uid, actor=actor, now=now)


def find_by_uid(session: Session, folder: str, uidvalidity: int | None, uid: int) -> InboundMessage | None:
    return session.exec(select(InboundMessage).where(
        InboundMessage.folder == folder, InboundMessage.uidvalidity == uidvalidity,
        InboundMessage.uid == uid)).first()


def _add_row(session: Session, digest: str, rel: str, size: int, head: bytes, *, received_at: datetime,
             folder: str | None, uidvalidity: int | None, uid: int | None,
             actor: str, now: datetime | None) -> tuple[InboundMessage, bool]:
    msg = h.parse_message(head)  # only headers are read here
    message_id = next(iter(h.message_ids(h.header(msg, "Message-ID", 998))), None)
    sender = h.from_address(msg)
    row = InboundMessage(
        sha256=digest, message_id=message_id, thread_references=_thread_references(msg), raw_path=rel, size=size, folder=folder,
        uidvalidity=uidvalidity, uid=uid, from_addr=sender, subject=h.header(msg, "Subject", 998),
        date_header=_header_date(msg), received_at=received_at,
    )
    twin = _same_message(session, message_id, sender)
    if twin is not None:
        row.state, row.reason = "ignored", f"duplicate of message #{twin.id} (same Message-ID and sender)"
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another process stored the same bytes or UID just now
        return find_known(session, digest, folder, uidvalidity, uid), False  # type: ignore[return-value]
    log_event(session, "mail.stored", actor=actor, at=now,
              detail={"inbound_id": row.id, "sha256": digest[:12], "uid": uid, "duplicate": twin is not None})
    return row, True


def _thread_references(msg) -> list[str] | None:
    """What a reply's References continues: this mail's References, else its one In-Reply-To id."""
    chain = h.message_ids(" ".join(h.raw_headers(msg, "References")))
    if not chain:
        parent = h.message_ids(" ".join(h.raw_headers(msg, "In-Reply-To")))
        chain = parent if len(parent) == 1 else []
    return chain or None


def _same_message(session: Session, message_id: str | None, sender: str) -> InboundMessage | None:
    if not message_id:
        return None
    return session.exec(select(InboundMessage).where(
        InboundMessage.message_id == message_id, InboundMessage.from_addr == sender)).first()
