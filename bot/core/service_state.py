"""ServiceState rows (small key/value facts for health and catch-up): the one module that writes them.

Keys:
- `service:started`, `service:stopped`, `service:leader` — the long-running service
  (bot/service/runner.py), and `service:last_tick` — every scheduler pass (bot/service/tick.py);
  each value says when (`at`, the deciding clock's time), and which process (`host`, `pid`).
  `reportbot status` reads them (bot/staff/status.py).
- `digest:<campaign code>` — what the last queued digest showed and the day the daily job
  decided to send none (bot/staff/digest.py).

Writes are upserts (INSERT … ON CONFLICT DO UPDATE) in the caller's transaction, so instances
racing on one key never fail on the primary key.
"""
from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session

from bot.core.workers import HOST
from db.models import ServiceState
from db.types import utcnow

STARTED = "service:started"
STOPPED = "service:stopped"
LEADER = "service:leader"
LAST_TICK = "service:last_tick"

_INSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def digest_key(campaign_code: str) -> str:
    return f"digest:{campaign_code}"


def get_state(session: Session, key: str) -> dict | None:
    row = session.get(ServiceState, key)
    return row.value if row is not None else None


def put_state(session: Session, key: str, value: dict[str, Any], *, merge: bool = False) -> None:
    """Set one row's value (with `merge`, update only the keys given, keep the others)."""
    if merge:
        value = (get_state(session, key) or {}) | value
    insert = _INSERT[session.get_bind().dialect.name]
    stmt = insert(ServiceState.__table__).values(key=key, value=value, updated_at=utcnow())
    stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={"value": stmt.excluded.value,
                                                                     "updated_at": stmt.excluded.updated_at})
    session.connection().execute(stmt)
    cached = session.identity_map.get(identity_key(ServiceState, key))
    if cached is not None:  # the session's copy is stale now: the next read loads the new value
        session.expire(cached)


def put_service_fact(session: Session, key: str, at: datetime, value: dict[str, Any]) -> None:
    """A fact about this process (start, stop, leadership, a tick): when, on which host, which pid."""
    put_state(session, key, {"at": at.isoformat(), **value, "host": HOST, "pid": os.getpid()})
