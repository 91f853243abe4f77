"""The mailer against a real aiosmtpd server: retries, permanent failures, 421, rate limit,
TLS and AUTH, concurrent senders, crashed senders, the IMAP Sent copy."""
from __future__ import annotations

import asyncio
import json
import shlex
import sys
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from bot.core.backoff import Backoff
from bot.outbound.mailer import Mailer, send_outbox
from bot.outbound.mails import config_sender
from bot.outbound.outbox import queue_due
from db.models import Contact, OutboundMail, Submission
from db.types import utcnow

from .helpers import at
from .outbox_site import agency_row, make_site_fixture, parsed, run_cli_fixture  # noqa: F401 (fixtures)

DISPATCH = at("19/12/2024", "09:00")


def three(**kw):
    return [agency_row("AAA", **kw), agency_row("BBB"), agency_row("CCC")]


def tick(site, when) -> str:
    r = site.cli("tick", "--now", when.isoformat())
    assert r.code == 0, r.err
    return r.out


def test_a_451_is_retried_at_a_later_tick_and_then_succeeds(make_site):
    site = make_site(agencies=three(), concurrency=1)
    site.smtp.fail_next(1, 451)
    assert "2 sent, 1 deferred" in tick(site, DISPATCH)
    (deferred,) = site.rows(status="pending")
    assert deferred.attempts == 1 and "451" in deferred.last_error
    assert deferred.next_attempt_at >= DISPATCH + timedelta(seconds=30)

    assert "0 sent, 0 deferred" in tick(site, DISPATCH + timedelta(seconds=1))  # not retried in a tight loop
    assert len(site.smtp.rejections) == 1

    assert "1 sent" in tick(site, DISPATCH + timedelta(hours=2))
    (row,) = site.rows(id=deferred.id)
    assert row.status == "sent" and row.attempts == 2
    assert parsed(site.smtp.messages[-1].data)["Message-ID"] == deferred.message_id
    assert [e.kind for e in site.events("outbox.deferred")] == ["outbox.deferred"]


def test_temporary_failures_end_as_failed_after_max_attempts_without_blaming_the_contact(make_site):
    site = make_site(agencies=[agency_row("AAA")], max_attempts=2)
    site.smtp.reject(451, stage="data")  # every time
    tick(site, DISPATCH)
    tick(site, DISPATCH + timedelta(hours=2))
    (row,) = site.rows()
    assert row.status == "failed" and row.attempts == 2
    (ev,) = site.events("outbox.failed")
    assert ev.detail["permanent"] is False
    with site.session() as s:
        assert s.exec(select(Contact.state)).all() == ["active"]


def test_a_550_marks_the_contact_failed_and_nothing_more_is_sent_to_it(make_site):
    site = make_site(agencies=[agency_row("AAA"), agency_row("BBB", emails="vanthu@bbb.example;cntt@bbb.example")])
    site.smtp.reject_address("vanthu@aaa.example", 550)
    site.smtp.reject_address("cntt@bbb.example", 550)
    tick(site, DISPATCH)
    aaa = site.agency("AAA")
    (failed,) = site.rows(status="failed")
    assert failed.agency_id == aaa.id and "550" in failed.last_error
    with site.session() as s:
        states = {c.email: (c.state, c.state_reason) for c in s.exec(select(Contact))}
    assert states["vanthu@aaa.example"][0] == "failed" and "550 5.1.1" in states["vanthu@aaa.example"][1]
    assert states["cntt@bbb.example"][0] == "failed" and states["vanthu@bbb.example"][0] == "active"
    assert {e.detail["email"] for e in site.events("contact.failed")} == {"vanthu@aaa.example", "cntt@bbb.example"}
    assert [m.rcpt_tos for m in site.smtp.messages] == [("vanthu@bbb.example",)]  # the other address got it

    before = len(site.smtp.messages)
    for when in (at("25/12/2024"), at("27/12/2024"), at("31/12/2024")):
        tick(site, when)
    later = site.smtp.messages[before:]
    assert len(later) == 3 and all(m.rcpt_tos == ("vanthu@bbb.example",) for m in later)
    assert len(site.rows(agency_id=aaa.id)) == 1 and len(site.smtp.rejections) == 2


def test_a_recipient_greylisted_while_the_other_took_the_mail_gets_it_at_a_later_tick(make_site):
    """Regression: a 4xx for one recipient of a mail the server took for the others was noted
    and never retried, so a greylisting server kept that address from ever getting the letter."""
    site = make_site(agencies=[agency_row("AAA", emails="vanthu@aaa.example;cntt@aaa.example")])
    site.smtp.reject(451, "4.7.1 Greylisted, try again later", stage="rcpt", address="cntt@aaa.example", times=1)
    assert "1 sent" in tick(site, DISPATCH)
    assert [m.rcpt_tos for m in site.smtp.messages] == [("vanthu@aaa.example",)]
    (row,) = site.rows()
    assert row.status == "pending" and row.retry_rcpts == ["cntt@aaa.example"] and row.sent_at is not None
    assert row.next_attempt_at >= DISPATCH + timedelta(seconds=30) and "Greylisted" in row.last_error
    (status,) = json.loads(site.cli("status", "--format", "json", "--now", DISPATCH.isoformat()).out)
    assert status["state"] == "sent" and status["sent_at"]  # delivered: the letter is out

    tick(site, DISPATCH + timedelta(seconds=1))  # not retried in a tight loop
    assert len(site.smtp.messages) == 1
    tick(site, DISPATCH + timedelta(hours=2))
    first, again = site.smtp.messages
    assert again.rcpt_tos == ("cntt@aaa.example",) and again.data == first.data  # the same bytes, to it alone
    (row,) = site.rows()
    assert (row.status, row.retry_rcpts, row.attempts) == ("sent", None, 2)
    assert row.sent_at == DISPATCH  # the first delivery
    assert [e.kind for e in site.events("outbox.partial")] == ["outbox.partial"]
    with site.session() as s:
        assert s.exec(select(Contact.state)).all() == ["active", "active"]


def test_a_recipient_refused_for_now_at_every_attempt_is_given_up_and_the_mail_stays_sent(make_site):
    site = make_site(agencies=[agency_row("AAA", emails="vanthu@aaa.example;cntt@aaa.example")], max_attempts=2)
    site.smtp.reject(452, "4.2.2 Mailbox full", stage="rcpt", address="cntt@aaa.example")  # every time
    tick(site, DISPATCH)
    tick(site, DISPATCH + timedelta(hours=2))
    (row,) = site.rows()
    assert row.status == "sent" and row.sent_at == DISPATCH and row.retry_rcpts is None
    assert "cntt@aaa.example" in row.last_error and "Mailbox full" in row.last_error
    assert [m.rcpt_tos for m in site.smtp.messages] == [("vanthu@aaa.example",)]


def test_a_reminder_half_delivered_is_not_retried_once_the_agency_reported(make_site):
    site = make_site(agencies=[agency_row("AAA", emails="vanthu@aaa.example;cntt@aaa.example")])
    tick(site, DISPATCH)
    site.smtp.reject(451, stage="rcpt", address="cntt@aaa.example", times=1)
    tick(site, at("25/12/2024"))  # the first reminder: taken for vanthu@, greylisted for cntt@
    (reminder,) = site.rows(kind="reminder")
    assert reminder.status == "pending" and reminder.retry_rcpts == ["cntt@aaa.example"]
    with site.session() as s:
        s.add(Submission(campaign_id=reminder.campaign_id, agency_id=reminder.agency_id, version=1,
                         received_at=at("25/12/2024", "09:00"), on_time=True, completeness=1.0, missing=[],
                         sections=[], metrics=[], is_current=True, sources=[]))
    tick(site, at("25/12/2024", "11:00"))
    (reminder,) = site.rows(kind="reminder")
    assert reminder.status == "sent" and "the agency has reported" in reminder.last_error
    assert [m.rcpt_tos for m in site.smtp.messages][-1] == ("vanthu@aaa.example",)
    (status,) = json.loads(site.cli("status", "--format", "json", "--now", at("25/12/2024", "11:00").isoformat()).out)
    assert status["reminders_sent"] == 1


def test_a_421_closes_the_connection_and_the_next_message_reconnects(make_site):
    site = make_site(agencies=three() + [agency_row("DDD")], concurrency=1)
    site.smtp.reject(421, stage="data", address="vanthu@bbb.example", times=1)  # the 2nd message
    assert "3 sent, 1 deferred" in tick(site, DISPATCH)
    peers = [m.peer for m in site.smtp.messages]
    assert peers[0] != peers[1] == peers[2]  # a new connection after the 421, then reused
    (row,) = site.rows(status="pending")
    assert row.last_error.startswith("421")


def test_connections_are_reused_across_messages(make_site):
    site = make_site(agencies=[agency_row(f"A{i:02d}") for i in range(12)], concurrency=2)
    tick(site, DISPATCH)
    assert len(site.smtp.messages) == 12 and len({m.peer for m in site.smtp.messages}) <= 2


def test_the_rate_limit_holds_across_connections_by_server_timestamps(make_site):
    site = make_site(agencies=[agency_row(f"A{i:02d}") for i in range(8)], rate_per_minute=300, concurrency=3)
    tick(site, DISPATCH)
    times = sorted(m.received_at for m in site.smtp.messages)
    assert len(times) == 8
    interval = 60 / 300
    # A token bucket without burst: k messages span at least k intervals. Server-side arrival
    # times carry the machine's scheduling jitter (a loaded CI box delays one arrival, then the
    # next comes quickly), so pairs 3 apart are checked, with 0.1 s of slack: without a limit the
    # 8 mails would arrive within a few hundredths of a second.
    for i in range(len(times) - 3):
        assert (times[i + 3] - times[i]).total_seconds() >= 3 * interval - 0.1, i
    assert (times[-1] - times[0]).total_seconds() >= (len(times) - 1) * interval - 0.1


def test_starttls_and_auth_as_configured(make_site, smtp_server_factory, monkeypatch):
    server = smtp_server_factory(starttls=True, require_starttls=True, auth=("reportbot", "s3cret"),
                                 auth_required=True)
    monkeypatch.setenv("REPORTBOT_SMTP_PASSWORD", "s3cret")
    site = make_site(smtp=server, agencies=three(), security="starttls", username="reportbot",
                     ca_file=str(server.ca_pem))
    tick(site, DISPATCH)
    assert len(server.messages) == 3 and all(m.tls and m.login == "reportbot" for m in server.messages)

    monkeypatch.setenv("REPORTBOT_SMTP_PASSWORD", "wrong")
    assert site.cli("tick", "--now", at("25/12/2024").isoformat()).code == 1  # reminders queued, not sent
    r = site.cli("tick", "--now", at("25/12/2024", "08:10").isoformat())
    assert r.code == 1 and "refused the login of 'reportbot'" in r.err and r.err.count("\n") == 1
    assert {(row.status, row.attempts) for row in site.rows(kind="reminder")} == {("pending", 0)}


def test_implicit_tls(make_site, smtp_server_factory, monkeypatch):
    server = smtp_server_factory(implicit_tls=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_pem))  # the system trust store, as OpenSSL reads it
    site = make_site(smtp=server, agencies=[agency_row("AAA")], security="tls")
    assert site.cli("dispatch").code == 0
    (m,) = server.messages
    assert m.tls


def test_two_senders_at_once_never_send_the_same_row(make_site):
    # 60 rows: more than one sender's first claims (3 connections × 16 rows), so both must work.
    site = make_site(agencies=[agency_row(f"A{i:02d}") for i in range(60)], concurrency=3)
    with site.session() as s:
        queue_due(s, s.merge(site.campaign()), DISPATCH, config_sender(site.app.config), site.app.store)
    summaries, start = [], threading.Barrier(2)

    def sender():
        start.wait()
        summaries.append(send_outbox(site.app.engine, site.app.config.smtp, clock=lambda: DISPATCH))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    mids = [parsed(m.data)["Message-ID"] for m in site.smtp.messages]
    assert len(mids) == 60 and len(set(mids)) == 60
    assert sum(s.sent for s in summaries) == 60 and all(s.sent for s in summaries)  # both took part


def test_a_row_abandoned_in_sending_is_resent_with_its_message_id_after_the_lease(make_site):
    site = make_site(agencies=[agency_row("AAA"), agency_row("BBB")])
    with site.session() as s:
        queue_due(s, s.merge(site.campaign()), DISPATCH, config_sender(site.app.config), site.app.store)
    stale, recent = site.rows()
    now = utcnow()
    with site.session() as s:
        for row, age in ((stale, timedelta(minutes=11)), (recent, timedelta(minutes=1))):
            s.connection().execute(update(OutboundMail).where(OutboundMail.id == row.id).values(
                status="sending", claimed_by="other-host:4242:abc", claimed_at=now - age))
    summary = send_outbox(site.app.engine, site.app.config.smtp)
    assert (summary.reclaimed, summary.sent) == (1, 1)
    (m,) = site.smtp.messages
    assert parsed(m.data)["Message-ID"] == stale.message_id and m.data == site.body(stale)
    assert site.rows(id=recent.id)[0].status == "sending"  # another host's live claim is left alone
    (ev,) = site.events("outbox.reclaimed")
    assert ev.detail["claimed_by"] == "other-host:4242:abc"


def test_a_reminder_queued_before_the_report_is_cancelled_when_its_turn_comes(make_site):
    site = make_site(agencies=[agency_row("AAA"), agency_row("BBB")])
    tick(site, DISPATCH)
    with site.session() as s:
        queue_due(s, s.merge(site.campaign()), at("25/12/2024"), config_sender(site.app.config),
                  site.app.store)
        s.add(Submission(campaign_id=site.campaign().id, agency_id=site.agency("AAA").id,
                         received_at=at("25/12/2024", "08:01")))
    out = tick(site, at("25/12/2024", "08:05"))
    assert "1 sent, 0 deferred, 0 failed, 1 cancelled" in out
    aaa = site.agency("AAA").id
    (row,) = site.rows(kind="reminder", agency_id=aaa)
    assert row.status == "cancelled" and row.last_error == "the agency has reported"
    (ev,) = site.events("outbox.cancelled")
    assert ev.agency_id == aaa
    assert [parsed(m.data)["X-Reportbot-Kind"] for m in site.smtp.messages] == ["dispatch", "dispatch", "reminder"]


def test_sent_mail_is_copied_to_the_imap_sent_folder(make_site, dovecot, imap_account, monkeypatch):
    monkeypatch.setenv("REPORTBOT_IMAP_PASSWORD", imap_account.password)
    site = make_site(agencies=[agency_row("AAA"), agency_row("BBB")], save_to_sent=True, sent_folder="Sent")
    with open(site.config, "a", encoding="utf-8") as f:
        f.write(f'[imap]\nhost = "{dovecot.host}"\nport = {dovecot.port}\nsecurity = "none"\n'
                f'username = "{imap_account.username}"\n')
    r = site.cli("dispatch")
    assert r.code == 0 and "2 copied to Sent" in r.out, r.err
    with dovecot.client(imap_account) as c:
        c.select_folder("Sent", readonly=True)
        fetched = c.fetch(c.search("ALL"), ["BODY.PEEK[]", "FLAGS"])
    assert {parsed(d[b"BODY[]"])["Message-ID"] for d in fetched.values()} == {r.message_id for r in site.rows()}
    assert all(b"\\Seen" in d[b"FLAGS"] for d in fetched.values())


def test_sent_copies_log_in_with_xoauth2_when_a_token_command_is_set(make_site, dovecot, imap_account, tmp_path):
    """The copies to Sent open their IMAP connection as the intake does: with the token the
    command prints (XOAUTH2), never with a password (the password file holds a wrong one)."""
    token_file, password_file = tmp_path / "token", tmp_path / "imap-password"
    token_file.write_text(dovecot.oauth2_token(imap_account))
    password_file.write_text("not-the-password")
    command = shlex.join([sys.executable, "-c", f"print(open({str(token_file)!r}).read())"])
    site = make_site(agencies=[agency_row("AAA"), agency_row("BBB")], save_to_sent=True, sent_folder="Sent")
    with open(site.config, "a", encoding="utf-8") as f:
        f.write(f'[imap]\nhost = "{dovecot.host}"\nport = {dovecot.port}\nsecurity = "none"\n'
                f'username = "{imap_account.username}"\npassword_file = {json.dumps(str(password_file))}\n'
                f'oauth2_token_command = {json.dumps(command)}\n')
    r = site.cli("dispatch")
    assert r.code == 0 and "2 copied to Sent" in r.out, (r.out, r.err)
    with dovecot.client(imap_account) as c:
        c.select_folder("Sent", readonly=True)
        fetched = c.fetch(c.search("ALL"), ["BODY.PEEK[]"])
    assert {parsed(d[b"BODY[]"])["Message-ID"] for d in fetched.values()} == {r.message_id for r in site.rows()}
    assert dovecot.log_path.read_text().count(f"Login: user=<{imap_account.username}>, method=XOAUTH2") == 1


@pytest.mark.parametrize("attempt, low, high", [(1, 30, 60), (3, 120, 240), (20, 1800, 3600)])
def test_backoff_grows_exponentially_with_jitter_and_a_cap(attempt, low, high):
    b = Backoff(base_seconds=60, cap_seconds=3600)
    assert b.delay(attempt, rand=lambda: 0.0).total_seconds() == low
    assert b.delay(attempt, rand=lambda: 1.0).total_seconds() == high


def test_a_stopped_pass_finishes_the_message_in_hand_and_gives_the_other_claims_back(make_site):
    site = make_site(agencies=[agency_row(f"A{i}") for i in range(5)], rate_per_minute=120, concurrency=1)
    with site.session() as s:
        queue_due(s, s.merge(site.campaign()), DISPATCH, config_sender(site.app.config), site.app.store)
    mailer = Mailer(site.app.engine, site.app.config.smtp)

    async def stop_after_the_first_arrives():
        task = asyncio.create_task(mailer.run())
        while not site.smtp.messages:
            await asyncio.sleep(0.01)
        mailer.request_stop()
        return await task

    summary = asyncio.run(stop_after_the_first_arrives())
    assert summary.sent == 1  # the next one was still waiting for its token
    assert Counter(r.status for r in site.rows()) == {"sent": 1, "pending": 4}
    assert all(r.claimed_by is None for r in site.rows(status="pending"))
