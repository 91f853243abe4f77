"""Intake against the real Dovecot fixture: never lose, duplicate or misfile a reply."""
from __future__ import annotations

import os
import threading
import time

from sqlmodel import select

from bot.cli import main
from bot.intake.inbox import Mailbox
from bot.intake.poll import poll_once, poll_pass, watch
from bot.outbound.outbox import read_body
from db.models import Agency, Contact, InboundMessage, OutboundMail, Submission

from .conftest import FULL, NOW, make_site, reply


def _subs(site, code="BYT"):
    with site.app.session() as s:
        return s.exec(select(Submission).join(Agency, Agency.id == Submission.agency_id)
                      .where(Agency.code == code).order_by(Submission.version)).all()


def _acks(site):
    with site.app.session() as s:
        return s.exec(select(OutboundMail).where(OutboundMail.kind == "ack")).all()


def test_a_report_is_recorded_acknowledged_and_filed(site):
    site.append(reply(sections=FULL))
    summary = poll_once(site.intake, clock=lambda: NOW)
    assert summary.count("processed") == 1 and not summary.errors
    [sub] = _subs(site)
    assert sub.completeness == 1.0 and sub.missing == [] and sub.on_time
    assert {s["id"] for s in sub.sections if s["found"]} >= {"I.1", "III.3", "V"}
    [ack] = _acks(site)
    assert ack.to_addrs == ["vanthu@byt.example"] and ack.in_reply_to
    assert site.folder_count("INBOX") == 0 and site.folder_count("reportbot/processed") == 1


def test_incomplete_report_lists_what_is_missing(site):
    partial = {k: v for k, v in FULL.items() if not k.startswith(("IV.", "V."))}
    site.append(reply(sections=partial))
    poll_once(site.intake, clock=lambda: NOW)
    [sub] = _subs(site)
    assert sub.missing == ["IV", "V"] and sub.completeness < 1
    [ack] = _acks(site)
    with site.app.session() as s:
        assert "IV" in EmailMessage_text(read_body(s, ack.id))


def EmailMessage_text(raw: bytes) -> str:
    from email import message_from_bytes, policy
    msg = message_from_bytes(raw, policy=policy.default)
    return msg.get_body(("plain",)).get_content()


def test_the_same_message_delivered_twice_is_recorded_once(site):
    raw = reply(sections=FULL)
    site.append(raw)
    site.append(raw)
    poll_once(site.intake, clock=lambda: NOW)
    poll_once(site.intake, clock=lambda: NOW)
    assert len(_subs(site)) == 1 and len(_acks(site)) == 1
    with site.app.session() as s:
        assert len(s.exec(select(InboundMessage)).all()) == 1
    assert site.folder_count("INBOX") == 0


class CrashBeforeMove(Mailbox):
    def file_away(self, uid, folder):
        raise KeyboardInterrupt("killed between the commit and the IMAP move")


def test_crash_between_store_and_move_loses_and_duplicates_nothing(site):
    site.append(reply(sections=FULL))
    mb = CrashBeforeMove(site.app.config.imap)
    mb.connect()
    try:
        poll_pass(site.intake, mb, lambda: NOW)
    except KeyboardInterrupt:
        pass
    finally:
        mb.client.shutdown()
    assert site.folder_count("INBOX") == 1  # still on the server
    poll_once(site.intake, clock=lambda: NOW)  # the restart
    assert len(_subs(site)) == 1 and len(_acks(site)) == 1
    assert site.folder_count("INBOX") == 0 and site.folder_count("reportbot/processed") == 1


def test_a_uidvalidity_change_does_not_duplicate_submissions(tmp_path, imap_account, dovecot):
    site = make_site(tmp_path, imap_account, dovecot, extra='folder = "Reports"\nafter_processing = "flag"')
    c = dovecot.client(imap_account)
    c.create_folder("Reports")
    raw = reply(sections=FULL)
    site.append(raw, folder="Reports")
    poll_once(site.intake, clock=lambda: NOW)
    c.delete_folder("Reports")  # recreated: new UIDVALIDITY, the same mail appears again unflagged
    c.create_folder("Reports")
    c.logout()
    site.append(raw, folder="Reports")
    poll_once(site.intake, clock=lambda: NOW)
    assert len(_subs(site)) == 1 and len(_acks(site)) == 1
    with site.app.session() as s:
        from db.models import Event
        assert s.exec(select(Event).where(Event.kind == "mailbox.uidvalidity_changed")).first() is not None


def test_unknown_sender_is_quarantined_then_assigned_by_staff(site):
    site.append(reply(sender="Ai đó <someone@unknown.example>", subject="Báo cáo chuyển đổi số", sections=FULL))
    poll_once(site.intake, clock=lambda: NOW)
    assert _subs(site) == [] and _acks(site) == []
    assert site.folder_count("reportbot/quarantine") == 1
    with site.app.session() as s:
        row = s.exec(select(InboundMessage)).one()
    assert row.state == "quarantined" and "no agency matched" in row.reason
    assert main(["quarantine", "assign", str(row.id), "BYT", "--config", str(site.config_path)]) == 0
    assert len(_subs(site)) == 1


def test_forged_from_with_failing_authentication_is_quarantined(tmp_path, imap_account, dovecot):
    site = make_site(tmp_path, imap_account, dovecot,
                     extra='[security]\nauthserv_id = "mx.example.gov.vn"\nsender_policy = "require"')
    forged = reply(sections=FULL, headers={
        "Authentication-Results": "mx.example.gov.vn; spf=fail smtp.mailfrom=byt.example; dkim=none; "
                                  "dmarc=fail header.from=byt.example"})
    site.append(forged)
    poll_once(site.intake, clock=lambda: NOW)
    assert _subs(site) == []
    with site.app.session() as s:
        row = s.exec(select(InboundMessage)).one()
    assert row.state == "quarantined" and "verification failed" in row.reason


def test_a_bounce_marks_the_contact_and_gets_no_reply(site):
    dsn = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.gov.vn>\r\nTo: baocao@example.gov.vn\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b1@mx.example.gov.vn>\r\n"
        b"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.gov.vn\r\n\r\n"
        b"Final-Recipient: rfc822; vanthu@nghean.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n--B--\r\n")
    site.append(dsn)
    poll_once(site.intake, clock=lambda: NOW)
    with site.app.session() as s:
        c = s.exec(select(Contact).where(Contact.email == "vanthu@nghean.example")).one()
        row = s.exec(select(InboundMessage)).one()
    assert c.state == "bounced" and "5.1.1" in c.state_reason
    assert row.classification == "bounce" and _acks(site) == [] and _subs(site, "NAN") == []


def test_an_auto_reply_is_ignored_and_never_answered(site):
    site.append(reply(subject="Trả lời tự động: [5422/BTTTT-CBC #BYT]", body="Tôi đang đi công tác.",
                      headers={"Auto-Submitted": "auto-replied"}))
    poll_once(site.intake, clock=lambda: NOW)
    with site.app.session() as s:
        row = s.exec(select(InboundMessage)).one()
    assert row.state == "ignored" and row.classification == "auto_reply" and _acks(site) == []


def test_a_cover_note_without_report_is_a_message_not_a_report(site):
    site.append(reply(body="Đã giao Sở Thông tin và Truyền thông thực hiện, báo cáo sau."))
    poll_once(site.intake, clock=lambda: NOW)
    with site.app.session() as s:
        row = s.exec(select(InboundMessage)).one()
    assert row.state == "processed" and row.classification == "message" and _subs(site) == []


def test_a_corrected_version_supersedes_the_first(site):
    partial = {k: v for k, v in FULL.items() if not k.startswith("V.")}
    site.append(reply(sections=partial))
    poll_once(site.intake, clock=lambda: NOW)
    site.append(reply(sections=FULL))
    poll_once(site.intake, clock=lambda: NOW)
    first, second = _subs(site)
    assert (first.version, first.is_current, second.version, second.is_current) == (1, False, 2, True)


def _wait_for(predicate, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_reply_appended_while_idling_is_recorded_and_acknowledged(site):
    stop = threading.Event()
    t = threading.Thread(target=watch, args=(site.intake, stop.is_set), kwargs={"clock": lambda: NOW}, daemon=True)
    t.start()
    try:
        time.sleep(1.0)  # the watcher is now in IDLE
        site.append(reply(sections=FULL))
        assert _wait_for(lambda: len(_subs(site)) == 1 and len(_acks(site)) == 1)
    finally:
        stop.set()
        t.join(10)
    assert not t.is_alive()


def test_a_connection_dropped_mid_fetch_is_recovered(tmp_path, imap_account, dovecot):
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from servers.proxy import FaultyProxy

    proxy = FaultyProxy(imap_account.host, imap_account.port).start()
    try:
        site = make_site(tmp_path, imap_account, dovecot, port=proxy.port)
        raw = reply(sections=FULL)
        site.append(raw)
        proxy.cut_after_bytes(len(raw) // 2 + 2000, times=1)  # inside the FETCH response
        stop = threading.Event()
        t = threading.Thread(target=watch, args=(site.intake, stop.is_set), kwargs={"clock": lambda: NOW},
                             daemon=True)
        t.start()
        try:
            assert _wait_for(lambda: len(_subs(site)) == 1, timeout=30)
        finally:
            stop.set()
            t.join(15)
        assert proxy.cuts == 1 and proxy.connections >= 2
        assert len(_subs(site)) == 1 and len(_acks(site)) == 1
    finally:
        proxy.stop()


def test_implicit_tls_with_a_private_ca(tmp_path, imap_account, dovecot):
    site = make_site(tmp_path, imap_account, dovecot, port=dovecot.imaps_port,
                     extra=f'ca_file = "{dovecot.ca_pem}"')
    cfg_path = site.config_path
    cfg_path.write_text(cfg_path.read_text(encoding="utf-8").replace('security = "none"', 'security = "tls"'),
                        encoding="utf-8")
    site.append(reply(sections=FULL))
    assert main(["poll", "--config", str(cfg_path)]) == 0
    assert len(_subs(site)) == 1


class NoMove(Mailbox):
    """A server without the MOVE extension: COPY + \\Deleted + UID EXPUNGE instead."""

    def connect(self):
        super().connect()
        caps = set(self.client.capabilities()) - {b"MOVE"}
        self.client.has_capability = lambda name: name.encode() in caps if isinstance(name, str) else name in caps


def test_servers_without_move_get_copy_delete_expunge(site):
    site.append(reply(sections=FULL))
    mb = NoMove(site.app.config.imap)
    mb.connect()
    try:
        poll_pass(site.intake, mb, lambda: NOW)
    finally:
        mb.close()
    assert site.folder_count("INBOX") == 0 and site.folder_count("reportbot/processed") == 1
    assert len(_subs(site)) == 1


def test_intake_events_are_dated_by_the_clock_it_is_given(site):
    """Regression: intake events were stamped with the wall clock while the rows they describe
    took the injected one, so an accelerated demo mixed 2024 and today in `last_event_at`."""
    from db.models import Event

    site.append(reply(sections=FULL))
    site.append(reply(sender="Người lạ <nguoila@unknown.example>", subject="Báo cáo"))
    poll_once(site.intake, clock=lambda: NOW)
    with site.app.session() as s:
        events = [e for e in s.exec(select(Event)).all() if e.kind.startswith(("mail.", "submission.", "ack."))]
    assert {"mail.stored", "submission.recorded", "mail.quarantined"} <= {e.kind for e in events}
    assert {e.kind: e.at for e in events if e.at != NOW} == {}


def test_a_report_sent_as_a_rar_archive_asks_the_agency_for_another_format(site):
    """Regression: a RAR (which reportbot does not open) was acknowledged as "không phải tệp báo
    cáo" — not a report file — though it is how many offices send theirs."""
    from email import message_from_bytes, policy

    msg = message_from_bytes(reply(body="Kính gửi Cục Báo chí, báo cáo trong tệp nén."), policy=policy.default)
    rar = b"Rar!\x1a\x07\x01\x00" + os.urandom(4000)  # RAR 5 signature; never opened
    msg.add_attachment(rar, maintype="application", subtype="vnd.rar", filename="Báo cáo BYT.rar")
    site.append(msg.as_bytes())
    poll_once(site.intake, clock=lambda: NOW)
    [ack] = _acks(site)
    with site.app.session() as s:
        text = EmailMessage_text(read_body(s, ack.id))
    assert "Báo cáo BYT.rar" in text and "chưa mở được loại tệp này" in text and "Word hoặc PDF" in text
    assert "không phải tệp báo cáo" not in text
