"""Migrations on a database that already holds data, on SQLite and PostgreSQL.

0002 moved the outbox's rendered bytes into their own table (outboundbody) and gave the
campaign its [letter] table: a site upgraded in place must keep every queued message
byte for byte, and the schema it ends with must be the one the models describe.
"""
from __future__ import annotations

import hashlib
import tomllib
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import db.models
from db.engine import (
    _alembic_config,
    current_revision,
    head_revision,
    make_engine,
    migrate,
)

from .conftest import CAMPAIGN_FILE

NOW = datetime(2024, 12, 19, 2, 0, tzinfo=UTC)
# Every byte value, CR/LF pairs, a lone "." line and NULs: what a driver could mangle.
ODD_BYTES = bytes(range(256)) * 64 + b"\r\n.\r\n\x00\x00"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = (f"sqlite:///{tmp_path}/old.db" if request.param == "sqlite"
           else request.getfixturevalue("pg_url"))
    eng = make_engine(url)
    yield eng
    eng.dispose()


def _at_0001(engine) -> dict[str, sa.Table]:
    command.upgrade(_alembic_config(engine), "0001")
    md = sa.MetaData()
    md.reflect(engine)  # the tables as 0001 made them, not as the models say today
    return md.tables


def _campaign(conn, t, code: str, source_path: str, source_sha256: str) -> int:
    return conn.execute(t["campaign"].insert().values(
        code=code, title="Báo cáo", issued=date(2024, 12, 19), deadline=NOW, timezone="Asia/Ho_Chi_Minh",
        reply_to="baocao@example.gov.vn", schedule={}, outline=[], attachments=[], source_path=source_path,
        source_sha256=source_sha256, created_at=NOW, updated_at=NOW)).inserted_primary_key[0]


def _outbox_row(conn, t, cid: int, aid: int, seq: int, raw: bytes, status: str) -> int:
    return conn.execute(t["outboundmail"].insert().values(
        dedupe_key=f"X|A|dispatch|{seq}", campaign_id=cid, agency_id=aid, kind="dispatch", seq=seq,
        message_id=f"<m{seq}@example.gov.vn>", to_addrs=["vanthu@a.example"], cc_addrs=[], subject="s",
        raw=raw, status=status, attempts=0, smtp_response="", last_error="", created_at=NOW,
    )).inserted_primary_key[0]


def _fill_0001(engine, tables, source_sha256: str) -> dict[int, bytes]:
    """A campaign, an agency and three outbox rows (pending, sent, and an empty body)."""
    with engine.begin() as conn:
        cid = _campaign(conn, tables, "X", str(CAMPAIGN_FILE), source_sha256)
        aid = conn.execute(tables["agency"].insert().values(
            code="A", name="Sở A", category="province", domains=[], contact_name="", phone="",
            created_at=NOW, updated_at=NOW)).inserted_primary_key[0]
        conn.execute(tables["enrollment"].insert().values(campaign_id=cid, agency_id=aid, exempt=False,
                                                          exempt_reason="", created_at=NOW))
        bodies = [ODD_BYTES, b"Subject: x\r\n\r\nsent already\r\n", b""]
        return {_outbox_row(conn, tables, cid, aid, i, raw, status): raw
                for i, (raw, status) in enumerate(zip(bodies, ["pending", "sent", "pending"]))}


def _bodies(engine) -> dict[int, bytes]:
    with engine.connect() as conn:
        return {i: bytes(raw) for i, raw in conn.execute(sa.text("SELECT outbound_id, raw FROM outboundbody"))}


def test_upgrading_a_0001_outbox_keeps_every_rows_bytes(engine):
    tables = _at_0001(engine)
    before = _fill_0001(engine, tables, "0" * 64)
    assert migrate(engine) == ("0001", head_revision())
    assert _bodies(engine) == before
    columns = {c["name"] for c in sa.inspect(engine).get_columns("outboundmail")}
    assert "raw" not in columns and {"status", "message_id"} <= columns


def test_the_upgraded_schema_is_the_one_the_models_describe(engine):
    _fill_0001(engine, _at_0001(engine), "0" * 64)
    migrate(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                SQLModel.metadata)
    assert diff == []


def test_an_upgraded_campaign_takes_its_letter_from_its_unchanged_file(engine):
    tables = _at_0001(engine)
    data = CAMPAIGN_FILE.read_bytes()
    _fill_0001(engine, tables, hashlib.sha256(data).hexdigest())
    with engine.begin() as conn:  # a campaign whose file changed since it was loaded
        _campaign(conn, tables, "EDITED", str(CAMPAIGN_FILE), hashlib.sha256(b"older text").hexdigest())
    migrate(engine)
    with engine.connect() as conn:
        c = sa.table("campaign", sa.column("code"), sa.column("letter", db.models.JsonType))
        letters = dict(conn.execute(sa.select(c.c.code, c.c.letter)).all())
    assert letters["X"] == tomllib.loads(data.decode("utf-8"))["letter"]
    assert letters["X"]["body"][0].startswith("Ngày 06/4/2023")
    assert letters["EDITED"] == {}


def test_downgrading_to_0001_gives_the_bytes_back_to_the_outbox_rows(engine):
    tables = _at_0001(engine)
    before = _fill_0001(engine, tables, "0" * 64)
    migrate(engine)
    command.downgrade(_alembic_config(engine), "0001")
    assert current_revision(engine) == "0001"
    with engine.connect() as conn:
        back = {i: bytes(raw) for i, raw in conn.execute(sa.text("SELECT id, raw FROM outboundmail"))}
    assert back == before and not sa.inspect(engine).has_table("outboundbody")
    migrate(engine)
    assert _bodies(engine) == before
