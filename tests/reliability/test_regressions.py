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
