"""The outbox rows' life while being sent: claim, reclaim, and record what the SMTP server said.

Every function is one short transaction on the engine (the mailer calls them
from its database thread), and every state change is logged as an event in the
same transaction.

Claiming is a conditional UPDATE: `... SET status='sending', claimed_by=?,
claimed_at=? WHERE id=(first due row) AND status='pending'` — a row goes to at
most one sender, across processes, on SQLite and PostgreSQL (where the inner
SELECT also skips rows another transaction has locked). The UPDATE is the
transaction's first statement, so SQLite takes its write lock without a stale
read snapshot.

A row left in `sending` by a crashed sender is put back to `pending` when its
claim is older than the lease, or at once when its claimer ran on this host and
that process is gone. It is then resent with the SAME bytes and Message-ID: if
the crash fell between the server's 250 and our database update, the recipient
gets that one message twice with one Message-ID, which mail clients and threads
collapse. That in-flight window (at most one message per connection) is the
only duplicate the outbox allows.
"""
from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Sequence

from sqlalchemy import Engine, and_, or_, update
from sqlmodel import Session, col, func, select

from bot.outbox import dead_addresses
from db.engine import session_scope
from db.events import log_event
from db.models import Contact, OutboundMail, Submission

REMINDER_KINDS = ("reminder", "overdue")
HOST = socket.gethostname()[:60]


def worker_name(tag: str) -> str:
    """'host:pid:tag' — lets a later run on this host see that the claimer is gone."""
    return f"{HOST}:{os.getpid()}:{tag}"[:100]


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    kind: str
    campaign_id: int | None
    agency_id: int | None
    message_id: str
    raw: bytes
    rcpts: tuple[str, ...]  # the envelope: To + Cc minus dead contacts
    attempts: int           # before this one


@dataclass(frozen=True)
class Cancelled:
    id: int
    key: str
    reason: str


@dataclass(frozen=True)
class Filter:
    campaign_id: int | None = None
    kinds: tuple[str, ...] | None = None


def _where(f: Filter) -> list:
    out = []
    if f.campaign_id is not None:
        out.append(OutboundMail.campaign_id == f.campaign_id)
    if f.kinds:
        out.append(col(OutboundMail.kind).in_(f.kinds))
    return out


def _due_clause(now: datetime):
    return and_(OutboundMail.status == "pending",
                or_(col(OutboundMail.next_attempt_at).is_(None), OutboundMail.next_attempt_at <= now))


def count_due(engine: Engine, now: datetime, f: Filter = Filter()) -> int:
    with session_scope(engine) as s:
        return s.exec(select(func.count()).select_from(OutboundMail)
                      .where(_due_clause(now), *_where(f))).one()


# ---------------------------------------------------------------- reclaiming
def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a killed child not yet reaped by its parent still answers kill(0)
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _claimer_gone(claimed_by: str | None) -> bool:
    host, _, rest = (claimed_by or "").partition(":")
    pid = rest.partition(":")[0]
    return host == HOST and pid.isdigit() and int(pid) != os.getpid() and _pid_gone(int(pid))


def reclaim_stale(engine: Engine, now: datetime, lease: timedelta, *, actor: str = "mailer") -> int:
    """Put rows abandoned in `sending` back to `pending` (see the module docstring)."""
    reclaimed = 0
    with session_scope(engine) as s:
        rows = s.exec(select(OutboundMail.id, OutboundMail.claimed_by, OutboundMail.claimed_at,
                             OutboundMail.campaign_id, OutboundMail.agency_id, OutboundMail.message_id)
                      .where(OutboundMail.status == "sending")).all()
        for rid, by, at, cid, aid, mid in rows:
            expired = at is None or at < now - lease
            if not (expired or _claimer_gone(by)):
                continue
            res = s.connection().execute(
                update(OutboundMail).where(OutboundMail.id == rid, OutboundMail.status == "sending",
                                           OutboundMail.claimed_by == by)
                .values(status="pending", claimed_by=None, claimed_at=None))
            if res.rowcount == 1:
                reclaimed += 1
                log_event(s, "outbox.reclaimed", campaign_id=cid, agency_id=aid, actor=actor, at=now,
                          detail={"message_id": mid, "claimed_by": by, "lease_expired": expired})
    return reclaimed


# ---------------------------------------------------------------- claiming
def claim_next(engine: Engine, worker: str, now: datetime, f: Filter = Filter(),
               *, actor: str = "mailer") -> Claimed | Cancelled | None:
    """Claim the oldest due row; None when nothing is due. A row that must not go out any more
    (its agency reported, or every recipient failed) comes back as Cancelled."""
    for _ in range(20):  # lost races against another sender: try the next row
        with session_scope(engine) as s:
            first = (select(OutboundMail.id).where(_due_clause(now), *_where(f))
                     .order_by(OutboundMail.id).limit(1).with_for_update(skip_locked=True)
                     .scalar_subquery())
            res = s.connection().execute(
                update(OutboundMail).where(OutboundMail.id == first, OutboundMail.status == "pending")
                .values(status="sending", claimed_by=worker, claimed_at=now)
                .returning(OutboundMail.id))
            rid = res.scalar_one_or_none()
            if rid is not None:
                return _checked(s, s.get(OutboundMail, rid), now, actor)
        if count_due(engine, now, f) == 0:
            return None
    return None


def _checked(s: Session, row: OutboundMail, now: datetime, actor: str) -> Claimed | Cancelled:
    reason = None
    if row.kind in REMINDER_KINDS and row.agency_id is not None and s.exec(
            select(Submission.id).where(Submission.campaign_id == row.campaign_id,
                                        Submission.agency_id == row.agency_id)).first():
        reason = "the agency has reported"
    wanted = list(dict.fromkeys([*row.to_addrs, *row.cc_addrs]))
    dead = dead_addresses(s, wanted)
    rcpts = tuple(a for a in wanted if a.lower() not in dead)
    if reason is None and not rcpts:
        reason = "no active recipient left"
    if reason is None:
        return Claimed(row.id, row.dedupe_key, row.kind, row.campaign_id, row.agency_id, row.message_id,
                       row.raw, rcpts, row.attempts)
    row.status, row.last_error, row.claimed_by = "cancelled", reason, None
    log_event(s, "outbox.cancelled", campaign_id=row.campaign_id, agency_id=row.agency_id, actor=actor,
              at=now, detail={"key": row.dedupe_key, "message_id": row.message_id, "reason": reason})
    return Cancelled(row.id, row.dedupe_key, reason)


# ---------------------------------------------------------------- recording results
def _mine(s: Session, rid: int, worker: str) -> OutboundMail | None:
    """The row, if this worker still holds its claim (it may have been reclaimed meanwhile)."""
    row = s.get(OutboundMail, rid)
    return row if row is not None and row.status == "sending" and row.claimed_by == worker else None


def _ev(s: Session, kind: str, row: OutboundMail, actor: str, now: datetime, **detail) -> None:
    log_event(s, kind, campaign_id=row.campaign_id, agency_id=row.agency_id, actor=actor, at=now,
              detail={"key": row.dedupe_key, "message_id": row.message_id, **detail})


def mark_contacts_failed(s: Session, addrs: Sequence[str], reason: str, now: datetime, *,
                         campaign_id: int | None, actor: str) -> int:
    """Every contact row with one of these addresses becomes `failed` (nothing more goes to it)."""
    lowered = {a.lower() for a in addrs}
    if not lowered:
        return 0
    n = 0
    for ct in s.exec(select(Contact).where(func.lower(Contact.email).in_(lowered),
                                           Contact.state != "failed")):
        ct.state, ct.state_reason, ct.state_changed_at = "failed", reason[:500], now
        n += 1
        log_event(s, "contact.failed", campaign_id=campaign_id, agency_id=ct.agency_id, actor=actor, at=now,
                  detail={"email": ct.email, "role": ct.role, "reason": reason[:500]})
    return n


def mark_sent(engine: Engine, c: Claimed, worker: str, now: datetime, response: str,
              refused: dict[str, str], *, actor: str = "mailer") -> bool:
    """The server accepted the message (for at least one recipient; `refused` maps the others
    to their permanent 5xx reply, and those contacts are marked failed)."""
    with session_scope(engine) as s:
        row = _mine(s, c.id, worker)
        if row is None:
            return False
        row.status, row.sent_at, row.attempts = "sent", now, row.attempts + 1
        row.smtp_response, row.last_error = response[:1000], "; ".join(f"{a}: {r}" for a, r in refused.items())
        _ev(s, "outbox.sent", row, actor, now, rcpts=list(c.rcpts), response=response[:200],
            refused=refused or None)
        for addr, reply in refused.items():
            mark_contacts_failed(s, [addr], reply, now, campaign_id=row.campaign_id, actor=actor)
        return True


def mark_retry(engine: Engine, c: Claimed, worker: str, now: datetime, error: str, next_at: datetime,
               max_attempts: int, *, failed_rcpts: dict[str, str] | None = None, actor: str = "mailer") -> str:
    """A temporary failure: back to `pending` until `next_at`, or `failed` after max_attempts."""
    with session_scope(engine) as s:
        row = _mine(s, c.id, worker)
        if row is None:
            return "lost"
        row.attempts += 1
        row.last_error, row.claimed_by, row.claimed_at = error[:1000], None, None
        for addr, reply in (failed_rcpts or {}).items():
            mark_contacts_failed(s, [addr], reply, now, campaign_id=row.campaign_id, actor=actor)
        if row.attempts >= max_attempts:
            row.status = "failed"
            _ev(s, "outbox.failed", row, actor, now, error=error[:500], attempts=row.attempts, permanent=False)
            return "failed"
        row.status, row.next_attempt_at = "pending", next_at
        _ev(s, "outbox.deferred", row, actor, now, error=error[:500], attempts=row.attempts,
            next_attempt_at=next_at.isoformat())
        return "deferred"


def mark_failed(engine: Engine, c: Claimed, worker: str, now: datetime, error: str,
                failed_rcpts: dict[str, str], *, actor: str = "mailer") -> bool:
    """A permanent (5xx) failure: the row `failed`, the refused recipients' contacts `failed`."""
    with session_scope(engine) as s:
        row = _mine(s, c.id, worker)
        if row is None:
            return False
        row.status, row.attempts, row.last_error = "failed", row.attempts + 1, error[:1000]
        _ev(s, "outbox.failed", row, actor, now, error=error[:500], attempts=row.attempts, permanent=True,
            rcpts=list(failed_rcpts))
        for addr, reply in failed_rcpts.items():
            mark_contacts_failed(s, [addr], reply, now, campaign_id=row.campaign_id, actor=actor)
        return True


def release(engine: Engine, c: Claimed, worker: str) -> None:
    """Give a claimed row back untouched (we could not even connect: not the message's fault)."""
    with session_scope(engine) as s:
        s.connection().execute(
            update(OutboundMail).where(OutboundMail.id == c.id, OutboundMail.status == "sending",
                                       OutboundMail.claimed_by == worker)
            .values(status="pending", claimed_by=None, claimed_at=None))
