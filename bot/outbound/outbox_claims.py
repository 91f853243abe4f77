"""The outbox rows' life while being sent: claim, reclaim, and record what the SMTP server said.

Every function is one short transaction on the engine (the mailer calls them
from its database thread), and every state change is logged as an event in the
same transaction.

Claiming is a conditional UPDATE: `UPDATE outboundmail SET status='sending',
claimed_by=?, claimed_at=? WHERE id IN (the N oldest due rows) AND
status='pending' RETURNING id` — a row goes to at most one sender, across
tasks and processes, on SQLite and PostgreSQL (where the inner SELECT also
skips rows another transaction holds: FOR UPDATE SKIP LOCKED). The UPDATE is
the transaction's first statement, so SQLite takes its write lock without a
stale read snapshot. A connection claims a few rows at once (about ten
seconds' worth at the configured rate) to spare the database a transaction per
message.

Crash recovery — README-worthy: a row left in `sending` by a crashed sender is
put back to `pending` when its claim is older than the lease (10 minutes), or
at once when its claimer ran on this host and that process is gone
(claimed_by = "host:pid:tag"). It is then resent with the SAME bytes and
Message-ID. Rows that were claimed but not yet handed to the server are simply
sent later; the one message per connection that was in flight may have been
accepted by the server just before the crash (its 250 never recorded), and is
then delivered twice with one Message-ID, which mail clients and threads
collapse. The same holds when the connection breaks after the final dot of
DATA and before the server's reply arrives: the server may have taken the
mail, we cannot know, and the row is retried. These unconfirmed acceptances
are the only duplicates the outbox allows.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_, update
from sqlmodel import Session, col, func, select

from bot.core.workers import claimer_gone
from bot.outbound.outbox import dead_addresses, read_bodies
from db.engine import session_scope
from db.events import log_event
from db.models import Contact, Enrollment, OutboundMail, Submission
from db.vocabulary import REMINDER_KINDS, ContactState, OutboxStatus


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    kind: str
    campaign_id: int | None
    agency_id: int | None
    message_id: str
    raw: bytes
    rcpts: tuple[str, ...]  # the envelope: To + Cc (or the retry recipients) minus dead contacts
    attempts: int           # before this one
    sent_at: datetime | None = None  # set: delivered to others before; this is a retry for `rcpts`

    @property
    def dedupe_key(self) -> str:
        return self.key


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
        # "+ 0" keeps SQLite on the (status, next_attempt_at) index, which holds the due rows
        # only, rather than on campaign_id's, which holds every row the campaign ever queued.
        out.append(OutboundMail.campaign_id + 0 == f.campaign_id)
    if f.kinds:
        out.append(col(OutboundMail.kind).in_(f.kinds))
    return out


def _due_clause(now: datetime):
    return and_(OutboundMail.status == OutboxStatus.PENDING,
                or_(col(OutboundMail.next_attempt_at).is_(None), OutboundMail.next_attempt_at <= now))


def count_due(engine: Engine, now: datetime, f: Filter = Filter()) -> int:
    with session_scope(engine) as s:
        return s.exec(select(func.count()).select_from(OutboundMail)
                      .where(_due_clause(now), *_where(f))).one()


# ---------------------------------------------------------------- reclaiming
def reclaim_stale(engine: Engine, now: datetime, lease: timedelta, *, actor: str = "mailer") -> int:
    """Put rows abandoned in `sending` back to `pending` (see the module docstring)."""
    reclaimed = 0
    with session_scope(engine) as s:
        rows = s.exec(select(OutboundMail.id, OutboundMail.claimed_by, OutboundMail.claimed_at,
                             OutboundMail.campaign_id, OutboundMail.agency_id, OutboundMail.message_id)
                      .where(OutboundMail.status == OutboxStatus.SENDING)).all()
        for rid, by, at, cid, aid, mid in rows:
            expired = at is None or at < now - lease
            if not (expired or claimer_gone(by)):
                continue
            res = s.connection().execute(
                update(OutboundMail).where(OutboundMail.id == rid, OutboundMail.status == OutboxStatus.SENDING,
                                           OutboundMail.claimed_by == by)
                .values(status=OutboxStatus.PENDING, claimed_by=None, claimed_at=None))
            if res.rowcount == 1:
                reclaimed += 1
                log_event(s, "outbox.reclaimed", campaign_id=cid, agency_id=aid, actor=actor, at=now,
                          detail={"message_id": mid, "claimed_by": by, "lease_expired": expired})
    return reclaimed


# ---------------------------------------------------------------- claiming
def claim_batch(engine: Engine, worker: str, now: datetime, f: Filter = Filter(), limit: int = 1,
                *, actor: str = "mailer") -> list[Claimed | Cancelled]:
    """Claim up to `limit` of the oldest due rows; [] when nothing is due. A row that must not go
    out any more (its agency reported, or every recipient failed) comes back as Cancelled."""
    for _ in range(20):  # lost races against another sender: try the next rows
        with session_scope(engine) as s:
            due = (select(OutboundMail.id).where(_due_clause(now), *_where(f))
                   .order_by(OutboundMail.id).limit(limit).with_for_update(skip_locked=True))
            rows = s.connection().execute(
                update(OutboundMail).where(col(OutboundMail.id).in_(due), OutboundMail.status == OutboxStatus.PENDING)
                .values(status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now)
                .returning(*_CLAIM_COLUMNS)).all()  # what sending needs, without reading the rows again
            if rows:
                return _checked(s, sorted(rows, key=lambda r: r.id), now, actor)
        if count_due(engine, now, f) == 0:
            return []
    return []


_CLAIM_COLUMNS = (OutboundMail.id, OutboundMail.dedupe_key, OutboundMail.kind, OutboundMail.campaign_id,
                  OutboundMail.agency_id, OutboundMail.message_id, OutboundMail.to_addrs, OutboundMail.cc_addrs,
                  OutboundMail.retry_rcpts, OutboundMail.attempts, OutboundMail.sent_at)


def _checked(s: Session, rows: Sequence, now: datetime, actor: str) -> list[Claimed | Cancelled]:
    agencies = {r.agency_id for r in rows if r.agency_id is not None}
    reported = set(s.exec(select(Submission.campaign_id, Submission.agency_id).distinct().where(
        col(Submission.agency_id).in_(agencies))).all())
    exempt = set(s.exec(select(Enrollment.campaign_id, Enrollment.agency_id).where(
        col(Enrollment.agency_id).in_(agencies), Enrollment.exempt == True)).all())  # noqa: E712
    envelope = {r.id: r.retry_rcpts or [*r.to_addrs, *r.cc_addrs] for r in rows}
    dead = dead_addresses(s, [a for addrs in envelope.values() for a in addrs])
    keep: list[tuple[Any, tuple[str, ...]]] = []
    out: list[Claimed | Cancelled] = []
    for row in rows:
        rcpts = tuple(dict.fromkeys(a for a in envelope[row.id] if a.lower() not in dead))
        reason = None
        if row.kind in REMINDER_KINDS and (row.campaign_id, row.agency_id) in reported:
            reason = "the agency has reported"
        elif row.kind in REMINDER_KINDS and (row.campaign_id, row.agency_id) in exempt:
            reason = "the agency is exempt"
        elif not rcpts:
            reason = "no active recipient left"
        if reason is None:
            keep.append((row, rcpts))
            continue
        if row.sent_at is not None:  # delivered to the others already: it stays a sent mail
            s.connection().execute(update(OutboundMail).where(OutboundMail.id == row.id).values(
                status=OutboxStatus.SENT, retry_rcpts=None, claimed_by=None,
                last_error=f"not retried for {', '.join(envelope[row.id])}: {reason}"[:1000]))
        else:
            s.connection().execute(update(OutboundMail).where(OutboundMail.id == row.id).values(
                status=OutboxStatus.CANCELLED, last_error=reason, claimed_by=None))
        _ev(s, "outbox.cancelled", row, actor, now, reason=reason, partly_sent=row.sent_at is not None)
        out.append(Cancelled(row.id, row.dedupe_key, reason))
    bodies = read_bodies(s, [row.id for row, _ in keep])  # only for the rows that will go out
    out += [Claimed(row.id, row.dedupe_key, row.kind, row.campaign_id, row.agency_id, row.message_id,
                    bodies[row.id], rcpts, row.attempts, row.sent_at) for row, rcpts in keep]
    return out


# ---------------------------------------------------------------- recording results
@dataclass(frozen=True)
class Result:
    """What happened to one claimed row. status: sent | retry | failed."""

    claimed: Claimed
    status: str
    detail: str = ""                                   # the server's reply, or the error
    failed_rcpts: dict[str, str] = field(default_factory=dict)  # address → 5xx reply
    next_at: datetime | None = None                    # for a retry
    retry_rcpts: dict[str, str] = field(default_factory=dict)   # sent, but these got a 4xx: address → reply


def _ev(s: Session, kind: str, row, actor: str, now: datetime, **detail) -> None:
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
                                           Contact.state != ContactState.FAILED)):
        ct.state, ct.state_reason, ct.state_changed_at = ContactState.FAILED, reason[:500], now
        n += 1
        log_event(s, "contact.failed", campaign_id=campaign_id, agency_id=ct.agency_id, actor=actor, at=now,
                  detail={"email": ct.email, "role": ct.role, "reason": reason[:500]})
    return n


def _final(r: Result, max_attempts: int) -> tuple[str, dict]:
    """(new status, column values) for one result: sent | partial | deferred | failed.

    partial: the server took the mail for some recipients and refused others for now (4xx);
    the row goes back to pending for those alone. A row delivered before is never `failed`:
    when its retries run out it stays sent, with the recipients it never reached noted."""
    c = r.claimed
    attempts = c.attempts + 1
    refused = "; ".join(f"{a}: {x}" for a, x in {**r.failed_rcpts, **r.retry_rcpts}.items())
    if r.status == "sent" and r.retry_rcpts and attempts < max_attempts:
        return "partial", {"status": OutboxStatus.PENDING, "attempts": attempts, "next_attempt_at": r.next_at,
                           "retry_rcpts": list(r.retry_rcpts), "smtp_response": r.detail[:1000],
                           "last_error": refused[:1000], "claimed_by": None, "claimed_at": None}
    if r.status == "sent":
        note = f"retries exhausted; not delivered to {refused}" if r.retry_rcpts else refused
        return "sent", {"status": OutboxStatus.SENT, "attempts": attempts, "smtp_response": r.detail[:1000],
                        "last_error": note[:1000], "retry_rcpts": None}
    if r.status == "retry" and attempts < max_attempts:
        return "deferred", {"status": OutboxStatus.PENDING, "attempts": attempts, "next_attempt_at": r.next_at,
                            "last_error": r.detail[:1000], "claimed_by": None, "claimed_at": None}
    if c.sent_at is not None:
        return "sent", {"status": OutboxStatus.SENT, "attempts": attempts, "retry_rcpts": None,
                        "last_error": f"not delivered to {', '.join(c.rcpts)}: {r.detail}"[:1000]}
    return "failed", {"status": OutboxStatus.FAILED, "attempts": attempts, "last_error": r.detail[:1000]}


def record_results(engine: Engine, worker: str, now: datetime, results: Sequence[Result], max_attempts: int,
           *, actor: str = "mailer") -> list[str]:
    """Record several outcomes in one transaction; per result: sent | deferred | failed | lost
    (lost: our claim was taken over meanwhile, e.g. after the lease ran out mid-send)."""
    out = []
    with session_scope(engine) as s:
        for r in results:
            c = r.claimed
            status, values = _final(r, max_attempts)
            if status in ("sent", "partial"):
                values["sent_at"] = c.sent_at or now  # the first delivery
            done = s.connection().execute(
                update(OutboundMail).where(OutboundMail.id == c.id, OutboundMail.status == OutboxStatus.SENDING,
                                           OutboundMail.claimed_by == worker).values(**values)).rowcount
            if done != 1:
                out.append("lost")
                continue
            detail = {"attempts": values["attempts"], "rcpts": list(c.rcpts)}
            if status == "sent":
                _ev(s, "outbox.sent", c, actor, now, response=r.detail[:200], refused=r.failed_rcpts or None,
                    given_up=r.retry_rcpts or None, **detail)
            elif status == "partial":
                _ev(s, "outbox.partial", c, actor, now, response=r.detail[:200], retry=r.retry_rcpts,
                    refused=r.failed_rcpts or None, next_attempt_at=r.next_at.isoformat(), **detail)
            elif status == "deferred":
                _ev(s, "outbox.deferred", c, actor, now, error=r.detail[:500],
                    next_attempt_at=r.next_at.isoformat(), **detail)
            else:
                _ev(s, "outbox.failed", c, actor, now, error=r.detail[:500],
                    permanent=r.status == "failed", **detail)
            for addr, reply in r.failed_rcpts.items():
                mark_contacts_failed(s, [addr], reply, now, campaign_id=c.campaign_id, actor=actor)
            out.append(status)
    return out


def release(engine: Engine, items: Sequence[Claimed], worker: str) -> None:
    """Give claimed rows back untouched (never tried: we could not connect, or the pass stopped)."""
    if not items:
        return
    with session_scope(engine) as s:
        s.connection().execute(
            update(OutboundMail).where(col(OutboundMail.id).in_([c.id for c in items]),
                                       OutboundMail.status == OutboxStatus.SENDING, OutboundMail.claimed_by == worker)
            .values(status=OutboxStatus.PENDING, claimed_by=None, claimed_at=None))
