"""The mailer: sends the outbox's pre-serialised bytes over SMTP (aiosmtplib).

- `concurrency` asyncio tasks, each holding one SMTP connection that it reuses
  from message to message; a token bucket spaces messages to `rate_per_minute`
  across all connections (burst 1: providers count per minute, and a steady
  flow never trips them).
- Each task claims a few due rows at a time (bot/outbound/outbox_claims.py: a
  conditional UPDATE, so no two senders — tasks or processes — send the same
  row), and for each one waits for a token, sends the stored bytes unchanged
  (bot/outbound/smtp_send.py: MAIL, RCPT, DATA, the SIZE taken from the bytes), and
  records the outcome. Outcomes waiting at the same moment are committed
  together (group commit); a task moves on only once its outcome is
  committed, so at most one message per connection is ever "accepted by the
  server but not yet recorded".
- Outcomes: 2xx → `sent`. 4xx, a dropped connection or any unexpected error →
  back to `pending` with exponential backoff and jitter (the item is pushed
  back, never retried in a tight loop; a pass only sends rows due at its
  start clock), `failed` after `max_attempts`. 5xx → `failed` at once, and
  the refused recipients' contacts become `failed` (nothing more goes to
  them); a 5xx to MAIL FROM blames our sender, not the contacts. A 421 (or
  any dropped connection) closes the connection; the next message reconnects.
  Taken for some recipients and refused for now (4xx) for others → `sent_at`
  is set and the row is pending again for those recipients alone (`retry_rcpts`,
  same bytes and Message-ID), with the same backoff; it never becomes `failed`.
- When no connection can be opened at all (server down, login refused) the
  pass stops with `SendSummary.fatal` set and the rows stay `pending`.

Restart safety: a row is written before sending; a crash after the server's
250 and before our update leaves it in `sending`, and the next run resends it
with the same Message-ID (see bot/outbound/outbox_claims.py). That in-flight message is
the one duplicate a receiver can see, and it collapses by Message-ID.

Clocks: `clock` (injected; `reportbot tick --now` fixes it) dates claims,
outcomes, backoff and events; the token bucket runs on the event loop's
monotonic clock because it paces real sockets.

The database is touched from one worker thread (SQLite then never contends
with itself).
"""
from __future__ import annotations

import asyncio
import logging
import random
import ssl
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial

import aiosmtplib
from aiosmtplib import (
    SMTPAuthenticationError,
    SMTPException,
    SMTPRecipientsRefused,
    SMTPResponseException,
    SMTPSenderRefused,
)
from sqlalchemy import Engine

from bot.core.backoff import RETRY, Backoff
from bot.core.config import SmtpConfig
from bot.core.workers import worker_name
from bot.outbound.outbox_claims import (
    Cancelled,
    Claimed,
    Filter,
    Result,
    claim_batch,
    reclaim_stale,
    record_results,
    release,
)
from bot.outbound.smtp_send import send_raw
from db.types import utcnow

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)


@dataclass
class SendSummary:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    cancelled: int = 0
    reclaimed: int = 0
    lost: int = 0          # our claim was taken over meanwhile (lease expired mid-send)
    copied: int = 0        # copies appended to the IMAP Sent folder
    fatal: str | None = None
    sent_ids: list[int] = field(default_factory=list)

    def line(self) -> str:
        parts = [f"{self.sent} sent", f"{self.deferred} deferred", f"{self.failed} failed",
                 f"{self.cancelled} cancelled"]
        if self.reclaimed:
            parts.append(f"{self.reclaimed} reclaimed from a crashed run")
        if self.copied:
            parts.append(f"{self.copied} copied to Sent")
        return ", ".join(parts)


class TokenBucket:
    """`rate_per_minute` tokens a minute, at most `burst` saved up; FIFO among waiters."""

    def __init__(self, rate_per_minute: float, burst: int = 1) -> None:
        self.interval = 60.0 / rate_per_minute
        self.burst = burst
        self._tokens = float(burst)
        self._last: float | None = None
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        async with self._lock:
            while True:
                now = loop.time()
                if self._last is not None:
                    self._tokens = min(self.burst, self._tokens + (now - self._last) / self.interval)
                self._last = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) * self.interval)


@dataclass(frozen=True)
class SendOutcome:
    status: str                     # sent | retry | failed
    detail: str = ""                # server reply or error
    failed_rcpts: dict[str, str] = field(default_factory=dict)  # address → 5xx reply
    close: bool = False             # the connection is unusable
    retry_rcpts: dict[str, str] = field(default_factory=dict)   # sent, but these got a 4xx: address → reply


class FatalSmtp(Exception):
    """No connection could be opened (unreachable, TLS or login refused)."""


def _reply(code: int, message: str) -> str:
    return f"{code} {message}".strip()


def classify(exc: BaseException, rcpts: Sequence[str]) -> SendOutcome:
    """What an SMTP exception means for the message (pure)."""
    if isinstance(exc, SMTPRecipientsRefused):
        replies = {r.recipient: _reply(r.code, r.message) for r in exc.recipients}
        perm = {a: r for a, r in replies.items() if r.startswith("5")}
        text = "; ".join(f"{a}: {r}" for a, r in replies.items())
        return SendOutcome("failed" if len(perm) == len(replies) else "retry", text, perm)
    if isinstance(exc, SMTPResponseException):
        reply = _reply(exc.code, exc.message)
        close = exc.code == 421
        if 500 <= exc.code < 600:
            blamed = {} if isinstance(exc, SMTPSenderRefused) else dict.fromkeys(rcpts, reply)
            return SendOutcome("failed", reply, blamed, close)
        return SendOutcome("retry", reply, close=close)
    if isinstance(exc, (SMTPException, OSError, asyncio.TimeoutError)):
        return SendOutcome("retry", f"connection: {type(exc).__name__}: {exc}", close=True)
    return SendOutcome("retry", f"unexpected {type(exc).__name__}: {exc}", close=True)


class Mailer:
    def __init__(self, engine: Engine, smtp: SmtpConfig, *, clock: Callable[[], datetime] = utcnow,
                 ssl_context: ssl.SSLContext | None = None, lease: timedelta = LEASE,
                 backoff: Backoff = RETRY, on_item: Callable[[str], None] | None = None,
                 actor: str = "mailer") -> None:
        self.engine, self.smtp, self.clock = engine, smtp, clock
        self.ssl_context, self.lease, self.backoff = ssl_context, lease, backoff
        self.on_item, self.actor = on_item, actor
        self.mail_from = smtp.from_address.addr_spec
        self.worker = worker_name(f"{random.getrandbits(24):06x}")
        self._password = smtp.password() if smtp.username else ""
        # Rows a connection claims at once: about 10 s of its share of the rate, 1 to 16.
        self.batch = max(1, min(16, smtp.rate_per_minute // (6 * smtp.concurrency)))
        self.summary = SendSummary()
        self._open: set[int] = set()  # ids of the connections currently up
        self._stop = asyncio.Event()

    def request_stop(self) -> None:
        """Finish the message in hand on each connection, give the other claimed rows back, end
        the pass (e.g. on SIGTERM). Safe to call from the mailer's event loop."""
        self._stop.set()

    # -- the pass --------------------------------------------------------------------------
    async def run(self, f: Filter | None = None) -> SendSummary:
        self._filter = f or Filter()
        self._bucket = TokenBucket(self.smtp.rate_per_minute)
        self._results: asyncio.Queue = asyncio.Queue()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="outbox-db")
        try:
            self.summary.reclaimed = await self._db(reclaim_stale, self.engine, self.clock(), self.lease,
                                                    actor=self.actor)
            recorder = asyncio.create_task(self._recorder())
            try:  # let every worker finish (and give back its claims) before reporting a failure
                ended = await asyncio.gather(*(self._worker() for _ in range(self.smtp.concurrency)),
                                             return_exceptions=True)
            finally:
                recorder.cancel()
            for e in ended:
                if isinstance(e, BaseException):
                    raise e
        finally:
            self._pool.shutdown(wait=True)
        return self.summary

    async def _db(self, fn, *args, **kw):
        return await asyncio.get_running_loop().run_in_executor(self._pool, partial(fn, *args, **kw))

    async def _worker(self) -> None:
        conn: aiosmtplib.SMTP | None = None
        queue: deque[Claimed | Cancelled] = deque()
        try:
            while not self._stop.is_set():
                if not queue:
                    queue.extend(await self._db(claim_batch, self.engine, self.worker, self.clock(),
                                                self._filter, self.batch, actor=self.actor))
                    if not queue:
                        return
                item = queue.popleft()
                if isinstance(item, Cancelled):
                    self._count("cancelled")
                    continue
                if conn is None:
                    conn = await self._open_or_stop()
                    if conn is None:
                        queue.appendleft(item)
                        return
                await self._bucket.acquire()
                if self._stop.is_set():  # asked to stop while waiting for the token
                    queue.appendleft(item)
                    return
                outcome = await self._deliver(conn, item)
                if outcome.close:
                    await self._close(conn)
                    conn = None
                await self._record(item, outcome)
        finally:
            if conn is not None:
                await self._close(conn, polite=True)
            unsent = [c for c in queue if isinstance(c, Claimed)]
            await self._db(release, self.engine, unsent, self.worker)
            self.summary.cancelled += sum(isinstance(c, Cancelled) for c in queue)

    async def _open_or_stop(self) -> aiosmtplib.SMTP | None:
        try:
            return await self._connect()
        except FatalSmtp as e:
            if not self._open:  # nobody else got through either: stop the pass
                self.summary.fatal = self.summary.fatal or str(e)
                self._stop.set()
            else:
                log.warning("%s (other connections continue)", e)
            return None

    # -- SMTP --------------------------------------------------------------------------------
    async def _connect(self) -> aiosmtplib.SMTP:
        cfg = self.smtp
        conn = aiosmtplib.SMTP(hostname=cfg.host, port=cfg.port, timeout=cfg.timeout_seconds,
                               use_tls=cfg.security == "tls", start_tls=cfg.security == "starttls",
                               tls_context=self.ssl_context)
        where = f"{cfg.host}:{cfg.port}"
        try:
            await conn.connect()
            if cfg.username:
                await conn.login(cfg.username, self._password)
        except SMTPAuthenticationError as e:
            await self._close(conn)
            raise FatalSmtp(f"SMTP server {where} refused the login of {cfg.username!r}: "
                            f"{_reply(e.code, e.message)}") from None
        except (TimeoutError, SMTPException, OSError, ssl.SSLError) as e:
            await self._close(conn)
            raise FatalSmtp(f"cannot connect to SMTP server {where} ({cfg.security}): "
                            f"{type(e).__name__}: {e}") from None
        self._open.add(id(conn))
        return conn

    async def _close(self, conn: aiosmtplib.SMTP, polite: bool = False) -> None:
        self._open.discard(id(conn))
        try:
            if polite and conn.is_connected:
                await conn.quit()
            else:
                conn.close()
        except Exception:  # noqa: BLE001 — closing a broken connection may fail; it is gone anyway
            conn.close()

    async def _deliver(self, conn: aiosmtplib.SMTP, c: Claimed) -> SendOutcome:
        try:
            refused, response = await send_raw(conn, self.mail_from, c.rcpts, c.raw)
        except Exception as e:
            if not isinstance(e, (SMTPException, OSError, asyncio.TimeoutError)):
                log.exception("sending %s failed unexpectedly", c.key)
            outcome = classify(e, c.rcpts)
            return outcome if conn.is_connected else replace(outcome, close=True)
        perm = {a: _reply(r.code, r.message) for a, r in refused.items() if r.code >= 500}
        temp = {a: _reply(r.code, r.message) for a, r in refused.items() if r.code < 500}
        return SendOutcome("sent", response, perm, retry_rcpts=temp)

    # -- recording: one transaction for every outcome waiting (group commit) -----------------
    async def _record(self, c: Claimed, o: SendOutcome) -> None:
        again = o.status == "retry" or o.retry_rcpts
        next_at = self.clock() + self.backoff.delay(c.attempts + 1) if again else None
        done = asyncio.get_running_loop().create_future()
        await self._results.put((Result(c, o.status, o.detail, o.failed_rcpts, next_at, o.retry_rcpts), done))
        status = await done  # the worker goes on only once its outcome is committed
        if status in ("sent", "partial") and c.sent_at is None:
            self.summary.sent_ids.append(c.id)  # copied to the Sent folder once, at its first delivery
        self._count("sent" if status == "partial" else status)

    async def _recorder(self) -> None:
        while True:
            batch = [await self._results.get()]
            while not self._results.empty():
                batch.append(self._results.get_nowait())
            try:
                statuses = await self._db(record_results, self.engine, self.worker, self.clock(),
                                          [r for r, _ in batch], self.smtp.max_attempts, actor=self.actor)
            except Exception as e:  # noqa: BLE001 — the database failed: each waiting worker raises it
                for _, done in batch:
                    done.set_exception(e)
                continue
            for (_, done), status in zip(batch, statuses):
                done.set_result(status)

    def _count(self, status: str) -> None:
        setattr(self.summary, status, getattr(self.summary, status) + 1)
        if self.on_item is not None:
            self.on_item(status)


def send_outbox(engine: Engine, smtp: SmtpConfig, f: Filter | None = None, **kw) -> SendSummary:
    """One pass over the outbox's due rows (blocking wrapper around Mailer.run)."""
    return asyncio.run(Mailer(engine, smtp, **kw).run(f))
