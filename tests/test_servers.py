"""The loopback test servers behave like the real thing the bot will meet."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from imapclient import IMAPClient
from servers import ServerUnavailable, start_or_skip

RAW = ("From: Sở TT&TT <vanphong@stttt.example.vn>\r\n"
       "To: reportbot@example.test\r\n"
       "Subject: =?utf-8?b?QsOhbyBjw6FvIDU0MjI=?=\r\n"
       "Message-ID: <raw-1@stttt.example.vn>\r\n"
       "Content-Type: text/plain; charset=utf-8\r\n"
       "Content-Transfer-Encoding: 8bit\r\n"
       "\r\n"
       "Kính gửi Cục Báo chí, xin gửi báo cáo.\r\n").encode()


def fetch_bodies(client: IMAPClient, folder: str) -> list[bytes]:
    client.select_folder(folder, readonly=True)
    uids = client.search("ALL")
    return [data[b"BODY[]"] for _uid, data in sorted(client.fetch(uids, ["BODY.PEEK[]"]).items())]


def letter(to: str, subject: str = "Báo cáo chuyển đổi số") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Cục Báo chí <baocao@example.gov.vn>"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content("Đề nghị quý cơ quan gửi báo cáo trước ngày 30/12/2024.")
    return msg


# -- Dovecot ------------------------------------------------------------------------------------

def test_imap_append_then_fetch_returns_the_exact_bytes(dovecot, imap_account):
    uid = dovecot.append(imap_account, RAW)
    with dovecot.client(imap_account) as c:
        c.select_folder("INBOX", readonly=True)
        assert c.search("ALL") == [uid]
        assert fetch_bodies(c, "INBOX") == [RAW]
    assert len(list((dovecot.maildir(imap_account) / "new").iterdir())
               + list((dovecot.maildir(imap_account) / "cur").iterdir())) == 1


def test_imap_rejects_a_wrong_password(dovecot, imap_account):
    c = IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=10)
    with pytest.raises(Exception, match="(?i)authentication failed"):
        c.login(imap_account.username, "not-" + imap_account.password)
    c.shutdown()


def test_imaps_port_serves_a_certificate_only_the_test_ca_vouches_for(dovecot, imap_account):
    with dovecot.client(imap_account, tls=True) as c:
        assert c.select_folder("INBOX")[b"EXISTS"] == 0
    with pytest.raises(ssl.SSLCertVerificationError):
        IMAPClient(dovecot.host, port=dovecot.imaps_port, ssl=True,
                   ssl_context=ssl.create_default_context(), timeout=10)


def test_idle_is_told_about_a_message_appended_by_another_connection(dovecot, imap_account):
    with dovecot.client(imap_account) as watcher:
        watcher.select_folder("INBOX")
        watcher.idle()
        dovecot.append(imap_account, RAW)
        responses = watcher.idle_check(timeout=15)
        watcher.idle_done()
    assert (1, b"EXISTS") in responses


def test_move_takes_the_message_out_of_inbox_into_the_target_folder(dovecot, imap_account):
    uid = dovecot.append(imap_account, RAW)
    with dovecot.client(imap_account) as c:
        assert c.has_capability("MOVE")
        c.create_folder("reportbot/processed")
        c.select_folder("INBOX")
        c.move([uid], "reportbot/processed")
        assert fetch_bodies(c, "INBOX") == []
        assert fetch_bodies(c, "reportbot/processed") == [RAW]


def test_users_do_not_see_each_others_mail(dovecot, imap_account):
    other = dovecot.add_user()
    dovecot.append(imap_account, RAW)
    with dovecot.client(other) as c:
        assert fetch_bodies(c, "INBOX") == []


def test_reset_empties_inbox_and_removes_folders(dovecot, imap_account):
    dovecot.append(imap_account, RAW)
    dovecot.append(imap_account, RAW, folder="reportbot/quarantine")
    dovecot.reset(imap_account)
    with dovecot.client(imap_account) as c:
        assert [name for _f, _s, name in c.list_folders()] == ["INBOX"]
        assert fetch_bodies(c, "INBOX") == []


# -- SMTP ---------------------------------------------------------------------------------------

def test_smtp_records_envelope_bytes_and_arrival_time(smtp_server):
    before = datetime.now(UTC)
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as s:
        s.sendmail("baocao@example.gov.vn", ["a@byt.example.vn", "b@byt.example.vn"], RAW)
    (got,) = smtp_server.messages
    assert got.mail_from == "baocao@example.gov.vn"
    assert got.rcpt_tos == ("a@byt.example.vn", "b@byt.example.vn")
    assert got.data == RAW
    assert before <= got.received_at <= datetime.now(UTC)
    assert got.message()["Message-ID"] == "<raw-1@stttt.example.vn>"


def test_smtp_delivers_into_the_recipients_dovecot_inbox(dovecot, imap_account, smtp_server_factory):
    smtp = smtp_server_factory(deliver_to=dovecot)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=10) as s:
        s.send_message(letter(imap_account.address), from_addr="baocao@example.gov.vn",
                       to_addrs=[imap_account.address, "nobody-here@example.test"])
    assert smtp.messages[0].delivered_to == (imap_account.username,)
    with dovecot.client(imap_account) as c:
        (body,) = fetch_bodies(c, "INBOX")
    assert body.startswith(b"Return-Path: <baocao@example.gov.vn>\r\nReceived: from ")
    assert body.endswith(smtp.messages[0].data)


def test_smtp_delivery_adds_the_requested_headers(dovecot, imap_account, smtp_server_factory):
    smtp = smtp_server_factory(deliver_to=dovecot, mailboxes={"baocao@example.gov.vn": imap_account.username},
                               delivery_headers=lambda m: [f"Authentication-Results: mx.example.test; "
                                                           f"spf=pass smtp.mailfrom={m.mail_from}"])
    with smtplib.SMTP(smtp.host, smtp.port, timeout=10) as s:
        s.sendmail("vanphong@byt.example.vn", ["baocao@example.gov.vn"], RAW)
    with dovecot.client(imap_account) as c:
        (body,) = fetch_bodies(c, "INBOX")
    assert body.startswith(b"Authentication-Results: mx.example.test; spf=pass "
                           b"smtp.mailfrom=vanphong@byt.example.vn\r\n")


def test_smtp_fail_next_answers_451_once_then_accepts(smtp_server):
    smtp_server.fail_next(1, 451)
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as s:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            s.sendmail("baocao@example.gov.vn", ["a@byt.example.vn"], RAW)
        assert refused.value.smtp_code == 451
        s.sendmail("baocao@example.gov.vn", ["a@byt.example.vn"], RAW)
    assert len(smtp_server.messages) == 1
    assert [r.reply[:3] for r in smtp_server.rejections] == ["451"]


def test_smtp_reject_address_refuses_only_that_recipient(smtp_server):
    smtp_server.reject_address("gone@byt.example.vn", 550)
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as s:
        refused = s.sendmail("baocao@example.gov.vn", ["gone@byt.example.vn", "ok@byt.example.vn"], RAW)
    assert refused["gone@byt.example.vn"][0] == 550
    assert smtp_server.messages[0].rcpt_tos == ("ok@byt.example.vn",)


def test_smtp_421_closes_the_connection(smtp_server):
    smtp_server.reject(421, stage="rcpt", times=1)
    s = smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10)
    s.ehlo()
    s.mail("baocao@example.gov.vn")
    assert s.rcpt("a@byt.example.vn")[0] == 421
    with pytest.raises(smtplib.SMTPServerDisconnected):
        s.noop()
    s.close()


def test_smtp_starttls_with_auth(smtp_server_factory):
    smtp = smtp_server_factory(starttls=True, require_starttls=True, auth=("bot", "s3cret"), auth_required=True)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=10) as s:
        s.starttls(context=smtp.ssl_context())
        with pytest.raises(smtplib.SMTPAuthenticationError):
            s.login("bot", "wrong")
        s.login("bot", "s3cret")
        s.sendmail("baocao@example.gov.vn", ["a@byt.example.vn"], RAW)
    (got,) = smtp.messages
    assert (got.login, got.tls) == ("bot", True)


def test_smtp_without_starttls_is_refused_when_required(smtp_server_factory):
    smtp = smtp_server_factory(starttls=True, require_starttls=True)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=10) as s:
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            s.sendmail("baocao@example.gov.vn", ["a@byt.example.vn"], RAW)
    assert refused.value.smtp_code == 530
    assert smtp.messages == []


def test_smtp_implicit_tls_with_aiosmtplib(smtp_server_factory):
    import aiosmtplib
    smtp = smtp_server_factory(implicit_tls=True)
    asyncio.run(aiosmtplib.send(letter("a@byt.example.vn"), hostname=smtp.host, port=smtp.port,
                                use_tls=True, tls_context=smtp.ssl_context(), timeout=10))
    (got,) = smtp.messages
    assert got.tls and got.message()["Subject"] == "Báo cáo chuyển đổi số"


def test_smtp_auth_over_implicit_tls(smtp_server_factory):
    smtp = smtp_server_factory(implicit_tls=True, auth=("bot", "s3cret"), auth_required=True)
    with smtplib.SMTP_SSL(smtp.host, smtp.port, context=smtp.ssl_context(), timeout=10) as s:
        with pytest.raises(smtplib.SMTPSenderRefused):
            s.sendmail("baocao@example.gov.vn", ["a@byt.example.vn"], RAW)
        s.login("bot", "s3cret")
        s.sendmail("baocao@example.gov.vn", ["a@byt.example.vn"], RAW)
    (got,) = smtp.messages
    assert (got.login, got.tls) == ("bot", True)


# -- PostgreSQL ---------------------------------------------------------------------------------

def test_pg_url_is_a_fresh_database_that_sqlalchemy_can_use(pg_url):
    from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, inspect, select
    assert pg_url.startswith("postgresql+psycopg://")
    engine = create_engine(pg_url)
    try:
        assert inspect(engine).get_table_names() == []
        agencies = Table("agency", MetaData(), Column("id", Integer, primary_key=True), Column("name", String))
        agencies.metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(agencies.insert(), [{"name": "Bộ Y tế"}])
        with engine.connect() as conn:
            assert conn.execute(select(agencies.c.name)).scalars().all() == ["Bộ Y tế"]
    finally:
        engine.dispose()


# -- skip / fail rule ---------------------------------------------------------------------------

class _Missing:
    def start(self):
        raise ServerUnavailable("fakeserverd not found")


def test_missing_server_skips_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="fakeserverd not found"):
        start_or_skip(_Missing(), "Fake server")


def test_missing_server_fails_when_ci_is_true(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required when CI=true"):
        start_or_skip(_Missing(), "Fake server")
