"""Fixtures of the reliability suite: sites on the real servers behind fault-injecting proxies,
and every `reportbot run` started by a test stopped afterwards."""
from __future__ import annotations

import pytest

from tests.sites import no_leftover_runs  # noqa: F401 - autouse: no run outlives its test

from .harness import build_site


@pytest.fixture
def make_site(tmp_path, dovecot, smtp_server_factory):
    """make(name="site", agencies=20, db_url=None, rate=100000, security="", smtp_opts={}) -> Site"""
    sites = []

    def make(name: str = "site", *, agencies: int = 20, smtp_opts: dict | None = None, **kw):
        smtp = smtp_server_factory(**(smtp_opts or {}))
        site = build_site(tmp_path / name, dovecot=dovecot, smtp=smtp, agencies=agencies, **kw)
        sites.append(site)
        return site

    yield make
    for site in sites:
        site.stop_proxies()
        site.app.engine.dispose()
