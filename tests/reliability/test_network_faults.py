"""`reportbot run` behind proxies that refuse, cut mid-response, stall and drop its IMAP and SMTP
connections at random (seeded) while replies arrive and the letter goes out.

It recovers with nothing lost or duplicated (but the documented resend of a message whose
250 never arrived) and without a busy loop: connection attempts per second stay bounded by
the watcher's backoff (IMAP) and the tick (SMTP).
"""
from __future__ import annotations

from tests.sites import ServiceRun, settled, wait_until

from .scenarios import network_chaos

TICK = 0.4  # harness default --tick-seconds
IMAP_PEAK_PER_SECOND = 4       # the watcher waits ≥ 1 s (backoff 2 s, equal jitter) before reconnecting
SMTP_PEAK_PER_SECOND = 12      # ≤ 2 connections (concurrency) per tick, a tick every 0.4 s, + a retry


def test_random_drops_cuts_and_stalls_lose_nothing_and_do_not_busy_loop(make_site):
    site = make_site("chaos", agencies=40)
    outcome = network_chaos(site, seed=7, seconds=40, replies=40)
    print("\n" + outcome.report("network faults: 40 s of random drops, cuts and stalls"))
    f = outcome.figures
    assert f.problems == []
    assert f.recorded_once == f.replies == 40
    assert f.outbox["sent"] >= 40  # the dispatch got through the chaos
    for proxy in (site.imap_proxy, site.smtp_proxy):
        assert proxy.faults["refused"] and proxy.faults["cut"] and proxy.faults["stalled"], proxy.faults
    assert outcome.extra["IMAP peak per second"] <= IMAP_PEAK_PER_SECOND
    assert outcome.extra["SMTP peak per second"] <= SMTP_PEAK_PER_SECOND
    assert outcome.peak_rss_mb < 500


def test_a_stall_longer_than_the_timeout_ends_in_a_reconnect(make_site):
    """A server that stops answering mid-session: the client times out and reconnects once."""
    from .harness import START, Timeline
    from .world import report_mail

    site = make_site("stall", agencies=5)
    timeline = Timeline(START, 1.0)
    run = ServiceRun(site, timeline.now())
    wait_until(lambda: run.logged("reportbot run started"), 60, "starting", run)
    wait_until(lambda: site.imap_proxy.connections >= 1, 30, "connecting", run)
    before = site.imap_proxy.connections
    site.imap_proxy.stall_next(30.0, times=1)  # the next connection hangs 30 s (timeout: 5 s)
    site.imap_proxy.drop_all()
    r = report_mail("CQ0001", timeline.now(), thread=None)
    site.append(r.raw, timeline.now())
    wait_until(lambda: settled(site), 60, "recovering from the stall", run)
    assert run.stop() == 0
    assert site.imap_proxy.faults["stalled"] == 1
    assert 2 <= site.imap_proxy.connections - before <= 4  # the stalled one, then one that works
    assert any("timed out" in x.get("msg", "") or "timeout" in x.get("msg", "").lower() for x in run.records())
