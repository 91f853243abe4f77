"""Who runs the scheduler: one instance at a time.

- PostgreSQL: several `reportbot run` processes may share a database (each watches the
  inbox; intake and the outbox are safe to share). Only the holder of a session-level
  advisory lock (`pg_try_advisory_lock`, on a connection kept for that purpose) runs
  scheduler ticks. If the holder dies, its connection closes, the lock goes, and the
  next instance to try takes over at its next tick.
- SQLite: one `run` per database file, enforced by an exclusive `flock` on a lock file
  beside the database (released by the kernel when the process dies, even by SIGKILL).
  A second `run` stops at once with "another reportbot run is using <db>".

Both expose `acquire() -> bool` (try; true while this instance leads) and `release()`.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from bot.core.errors import UserError

log = logging.getLogger(__name__)

# A stable signed 64-bit key: advisory locks live in one space per database.
SCHEDULER_KEY = int.from_bytes(hashlib.sha256(b"reportbot:scheduler").digest()[:8], "big", signed=True)
# Who fetches from the inbox: one instance at a time, so a message is FETCHed and stored once;
# every instance then claims stored messages to process (bot/intake/poll.py).
FETCHER_KEY = int.from_bytes(hashlib.sha256(b"reportbot:inbox-fetcher").digest()[:8], "big", signed=True)


class Leadership(Protocol):
    def acquire(self) -> bool: ...
    def release(self) -> None: ...


class AdvisoryLeader:
    """PostgreSQL session advisory lock held on a dedicated connection."""

    def __init__(self, engine: Engine, key: int = SCHEDULER_KEY, name: str = "scheduler") -> None:
        self.engine, self.key, self.name = engine, key, name
        self._conn: Connection | None = None

    @property
    def held(self) -> bool:
        return self._conn is not None

    def acquire(self) -> bool:
        if self._conn is not None:
            if self._alive():
                return True
            log.warning("lost the %s lock (database connection closed); trying again", self.name)
            self._drop()
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar())
        except DBAPIError:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def _alive(self) -> bool:
        try:
            return bool(self._conn.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
                "AND pid = pg_backend_pid() AND classid::bigint = :hi AND objid::bigint = :lo"),
                {"hi": (self.key >> 32) & 0xFFFFFFFF, "lo": self.key & 0xFFFFFFFF}).scalar())
        except DBAPIError:
            return False

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        try:
            conn.invalidate()  # never back into the pool: the session may still hold the lock
        except Exception:  # noqa: BLE001 - a broken connection is gone either way
            pass

    def release(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            self._conn.close()
            self._conn = None
        except DBAPIError:
            self._drop()


class SingleInstance:
    """SQLite: an exclusive, non-blocking flock on `<database>.run.lock`."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.path = db_path.with_name(db_path.name + ".run.lock")
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise UserError(f"another reportbot run is using {self.db_path}") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def fetcher_turn(engine: Engine):
    """`Intake.may_fetch` for this engine: the fetcher lock on PostgreSQL; None (always) on SQLite,
    where one `run` owns the database file."""
    if engine.url.get_backend_name() != "postgresql":
        return None
    return AdvisoryLeader(engine, FETCHER_KEY, "inbox fetcher").acquire


def leadership_for(engine: Engine) -> Leadership:
    backend = engine.url.get_backend_name()
    if backend == "postgresql":
        return AdvisoryLeader(engine)
    if backend == "sqlite":
        db = engine.url.database
        if not db or db == ":memory:":
            raise UserError("database.url: `reportbot run` needs a database file, not an in-memory one")
        return SingleInstance(Path(db).resolve())
    raise UserError(f"database.url: unsupported backend {backend!r}")
