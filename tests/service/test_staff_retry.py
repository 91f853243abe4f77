"""A message whose processing raises waits between attempts (the one backoff policy), is set aside
as failed after the last one, and `reportbot quarantine retry` runs the normal pipeline on it again.
A failed outbox mail and a refused address can be retried too. Real Dovecot and SMTP sink."""
from __future__ import annotations

import contextlib
import io
from datetime import timedelta

from sqlmodel import select

import bot.intake.pipeline
from bot.cli import main
from bot.core.backoff import RETRY
from db.models import Contact, Event, InboundMessage, OutboundMail, Submission
from tests.sites import address

from .site import at, report_reply


def _cli(site, *args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args, "--config", str(site.config_path)])
    return code, out.getvalue(), err.getvalue()


def test_a_crashing_message_waits_between_attempts_and_staff_retry_recovers_it(site_factory, monkeypatch):
    site = site_factory("crash")
    site.tick(at(19, 12, 9))
    site.append(report_reply("BYT", site.dispatch_to("BYT"), at(23, 12, 10)), at(23, 12, 10))
    crashes = []

    def broken_parse(msg, outline, limits=None):
        crashes.append(1)
        raise RuntimeError("the parser's helper died")

    monkeypatch.setattr(bot.intake.pipeline, "read_contents", broken_parse)

    t0 = at(23, 12, 10, 1)
    site.poll(t0)
    with site.session() as s:
        row = s.exec(select(InboundMessage)).one()
        first_due = row.next_attempt_at
    assert row.state == "stored" and row.attempts == 1 and row.reason_code == "processing_failed"
    low, high = RETRY.base_seconds * 0.5, RETRY.base_seconds
    assert timedelta(seconds=low) <= first_due - t0 <= timedelta(seconds=high)

    site.poll(t0 + timedelta(seconds=low / 2))           # not due yet: the message is not touched
    assert len(crashes) == 1
    site.poll(first_due)                                 # due: the second attempt
    with site.session() as s:
        row = s.exec(select(InboundMessage)).one()
    assert len(crashes) == 2 and row.attempts == 2
    assert timedelta(seconds=2 * low) <= row.next_attempt_at - first_due <= timedelta(seconds=2 * high)
    site.poll(row.next_attempt_at)                       # the third and last
    with site.session() as s:
        row = s.exec(select(InboundMessage)).one()
        assert s.exec(select(Submission)).all() == []
    assert len(crashes) == 3 and row.state == "failed" and row.next_attempt_at is None
    site.poll(row.processed_at or t0 + timedelta(days=1))  # failed: never retried on its own
    assert len(crashes) == 3

    monkeypatch.undo()                                   # the bug is fixed; staff retry the message
    code, out, _ = _cli(site, "quarantine", "retry", str(row.id))
    assert code == 0 and f"message #{row.id}: processed → BYT" in out
    with site.session() as s:
        row = s.get(InboundMessage, row.id)
        sub = s.exec(select(Submission)).one()
        acks = s.exec(select(OutboundMail).where(OutboundMail.kind == "ack")).all()
        retried = s.exec(select(Event).where(Event.kind == "mail.retried")).one()
    assert row.state == "processed" and row.classification == "report" and sub.is_current and len(acks) == 1
    assert retried.actor == "cli" and retried.detail["inbound_id"] == row.id

    code, _, err = _cli(site, "quarantine", "retry", str(row.id))    # a second press: nothing twice
    assert code == 2 and "processed, not quarantined or failed" in err
    code, _, err = _cli(site, "quarantine", "retry", "99999")
    assert code == 2 and "no received message" in err


def test_a_failed_mail_and_a_refused_address_are_sent_again_when_staff_say_so(site_factory):
    site = site_factory("resend")
    site.tick(at(19, 12, 9))                             # HNI's address is refused with 550 at RCPT
    with site.session() as s:
        failed = s.exec(select(OutboundMail).where(OutboundMail.status == "failed")).one()
        assert s.exec(select(Contact).where(Contact.email == address("HNI"))).one().state == "failed"
    code, out, _ = _cli(site, "outbox", "list", "--format", "json")
    assert code == 0 and f'"id": {failed.id}' in out

    site.smtp.clear_rules()                              # the agency fixed its mailbox
    assert _cli(site, "outbox", "retry-address", address("HNI"))[0] == 0
    assert _cli(site, "outbox", "retry", str(failed.id))[0] == 0
    code, _, err = _cli(site, "outbox", "retry", str(failed.id))     # pressed twice: one resend
    assert code == 2 and "is pending, not failed" in err
    site.tick(at(19, 12, 9, 5))
    letters = [m for m in site.received() if str(m["Message-ID"]) == failed.message_id]
    assert len(letters) == 1
    with site.session() as s:
        assert s.get(OutboundMail, failed.id).status == "sent"
        kinds = [e.kind for e in s.exec(select(Event).where(Event.actor == "cli"))]
    assert kinds.count("outbox.retried") == 1 and kinds.count("contact.retried") == 1


def test_a_report_through_a_mailing_list_is_recorded_but_not_acknowledged(site_factory):
    """Regression: a registered agency's report that came through its list server (List-Id,
    Precedence: bulk) was acknowledged — to the list — although classify marked it not to be answered."""
    site = site_factory("list")
    site.tick(at(19, 12, 9))
    raw = report_reply("BYT", site.dispatch_to("BYT"), at(23, 12, 10))
    head, _, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    nl = b"\r\n" if b"\r\n" in head else b"\n"
    raw = head + nl + b"List-Id: Van thu Bo Y te <vanthu.byt.example>" + nl + b"Precedence: bulk" + nl + nl + body
    site.append(raw, at(23, 12, 10))
    site.poll(at(23, 12, 10, 1))
    with site.session() as s:
        row = s.exec(select(InboundMessage)).one()
        subs = s.exec(select(Submission)).all()
        acks = s.exec(select(OutboundMail).where(OutboundMail.kind == "ack")).all()
        withheld = s.exec(select(Event).where(Event.kind == "ack.withheld")).all()
    assert row.state == "processed" and row.classification == "report" and len(subs) == 1
    assert acks == [] and len(withheld) == 1 and row.reason_code == "not_to_be_answered"


def test_two_staff_assigning_one_message_at_once_record_it_once(site_factory, pg_url):
    """The console and the CLI (or two presses) at the same moment: one assignment, one report."""
    import threading

    from bot.core.errors import Conflict
    from bot.staff.quarantine import assign_message

    site = site_factory("assign2", db_url=pg_url)
    site.tick(at(19, 12, 9))
    stranger = report_reply("BYT", site.dispatch_to("BYT"), at(23, 12, 10)).replace(
        address("BYT").encode(), b"canbo.byt@gmail.example")
    site.append(stranger, at(23, 12, 10))
    site.poll(at(23, 12, 10, 1))
    with site.session() as s:
        row = s.exec(select(InboundMessage)).one()
    assert row.state == "quarantined"
    outcomes, refused, start = [], [], threading.Barrier(2)

    def press(who):
        start.wait()
        try:
            outcomes.append(assign_message(site.app, row.id, "BYT", actor=who, now=at(23, 12, 11)))
        except Conflict as e:
            refused.append(str(e))

    threads = [threading.Thread(target=press, args=(w,)) for w in ("lan", "minh")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert [o.state for o in outcomes] == ["processed"] and len(refused) == 1
    with site.session() as s:
        assert len(s.exec(select(Submission)).all()) == 1
        assert len(s.exec(select(Event).where(Event.kind == "mail.assigned")).all()) == 1
