"""Regressions found by the reliability suite, each named after what broke."""
from __future__ import annotations

from datetime import timedelta

from .harness import START, ServiceRun, SinkIndex, Timeline, settled, wait_until
from .invariants import check
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
    import os

    import pytest
    from sqlmodel import select

    from bot.intake.pipeline import Intake
    from bot.intake.poll import StoreFull, poll_once
    from db.models import InboundMessage

    from .test_full_disk import fill, tmpfs

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
