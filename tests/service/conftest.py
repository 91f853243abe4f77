"""Fixtures: a site on the real servers (Dovecot inbox, aiosmtpd sink; SQLite or PostgreSQL)."""
from __future__ import annotations

import pytest

from tests.sites import STAFF, no_leftover_runs  # noqa: F401 - no_leftover_runs is autouse

from .site import make_site


@pytest.fixture
def site_factory(tmp_path, dovecot, smtp_server_factory):
    """make(name, db_url=None, rate=..., staff_mailbox=False) -> Site, each with its own inbox and sink."""

    def make(name: str = "site", *, db_url: str | None = None, rate: int = 100000, staff_mailbox: bool = False):
        folder = tmp_path / name
        account = dovecot.add_user()
        opts = {}
        if staff_mailbox:  # the digest really reaches staff: delivered into a Dovecot mailbox of their own
            staff = dovecot.add_user()
            opts = dict(deliver_to=dovecot, mailboxes={STAFF: staff.username})
        smtp = smtp_server_factory(**opts)
        site = make_site(folder, db_url=db_url or f"sqlite:///{folder / 'var' / 'reportbot.db'}", smtp=smtp,
                         dovecot=dovecot, account=account, rate=rate)
        site.staff = staff if staff_mailbox else None
        return site

    return make
