"""ServiceState is written in one place (bot/core/service_state.py): an upsert that the
service, the tick and the digest share, on SQLite and on PostgreSQL."""
from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.core.service_state import LAST_TICK, digest_key, get_state, put_service_fact, put_state
from bot.core.workers import HOST
from db.engine import make_engine, migrate, session_scope
from db.models import ServiceState


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = f"sqlite:///{tmp_path}/state.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()


def test_a_key_written_twice_is_one_row_holding_the_last_value(engine):
    with session_scope(engine) as s:
        put_state(s, digest_key("5422/BTTTT-CBC"), {"at": "a", "message_id": "<1@x>"})
    with session_scope(engine) as s:
        put_state(s, digest_key("5422/BTTTT-CBC"), {"at": "b"})
    with session_scope(engine) as s:
        rows = s.exec(select(ServiceState)).all()
        assert [(r.key, r.value) for r in rows] == [("digest:5422/BTTTT-CBC", {"at": "b"})]


def test_a_merge_keeps_the_keys_it_does_not_name_and_a_read_in_the_same_session_sees_it(engine):
    key = digest_key("5422/BTTTT-CBC")
    with session_scope(engine) as s:
        put_state(s, key, {"at": "a", "message_id": "<1@x>"})
    with session_scope(engine) as s:
        row = s.get(ServiceState, key)  # loaded and held: in the session's identity map
        put_state(s, key, {"skipped_day": "2024-12-26"}, merge=True)
        assert get_state(s, key) == {"at": "a", "message_id": "<1@x>", "skipped_day": "2024-12-26"}
        assert row.value == get_state(s, key)


def test_a_service_fact_says_when_and_which_process(engine):
    at = datetime(2024, 12, 26, 3, 0, tzinfo=UTC)
    with session_scope(engine) as s:
        put_service_fact(s, LAST_TICK, at, {"sent": 3})
    with session_scope(engine) as s:
        assert get_state(s, LAST_TICK) == {"at": at.isoformat(), "sent": 3, "host": HOST, "pid": os.getpid()}
