"""The service's parts on their own: redacting logs, when the digest is due, the scheduler lock,
the intake claim, and the health in `reportbot status`."""
from __future__ import annotations

import contextlib
import io
import json
import logging
import threading
from email.message import EmailMessage

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.cli import main
from bot.core.logs import JsonLines, Redact, Text, redact
from bot.intake.pipeline import BUSY, Intake, process, release_abandoned_claims
from bot.intake.rawstore import store_raw
from bot.service.locks import AdvisoryLeader
from bot.service.tick import digest_day
from db.engine import make_engine
from db.models import InboundMessage, OutboundMail, Submission
from tests.sites import wait_until

from .site import at, report_reply

SCHEDULE = {"digest_at": "07:30"}
TZ = "Asia/Ho_Chi_Minh"


# ---------------------------------------------------------------- logs
def test_log_lines_mask_addresses_but_keep_their_domain():
    assert redact("ack queued to vanthu@byt.example and Lan.Nguyen+bc@sotttt.hanoi.gov.vn") == \
        "ack queued to v***@byt.example and L***@sotttt.hanoi.gov.vn"


def test_log_lines_never_carry_credentials():
    line = redact('login password="s3cret word" token: abc.def AUTH PLAIN AGFsaWNlAHMzY3JldA==')
    assert "s3cret" not in line and "abc.def" not in line and "AGFsaWNl" not in line


def _render(formatter, msg, *args, exc=None) -> str:
    record = logging.LogRecord("bot.x", logging.INFO, __file__, 1, msg, args, exc)
    Redact().filter(record)
    return formatter.format(record)


def test_json_lines_are_json_with_masked_arguments_and_tracebacks():
    try:
        raise ValueError("cannot deliver to thu.truong@bqp.example")
    except ValueError:
        import sys
        exc = sys.exc_info()
    out = json.loads(_render(JsonLines(), "sent to %s", "vanthu@byt.example", exc=exc))
    assert out["msg"] == "sent to v***@byt.example" and out["level"] == "info" and out["logger"] == "bot.x"
    assert "t***@bqp.example" in out["exc"] and "thu.truong" not in out["exc"]
    assert "vanthu@" not in _render(Text(), "sent to %s", "vanthu@byt.example")


# ---------------------------------------------------------------- when the digest is due
@pytest.mark.parametrize("moment, due", [
    (at(23, 12, 7, 29), None),                      # before digest_at
    (at(23, 12, 7, 30), "2024-12-23"),              # Monday 07:30 local
    (at(23, 12, 23, 59), "2024-12-23"),             # later the same day: still that day's (sent once)
    (at(28, 12, 10), None),                         # Saturday
    (at(1, 1, 10), None),                           # New Year's Day
])
def test_the_digest_is_due_on_working_days_from_digest_at(moment, due):
    day = digest_day(SCHEDULE, TZ, moment)
    assert (day.isoformat() if day else None) == due


def test_the_digest_day_is_the_campaigns_local_day():
    # 00:30 UTC on Monday is 07:30 in Hanoi: due, for Monday
    assert digest_day(SCHEDULE, TZ, at(23, 12, 7, 30).astimezone(tz=None)).isoformat() == "2024-12-23"


# ---------------------------------------------------------------- the scheduler lock (PostgreSQL)
def test_one_advisory_lock_holder_at_a_time_and_takeover_when_it_goes(pg_url):
    engine = make_engine(pg_url)
    a, b = AdvisoryLeader(engine), AdvisoryLeader(make_engine(pg_url))
    try:
        assert a.acquire() and a.acquire()          # held, and still held
        assert not b.acquire()
        a.release()
        assert b.acquire()
        with engine.connect() as admin:              # the holder's session dies (server restart, kill)
            here = "database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            [holder] = admin.execute(text(f"SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND {here}")).scalars()
            admin.execute(text("SELECT pg_terminate_backend(:p)"), {"p": holder})
            admin.commit()
            wait_until(lambda: _backend_gone(admin, holder), 10, "waiting for the backend to end")
        assert a.acquire()                           # the lock went with the session
        assert not b.acquire()                       # b notices it lost the lock
    finally:
        a.release()
        b.release()


def _backend_gone(conn, pid: int) -> bool:
    conn.rollback()  # pg_stat_activity is a snapshot per transaction
    return conn.execute(text("SELECT 1 FROM pg_stat_activity WHERE pid = :p"), {"p": pid}).first() is None


# ---------------------------------------------------------------- the intake claim
def _stored_report(site) -> int:
    dispatch = EmailMessage()
    dispatch["Subject"] = "[5422/BTTTT-CBC #BYT] Đề nghị báo cáo"
    dispatch["Message-ID"] = "<dispatch.byt@example.gov.vn>"
    raw = report_reply("BYT", dispatch, at(23, 12, 10))
    with site.session() as s:
        row, _ = store_raw(s, Intake(site.app.config, site.app.engine).mail, raw, received_at=at(23, 12, 10))
        return row.id


def test_two_workers_processing_one_stored_message_record_it_once(site_factory, pg_url):
    site = site_factory("claim", db_url=pg_url)
    inbound_id = _stored_report(site)
    outcomes, start = [], threading.Barrier(2)

    def worker():
        intake = Intake(site.app.config, site.app.engine)
        start.wait()
        outcomes.append(process(intake, inbound_id, at(23, 12, 10, 5)))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(o.state for o in outcomes) in (["processed", "stored"], ["processed", "processed"])
    assert all(o.reason == BUSY for o in outcomes if o.state == "stored")
    with site.session() as s:
        assert len(s.exec(select(Submission)).all()) == 1
        assert len(s.exec(select(OutboundMail).where(OutboundMail.kind == "ack")).all()) == 1
        assert s.get(InboundMessage, inbound_id).state == "processed"


def test_a_claim_left_by_a_dead_worker_is_taken_over_and_a_live_one_is_not(site_factory):
    site = site_factory("stale")
    inbound_id = _stored_report(site)
    intake = Intake(site.app.config, site.app.engine)

    def claim_as(holder: str) -> None:
        with site.session() as s:
            row = s.get(InboundMessage, inbound_id)
            row.state, row.claimed_by, row.claimed_at = "processing", holder, at(23, 12, 10)

    claim_as("other-host:4242:intake")               # alive as far as we can tell, within the lease
    assert process(intake, inbound_id, at(23, 12, 10, 5)).reason == BUSY
    assert release_abandoned_claims(intake, at(23, 12, 10, 5)) == 0
    claim_as(_dead_local_worker())                   # a process of this host that is gone
    assert release_abandoned_claims(intake, at(23, 12, 10, 5)) == 1
    assert process(intake, inbound_id, at(23, 12, 10, 6)).state == "processed"
    claim_state = process(intake, inbound_id, at(23, 12, 11))  # done: left as it is
    assert claim_state.state == "processed"


def _dead_local_worker() -> str:
    import subprocess
    import sys

    from bot.core.workers import HOST

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return f"{HOST}:{child.pid}:intake"


# ---------------------------------------------------------------- health in `reportbot status`
def _cli(site, *args) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*args, "--config", str(site.config_path)])
    return code, out.getvalue()


def test_status_shows_the_service_health_under_the_table(site_factory):
    site = site_factory("health")
    site.tick(at(19, 12, 9))
    code, out = _cli(site, "status", "--now", at(19, 12, 9, 2).isoformat())
    lines = out.splitlines()
    assert code == 0 and lines[-1].startswith("8 agencies:")      # the summary stays last
    service = next(ln for ln in lines if ln.startswith("Service:"))
    assert "never started; last tick 2024-12-19 02:00 UTC (2 min ago)" in service
    assert any(ln.startswith("Outbox: 0 waiting to be sent, 1 failed") for ln in lines)  # HNI's 550

    code, out = _cli(site, "status", "--format", "json")
    assert code == 0 and isinstance(json.loads(out), list)        # the contract: an array of agencies
    code, out = _cli(site, "status", "--format", "json", "--health", "--now", at(19, 12, 9, 2).isoformat())
    health = json.loads(out)
    assert health["last_tick_age_s"] == 120.0 and health["outbox_failed"] == 1 and health["outbox_backlog"] == 0
    assert main(["status", "--format", "csv", "--health", "--config", str(site.config_path)]) == 2


# ---------------------------------------------------------------- the watcher's restarts
def test_the_watcher_restart_delay_starts_afresh_after_it_worked_again(site_factory, monkeypatch):
    """Regression: the restart delay doubled on every failure of the service's life and never came
    down, so one bad night left intake waiting minutes after each later, unrelated hiccup."""
    import bot.service.runner as service_module
    from bot.intake.poll import PassSummary

    site = site_factory("restarts")
    service = service_module.Service(site.app, tick_seconds=60)
    # each run of the watcher: how many passes it completes before the database fails under it
    script = iter([0, 0, 0, 3, 0, 0])
    waits: list[float] = []

    def flaky_watch(intake, should_stop, clock, on_pass):
        passes = next(script, None)
        if passes is None:
            service.stop()
            return
        for _ in range(passes):
            on_pass(PassSummary())
        raise RuntimeError("database is locked")

    monkeypatch.setattr(service_module, "watch", flaky_watch)
    monkeypatch.setattr(service_module, "sleep_unless", lambda seconds, should_stop: waits.append(seconds))
    service._watch()
    # bounds of each wait: attempt n waits between half and all of 2·2^(n-1) s
    attempts = [1, 2, 3, 1, 2, 3]
    assert [(2 ** n) / 2 <= w <= 2 ** n for n, w in zip(attempts, waits)] == [True] * 6, waits
