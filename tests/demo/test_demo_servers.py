"""The demo's loopback mail system: what the demo relies on pymap and aiosmtpd for."""
from __future__ import annotations

import smtplib
import threading
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest

from bot.demo.servers import ImapServer, MailSystem, SmtpServer

WHEN = datetime(2024, 12, 20, 2, 30, tzinfo=UTC)


@pytest.fixture
def imap():
    server = ImapServer().start()
    yield server
    server.stop()


def _mail(i: int) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "vanthu@byt.example", "baocao@example.gov.vn", f"Báo cáo số {i}"
    m["Message-ID"] = f"<{i}@byt.example>"
    m.set_content("Kính gửi Cục Báo chí.")
    return m.as_bytes()


def test_move_round_trip_keeps_each_message_once(imap):
    """pymap 0.36.7's maildir backend duplicated messages on UID MOVE; the in-memory one must not."""
    for i in range(6):
        imap.deliver(_mail(i), WHEN + timedelta(minutes=i))
    c = imap.client()
    c.select_folder("INBOX")
    uids = c.search(["ALL"])
    c.create_folder("reportbot/processed")
    for uid in uids[:4]:
        c.move([uid], "reportbot/processed")
    assert len(c.search(["ALL"])) == 2
    c.select_folder("reportbot/processed", readonly=True)
    moved = c.fetch(c.search(["ALL"]), ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    ids = [v[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].strip() for v in moved.values()]
    assert len(ids) == 4 and len(set(ids)) == 4
    c.logout()
    assert imap.count("INBOX") == 2 and imap.count("reportbot/processed") == 4


def test_delivery_keeps_the_simulated_arrival_time(imap):
    imap.deliver(_mail(1), WHEN)
    c = imap.client()
    c.normalise_times = False
    c.select_folder("INBOX", readonly=True)
    (data,) = c.fetch(c.search(["ALL"]), ["INTERNALDATE"]).values()
    assert data[b"INTERNALDATE"] == WHEN
    c.logout()


def test_idle_wakes_the_watcher_when_mail_is_delivered(imap, monkeypatch):
    """Through the service's own IDLE wait. Regression: imapclient's idle_check failed with
    "unterminated line: b'* 1 FETCH ('" when pymap's response arrived in two pieces."""
    from bot.core.config import ImapConfig
    from bot.intake.inbox import Mailbox

    monkeypatch.setenv("REPORTBOT_IMAP_PASSWORD", imap.password)
    cfg = ImapConfig(host=imap.host, port=imap.port, security="none", username=imap.username)
    timer = threading.Timer(0.3, imap.deliver, args=(_mail(2), WHEN))
    with Mailbox(cfg) as mb:
        assert mb.waiting_uids() == []
        timer.start()
        started = time.monotonic()
        mb.wait_for_mail(10, lambda: False)
        woke_after = time.monotonic() - started
        timer.join()
        assert len(mb.waiting_uids()) == 1  # the connection is still good: no reconnect needed
    assert woke_after < 9, "IDLE did not report the new message"


def test_smtp_routes_inbox_mail_to_imap_and_the_rest_outside_and_refuses_unknown_users(imap):
    outside = []
    system = MailSystem(lambda: WHEN, "baocao@example.gov.vn", imap,
                        outside=lambda *args: outside.append(args), reject={"vanthu@twhnd.example"})
    smtp = SmtpServer(system).start()
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=10) as s:
            s.sendmail("vanthu@byt.example", ["baocao@example.gov.vn"], _mail(3))
            s.sendmail("baocao@example.gov.vn", ["vanthu@byt.example", "vanphong@byt.example"], _mail(4))
            with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
                s.sendmail("baocao@example.gov.vn", ["vanthu@twhnd.example"], _mail(5))
        assert refused.value.recipients["vanthu@twhnd.example"][0] == 550
    finally:
        smtp.stop()
    assert imap.count("INBOX") == 1
    c = imap.client()
    c.select_folder("INBOX", readonly=True)
    (data,) = c.fetch(c.search(["ALL"]), ["BODY.PEEK[]"]).values()
    assert data[b"BODY[]"].startswith(b"Return-Path: <vanthu@byt.example>\r\nReceived: ")
    c.logout()
    assert [(rcpts, when) for _, rcpts, _, when in outside] == [(("vanthu@byt.example", "vanphong@byt.example"), WHEN)]
