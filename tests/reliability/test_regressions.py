"""Regressions found by the reliability suite, each named after what broke."""
from __future__ import annotations

import os
import tracemalloc
from datetime import timedelta

import pytest
from sqlmodel import func, select

from bot.intake import pipeline
from bot.intake.headers import parse_message, part_bytes, walk_parts
from bot.intake.pipeline import Intake
from bot.intake.poll import StoreFull, poll_once
from db.models import Attachment, InboundMessage
from tests.sites import ServiceRun, settled, wait_until

from .harness import START, SinkIndex, Timeline
from .hostile import MB, _with, bad_boundary
from .invariants import check
from .test_full_disk import fill, tmpfs
from .world import report_mail


def test_imap_login_unavailable_stopped_the_service(make_site):
    """Regression: a LOGIN answered `NO [UNAVAILABLE]` (RFC 5530: temporary, the server's auth
    backend is down) stopped `reportbot run` with exit 2 as if the password were wrong; it
    is now retried with the watcher's backoff and the service keeps running."""
    site = make_site("login-unavailable", agencies=3)
    timeline = Timeline(START - timedelta(days=1), 1.0)
    run = ServiceRun(site, timeline.now())
    wait_until(lambda: run.logged("reportbot run started"), 60, "starting", run)
    wait_until(lambda: site.imap_proxy.connections >= 1, 30, "connecting", run)
    site.imap_proxy.reply_instead("LOGIN", "{tag} NO [UNAVAILABLE] Injected: authentication backend down", times=2)
    site.imap_proxy.drop_all()
    r = report_mail(site.agencies[0], timeline.now(), thread=None)
    site.append(r.raw, timeline.now())
    wait_until(lambda: site.imap_proxy.faults["replied instead"] == 2, 60, "refusing the login twice", run)
    wait_until(lambda: settled(site), 60, "recovering", run)
    assert run.stop() == 0
    assert check(site, [r], SinkIndex(site.smtp)).problems == []
    assert run.logged("temporarily refused")


def test_a_full_store_used_up_the_message_attempts_and_quarantined_it(make_site, tmp_path):
    """Regression: when the raw mail fit in the store but its attachments did not, each pass
    counted a failed attempt; after three the message was marked `failed` and moved to the
    quarantine folder — lost to intake although only the disk was at fault. Now the pass ends
    with StoreFull, no attempt is counted, and the message stays in the inbox."""
    with tmpfs(tmp_path / "full" / "var", 6) as store:
        site = make_site("full", agencies=2, db_url=f"sqlite:///{tmp_path / 'full-db' / 'reportbot.db'}")
        r = report_mail(site.agencies[0], START, thread=None, annex=os.urandom(1_000_000), kind="large")
        site.append(r.raw, START)
        filler = fill(store, leave=len(r.raw) + 300_000)
        intake = Intake(site.app.config, site.app.engine)
        for _ in range(4):
            with pytest.raises(StoreFull, match="No space left on device"):
                poll_once(intake, clock=lambda: START)
        with site.session() as s:
            row = s.exec(select(InboundMessage)).one()
        assert (row.state, row.attempts) == ("stored", 0)
        assert site.folder_counts() == {"INBOX": 1, "reportbot/processed": 0, "reportbot/quarantine": 0}
        filler.unlink()
        assert poll_once(intake, clock=lambda: START).count("processed") == 1


def _big_mail(megabytes: int) -> bytes:
    return _with("CQ0001", os.urandom(megabytes * MB), "phu-luc.bin")


def test_parsing_a_large_message_took_nine_times_its_size_in_memory():
    """Regression: parse_message handed the whole message to parsebytes(), which decodes it and
    splits all of it into lines at once (~9x its size: a 50 MB attachment took the service past
    900 MB); transfer-decoding a base64 part split it into lines again (~4x). Now the parser
    is fed in slices and base64 is decoded in one step."""
    raw = _big_mail(8)
    tracemalloc.start()
    try:
        msg = parse_message(raw)
        parse_peak = tracemalloc.get_traced_memory()[1]
        [part] = [p for p, _, _ in walk_parts(msg) if p.get_filename() == "phu-luc.bin"]
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        data = part_bytes(part)
        decode_peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert len(data) == 8 * 1024 * 1024 and data == part.get_payload(decode=True)
    assert parse_peak < 4.5 * len(raw), parse_peak / len(raw)
    assert decode_peak < 2.5 * len(data), decode_peak / len(data)


def test_a_message_too_large_to_parse_within_memory_was_parsed_anyway(make_site, monkeypatch):
    """Regression: nothing bounded the size of a message the pipeline parsed (the parser needs
    ~4x it in memory). A message over MAX_MESSAGE_BYTES is now kept and quarantined, unread,
    with its reason and its agency (matched from the headers alone)."""
    monkeypatch.setattr(pipeline, "MAX_MESSAGE_BYTES", 200_000)
    site = make_site("too-large", agencies=2)
    site.append(report_mail(site.agencies[0], START, thread=None, annex=b"x" * 300_000, kind="large").raw, START)
    poll_once(Intake(site.app.config, site.app.engine), clock=lambda: START)
    with site.session() as s:
        row = s.exec(select(InboundMessage)).one()
        attachments = s.exec(select(func.count()).select_from(Attachment)).one()
    assert row.state == "quarantined" and "too large to read" in row.reason and attachments == 0
    assert site.folder_counts()["reportbot/quarantine"] == 1


def test_a_report_hidden_by_a_broken_mime_boundary_was_recorded_as_a_cover_note(make_site):
    """Regression: a multipart message whose declared boundary never occurs loses its parts in
    the parser; it was recorded as a plain message ("no report content") and never reached
    staff. Now, when nothing readable came out of it, it is quarantined with the defect named."""
    site = make_site("broken-mime", agencies=2)
    site.append(bad_boundary(site.agencies[0]), START)
    poll_once(Intake(site.app.config, site.app.engine), clock=lambda: START)
    with site.session() as s:
        row = s.exec(select(InboundMessage)).one()
    assert row.state == "quarantined" and "StartBoundaryNotFoundDefect" in row.reason
