"""Fixtures: a site on the real servers (Dovecot inbox, aiosmtpd sink; SQLite or PostgreSQL)."""
from __future__ import annotations

import pytest

from .runner import kill_leftovers
from .site import STAFF, make_site


@pytest.fixture(autouse=True)
def no_leftover_processes():
    yield
    kill_leftovers()


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
