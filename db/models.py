"""The tables. Times are aware UTC (db.types.UTCDateTime); lists and dicts are JSON.

State that can be derived (an agency's receipt state) is derived in
bot/staff/status.py from these facts rather than stored twice.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, LargeBinary, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime, utcnow

JsonType = JSON().with_variant(JSONB(), "postgresql")


def _json(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(JsonType, nullable=nullable))


def _ts(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _created() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Campaign(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=100)
    title: str
    issued: date
    deadline: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    timezone: str = Field(max_length=64)
    reply_to: str = Field(max_length=320)
    schedule: dict = _json()
    outline: list = _json()
    # The campaign file's [letter] table (number, subject, body paragraphs, signer...): the
    # dispatch quotes its request from here, whatever became of the file since.
    letter: dict = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    # [{"name", "sha256", "size", "content_type"}] sent with the dispatch (letter, report form).
    attachments: list = _json()
    source_path: str = ""
    source_sha256: str = Field(default="", max_length=64)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Agency(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=50)
    name: str
    category: str = Field(max_length=20)
    domains: list = _json()
    contact_name: str = ""
    phone: str = ""
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Enrollment(SQLModel, table=True):
    """An agency asked to report in a campaign."""

    __table_args__ = (UniqueConstraint("campaign_id", "agency_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    exempt: bool = False
    exempt_reason: str = ""
    created_at: datetime = _created()


class Contact(SQLModel, table=True):
    """One e-mail address of an agency. role: primary | escalation; state: active | bounced | failed.

    A temporary failure (4.x.x, Action delayed, expired in a queue) leaves the state active and is
    counted in the temp_failure_* columns: since (the first of the run), at (the latest), count and
    the server's reply; a run lasting bot.core.config IntakeConfig.temporary_bounce_days makes the
    address bounced. A mail received from the address ends the run (bot/intake/recording.py).
    """

    __table_args__ = (UniqueConstraint("agency_id", "email", "role"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    email: str = Field(index=True, max_length=320)
    role: str = Field(default="primary", max_length=20)
    state: str = Field(default="active", max_length=20)
    state_reason: str = ""
    state_changed_at: Optional[datetime] = _ts()
    temp_failure_since: Optional[datetime] = _ts()
    temp_failure_at: Optional[datetime] = _ts()
    temp_failures: int = 0
    temp_failure_reason: str = ""
    created_at: datetime = _created()


class OutboundMail(SQLModel, table=True):
    """The outbox: written (with its Message-ID, and its rendered bytes in OutboundBody) before any send.

    dedupe_key = "<campaign>|<agency or ->|<kind>|<seq>" is unique, so a mail is
    planned once however often the planner runs. status: pending | sending | sent
    | failed | cancelled. sent_at is the first delivery: a row the server took for some
    recipients and refused for now (4xx) for others is pending again for `retry_rcpts` alone.
    """

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    dedupe_key: str = Field(unique=True, max_length=300)
    campaign_id: Optional[int] = Field(default=None, foreign_key="campaign.id", index=True)
    agency_id: Optional[int] = Field(default=None, foreign_key="agency.id", index=True)
    kind: str = Field(max_length=20)
    seq: int = 0
    message_id: str = Field(unique=True, max_length=300)
    in_reply_to: Optional[str] = Field(default=None, max_length=998)
    to_addrs: list = _json()
    cc_addrs: list = _json()
    retry_rcpts: Optional[list] = _json(nullable=True)
    subject: str = ""
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    due_at: Optional[datetime] = _ts()
    next_attempt_at: Optional[datetime] = _ts()
    claimed_by: Optional[str] = Field(default=None, max_length=100)
    claimed_at: Optional[datetime] = _ts()
    sent_at: Optional[datetime] = _ts()
    smtp_response: str = ""
    last_error: str = ""
    created_at: datetime = _created()


class OutboundBody(SQLModel, table=True):
    """The exact bytes an outbox row sends, written with it (bot/outbound/outbox.py write_body/read_bodies).

    Kept apart from OutboundMail because SQLite stores a row in one piece: with the ~300 KB
    message inline, every status update rewrote it whole and reading a status walked past it.
    """

    outbound_id: int = Field(sa_column=Column(
        Integer, ForeignKey("outboundmail.id", ondelete="CASCADE"), primary_key=True, autoincrement=False))
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class InboundMessage(SQLModel, table=True):
    """A received mail. Its raw bytes are in the store (raw_path) before this row commits.

    state: stored | processing (claimed by one intake worker) | processed | quarantined
    | rejected | ignored | failed.
    """

    __table_args__ = (UniqueConstraint("folder", "uidvalidity", "uid"),
                      Index("ix_inbound_due", "state", "next_attempt_at"))
    id: Optional[int] = Field(default=None, primary_key=True)
    sha256: str = Field(unique=True, max_length=64)
    message_id: Optional[str] = Field(default=None, index=True, max_length=998)
    # The ids a reply's References continue (its References, else its In-Reply-To), no brackets.
    thread_references: Optional[list] = _json(nullable=True)
    raw_path: str
    size: int = 0
    folder: Optional[str] = Field(default=None, max_length=200)
    # IMAP UIDs and UIDVALIDITY are unsigned 32-bit: BigInteger on PostgreSQL.
    uidvalidity: Optional[int] = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    uid: Optional[int] = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    from_addr: str = ""
    subject: str = ""
    date_header: Optional[datetime] = _ts()
    received_at: datetime = _created()
    state: str = Field(default="stored", index=True, max_length=20)
    classification: str = Field(default="", max_length=30)
    campaign_id: Optional[int] = Field(default=None, foreign_key="campaign.id", index=True)
    agency_id: Optional[int] = Field(default=None, foreign_key="agency.id", index=True)
    match_method: str = ""
    match_confidence: Optional[float] = None
    auth: Optional[dict] = _json(nullable=True)
    reason: str = ""  # the English line; reason_code + reason_args are what code reads
    reason_code: str = Field(default="", max_length=60)
    reason_args: Optional[dict] = _json(nullable=True)
    attempts: int = 0
    # Claimed like an outbox row: one worker processes a stored message; a failed attempt
    # waits until next_attempt_at (the one backoff policy) before the next.
    claimed_by: Optional[str] = Field(default=None, max_length=100)
    claimed_at: Optional[datetime] = _ts()
    next_attempt_at: Optional[datetime] = _ts()
    processed_at: Optional[datetime] = _ts()
    mailbox_done: bool = False


class Attachment(SQLModel, table=True):
    """A file found in an inbound message, stored by hash, never by its given name."""

    id: Optional[int] = Field(default=None, primary_key=True)
    inbound_id: int = Field(foreign_key="inboundmessage.id", index=True)
    filename: str = ""
    sha256: str = Field(index=True, max_length=64)
    size: int = 0
    kind: str = Field(default="", max_length=20)
    origin: str = ""
    blob_path: str = ""
    parse_status: str = Field(default="pending", max_length=20)
    parse_result: Optional[dict] = _json(nullable=True)
    reason: str = ""
    reason_code: str = Field(default="", max_length=60)
    reason_args: Optional[dict] = _json(nullable=True)
    created_at: datetime = _created()


class Submission(SQLModel, table=True):
    """An agency's report for a campaign; a later version supersedes (both kept)."""

    __table_args__ = (UniqueConstraint("campaign_id", "agency_id", "version"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    inbound_id: Optional[int] = Field(default=None, foreign_key="inboundmessage.id", unique=True)
    version: int = 1
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    on_time: bool = True
    completeness: float = 0.0
    missing: list = _json()
    sections: list = _json()
    metrics: list = _json()
    sources: list = _json()
    is_current: bool = True
    created_at: datetime = _created()


class Event(SQLModel, table=True):
    """Append-only log of every state change: who, what, when."""

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))
    campaign_id: Optional[int] = Field(default=None, foreign_key="campaign.id", index=True)
    agency_id: Optional[int] = Field(default=None, foreign_key="agency.id", index=True)
    kind: str = Field(max_length=50, index=True)
    actor: str = Field(default="system", max_length=100)
    detail: Optional[dict] = _json(nullable=True)


class MailboxState(SQLModel, table=True):
    """Where the inbox watcher stands in one IMAP folder."""

    id: Optional[int] = Field(default=None, primary_key=True)
    folder: str = Field(unique=True, max_length=200)
    uidvalidity: Optional[int] = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    last_uid: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    last_check_at: Optional[datetime] = _ts()


class ServiceState(SQLModel, table=True):
    """Small key/value facts for health and catch-up (last tick, last digest)."""

    key: str = Field(primary_key=True, max_length=100)
    value: Optional[dict] = _json(nullable=True)
    updated_at: datetime = _created()


class WebUser(SQLModel, table=True):
    """A staff account of the web console. role: viewer | officer | admin. Only an argon2 hash is kept."""

    id: Optional[int] = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True, max_length=100)
    role: str = Field(default="viewer", max_length=20)
    password_hash: str = ""
    disabled: bool = False
    created_at: datetime = _created()
    last_login_at: Optional[datetime] = _ts()


class ApiToken(SQLModel, table=True):
    """An API bearer token (`reportbot users token`): only its SHA-256 is kept."""

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="webuser.id", index=True)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = _created()
    last_used_at: Optional[datetime] = _ts()
    revoked: bool = False


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries the signed session key; only its SHA-256 is kept here,
    so logging out (or disabling the user) ends the session at once, whatever the cookie says."""

    id: Optional[int] = Field(default=None, primary_key=True)
    key_hash: str = Field(unique=True, max_length=64)
    user_id: int = Field(foreign_key="webuser.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = _created()
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    ended: bool = False
