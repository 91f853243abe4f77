"""Spoofing and mail loops, against a real `reportbot run`.

Replies reach the inbox through an inbound SMTP server (our "MX", aiosmtpd delivering into
Dovecot) that stamps each with its own Authentication-Results above its Received header, as
a border MTA does. Under `sender_policy = "require"`:
- a forged From of a known agency that fails authentication never becomes a submission;
- an Authentication-Results field the sender wrote itself — with our authserv-id, below our
  Received header — or one from a foreign server is ignored;
- a mail from our own address is never processed as a report;
- a genuine, authenticated reply is taken (the policy is not simply shutting the door).
Then loops: an auto-responder answering every ack with a report-like mail (no RFC 3834
headers) is cut off by the per-sender daily ack cap; a well-behaved one (Auto-Submitted) is
never answered at all.
"""
from __future__ import annotations

import re
import smtplib
import threading
import time
from collections import Counter
from datetime import timedelta
from email.parser import BytesHeaderParser

from sqlmodel import select

from db.models import Event, InboundMessage, OutboundMail, Submission
from tests.sites import ServiceRun, settled, wait_until

from .harness import START, SinkIndex, Timeline
from .world import OUR_ADDRESS, address, report_mail

OUR_MX = "mx.example.gov.vn"
PASS = "spf=pass smtp.mailfrom={d}; dkim=pass header.d={d}; dmarc=pass header.from={d}"
FAIL = "spf=fail smtp.mailfrom={d}; dkim=none; dmarc=fail header.from={d}"


def _inbound_mx(site, smtp_server_factory, verdicts: dict[str, str]):
    """aiosmtpd delivering to the site's inbox, stamping `verdicts[Message-ID]` as ours."""
    def stamp(msg) -> list[str]:
        mid = str(BytesHeaderParser().parsebytes(msg.data)["Message-ID"]).strip()
        return [f"Authentication-Results: {OUR_MX}; {verdicts[mid]}"] if mid in verdicts else []
    return smtp_server_factory(deliver_to=site.dovecot, mailboxes={OUR_ADDRESS: site.account.username},
                               delivery_headers=stamp, hostname=OUR_MX)


def _send(mx, raw: bytes, mail_from: str) -> None:
    with smtplib.SMTP(mx.host, mx.port, timeout=30) as c:
        c.sendmail(mail_from, [OUR_ADDRESS], raw)


def test_forged_and_self_certified_senders_never_become_submissions(make_site, smtp_server_factory):
    site = make_site("spoof", agencies=6, security=f'authserv_id = "{OUR_MX}"\nsender_policy = "require"')
    timeline = Timeline(START - timedelta(days=1), 1.0)
    now = timeline.now()
    genuine = report_mail("CQ0001", now, thread=None)
    forged = report_mail("CQ0002", now, thread=None)
    self_certified = report_mail("CQ0003", now, thread=None)   # writes our verdict itself
    foreign = report_mail("CQ0004", now, thread=None)          # a foreign server's "pass"
    own = report_mail("CQ0005", now, thread=None)              # claims to be us
    d = lambda code: f"{code.lower()}.example"
    verdicts = {genuine.message_id: PASS.format(d=d("CQ0001")), forged.message_id: FAIL.format(d=d("CQ0002")),
                self_certified.message_id: FAIL.format(d=d("CQ0003")), own.message_id: PASS.format(d="example.gov.vn")}
    mx = _inbound_mx(site, smtp_server_factory, verdicts)
    _send(mx, genuine.raw, address("CQ0001"))
    _send(mx, forged.raw, "attacker@evil.example")
    planted = f"Authentication-Results: {OUR_MX}; {PASS.format(d=d('CQ0003'))}\r\n".encode()
    _send(mx, planted + self_certified.raw, "attacker@evil.example")
    foreign_ar = f"Authentication-Results: mx.evil.example; {PASS.format(d=d('CQ0004'))}\r\n".encode()
    _send(mx, foreign_ar + foreign.raw, "attacker@evil.example")
    own_raw = re.sub(rb"^From: [^\r\n]*", f"From: {OUR_ADDRESS}".encode(), own.raw, count=1, flags=re.MULTILINE)
    assert own_raw != own.raw
    _send(mx, own_raw, OUR_ADDRESS)

    run = ServiceRun(site, now)
    wait_until(lambda: settled(site) and _count(site) == 5, 90, "taking in the mail", run)
    assert run.stop() == 0
    with site.session() as s:
        rows = {r.message_id: r for r in s.exec(select(InboundMessage))}
        subs = {x.inbound_id for x in s.exec(select(Submission))}
        acks = s.exec(select(OutboundMail.to_addrs).where(OutboundMail.kind == "ack")).all()
    row = lambda r: rows[r.message_id.strip("<>")]
    assert row(genuine).state == "processed" and row(genuine).id in subs
    for r in (forged, self_certified, foreign):
        assert row(r).state == "quarantined" and row(r).id not in subs, (row(r).state, row(r).reason)
        assert "verification failed" in row(r).reason
    assert "no Authentication-Results" in row(foreign).reason  # the foreign field was not read
    assert (row(own).state, row(own).classification) == ("ignored", "own") and row(own).id not in subs
    assert acks == [[address("CQ0001")]]  # only the genuine reply is acknowledged


def _count(site) -> int:
    with site.session() as s:
        return len(s.exec(select(InboundMessage.id)).all())


class AutoResponder(threading.Thread):
    """An agency mailbox answering every mail we send it, straight into our inbox."""

    def __init__(self, site, code: str, *, rfc3834: bool, timeline) -> None:
        super().__init__(daemon=True)
        self.site, self.code, self.rfc3834, self.timeline = site, code, rfc3834, timeline
        self.sink = SinkIndex(site.smtp)
        self.answered: list[str] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(0.2):
            for mid, _kind, agency, _ in self.sink.refresh().arrivals[len(self.answered):]:
                self.answered.append(mid)
                if agency == self.code:
                    self.site.append(self._answer(mid), self.timeline.now())

    def _answer(self, mid: str) -> bytes:
        r = report_mail(self.code, self.timeline.now(), thread=mid)  # the report, attached again
        if not self.rfc3834:
            return r.raw
        return r.raw.replace(b"Subject: ", b"Auto-Submitted: auto-replied\r\nSubject: ", 1)


def test_auto_responders_answering_every_ack_do_not_loop(make_site):
    site = make_site("loop", agencies=4)
    cap = site.app.config.security.acks_per_sender_per_day
    timeline = Timeline(START - timedelta(days=1), 1.0)  # a simulated day never ends in this test
    bad = AutoResponder(site, "CQ0001", rfc3834=False, timeline=timeline)
    good = AutoResponder(site, "CQ0002", rfc3834=True, timeline=timeline)
    for responder in (bad, good):
        responder.start()
        site.append(report_mail(responder.code, timeline.now(), thread=None).raw, timeline.now())
    run = ServiceRun(site, timeline.now())
    try:
        wait_until(lambda: _capped(site) >= 1, 120, "the responder being cut off", run)
        time.sleep(3)  # a few more ticks and polls: nothing new may happen
        wait_until(lambda: settled(site), 60, "settling", run)
    finally:
        bad.halt.set()
        good.halt.set()
    assert run.stop() == 0
    with site.session() as s:
        acks = Counter(a for to in s.exec(select(OutboundMail.to_addrs).where(OutboundMail.kind == "ack"))
                       for a in to)
        states = Counter((r.from_addr, r.classification) for r in s.exec(select(InboundMessage)))
    print(f"\nacks: {dict(acks)}; inbound: {dict(states)}; capped: {_capped(site)}")
    assert acks[address("CQ0001")] == cap              # then cut off ...
    assert states[(address("CQ0001"), "report")] == cap + 1  # ... after the cap's worth of echoes
    assert acks[address("CQ0002")] == 1                 # the RFC 3834 responder's reply is never answered
    assert states[(address("CQ0002"), "auto_reply")] == 1


def _capped(site) -> int:
    with site.session() as s:
        return len(s.exec(select(Event.id).where(Event.kind == "ack.capped")).all())
