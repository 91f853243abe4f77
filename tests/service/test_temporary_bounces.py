"""Temporary and permanent delivery failures through the real intake (Dovecot, SMTP sink): a
temporary one keeps the address (the next reminder goes to it) and staff see it when it keeps
failing; after intake.temporary_bounce_days it counts as dead; a permanent one stops that address."""
from __future__ import annotations

import contextlib
import io

from sqlmodel import select

from bot.cli import main
from db.models import Contact
from tests.sites import address

from .site import at, dsn


def _delayed(code: str, dispatch, when) -> bytes:
    return (dsn(code, dispatch, when).replace(b"Action: failed\r\nStatus: 5.1.1", b"Action: delayed\r\nStatus: 4.2.2")
            .replace(b"550 5.1.1 user unknown", b"452 4.2.2 mailbox full"))


def _contact(site, code: str) -> Contact:
    with site.session() as s:
        return s.exec(select(Contact).where(Contact.email == address(code))).one()


def _status(site, now) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["status", "--now", now.isoformat(), "--config", str(site.config_path)]) == 0
    return out.getvalue()


def test_a_full_mailbox_keeps_the_address_and_a_run_of_them_is_shown_then_treated_as_dead(site_factory):
    site = site_factory("temp")
    site.tick(at(19, 12, 9))
    letter = site.dispatch_to("BYT")
    site.append(_delayed("BYT", letter, at(19, 12, 10)), at(19, 12, 10))
    site.poll(at(19, 12, 10, 5))
    c = _contact(site, "BYT")
    assert c.state == "active" and c.temp_failures == 1
    site.tick(at(25, 12, 8))                                 # the first reminder still goes to BYT
    reminders = [m for m in site.received() if str(m["X-Reportbot-Kind"]) == "reminder"
                 and address("BYT") in str(m["To"])]
    assert len(reminders) == 1
    site.append(_delayed("BYT", letter, at(25, 12, 10)), at(25, 12, 10))
    site.poll(at(25, 12, 10, 5))                             # failing again, on a later day
    c = _contact(site, "BYT")
    assert c.state == "bounced" and c.temp_failures == 2     # 6 days ≥ intake.temporary_bounce_days (4)
    said = " ".join(_status(site, at(25, 12, 11)).split())
    assert f"Địa chỉ {address('BYT')} liên tục gửi không thành công từ ngày 19/12/2024" in said


def test_a_permanent_failure_stops_that_address_only(site_factory):
    site = site_factory("perm")
    site.tick(at(19, 12, 9))
    site.append(dsn("BTC", site.dispatch_to("BTC"), at(19, 12, 10)), at(19, 12, 10))
    site.poll(at(19, 12, 10, 5))
    assert _contact(site, "BTC").state == "bounced" and _contact(site, "BYT").state == "active"
    site.tick(at(25, 12, 8))
    to = [str(m["To"]) for m in site.received() if str(m["X-Reportbot-Kind"]) == "reminder"]
    assert not any(address("BTC") in t for t in to) and any(address("BYT") in t for t in to)
