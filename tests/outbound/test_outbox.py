"""Planning into the outbox: rows written once per key, to the right addresses, before any send."""
from __future__ import annotations

from sqlmodel import select

from bot.outbound.mails import Receipt, ReceivedFile, Sender
from bot.outbound.outbox import insert_planned, queue_ack, queue_due, render_due
from bot.staff.digest import send_digest
from db.models import Contact, Enrollment, InboundMessage, OutboundMail

from .helpers import at
from .outbox_site import agency_row, make_site_fixture, parsed, run_cli_fixture  # noqa: F401 (fixtures)

DISPATCH = at("19/12/2024", "09:00")
SENDER = Sender("Cục Báo chí <baocao@example.gov.vn>")


def test_inserting_an_existing_key_is_a_no_op(make_site):
    site = make_site(agencies=[agency_row("AAA")])
    with site.session() as s:
        c = s.merge(site.campaign())
        (first,) = render_due(s, c, DISPATCH, SENDER, site.app.store)
        (racing,) = render_due(s, c, DISPATCH, SENDER, site.app.store)  # another process, same moment
        assert first.key == racing.key == "5422/BTTTT-CBC|AAA|dispatch|1"
        assert first.message_id != racing.message_id
        assert insert_planned(s, first, DISPATCH) is True
        assert insert_planned(s, racing, DISPATCH) is False
    (row,) = site.rows()
    assert row.message_id == first.message_id and row.status == "pending" and site.body(row) == first.msg.as_bytes()
    assert row.to_addrs == ["vanthu@aaa.example"] and row.created_at == DISPATCH
    assert len(site.events("outbox.queued")) == 1


def test_only_active_primary_contacts_are_addressed_and_nobody_else_is_mailed(make_site):
    site = make_site(agencies=[agency_row("AAA", emails="old@aaa.example;vanthu@aaa.example"),
                               agency_row("BBB"), agency_row("CCC"), agency_row("DDD")])
    with site.session() as s:
        for ct in s.exec(select(Contact)):
            if ct.email in ("old@aaa.example", "vanthu@bbb.example"):
                ct.state = "bounced" if ct.email.startswith("old") else "failed"
        exempt = s.exec(select(Enrollment).where(Enrollment.agency_id == site.agency("CCC").id)).one()
        exempt.exempt = True
        queued = queue_due(s, s.merge(site.campaign()), DISPATCH, SENDER, site.app.store)
    assert [(p.agency_code, p.kind) for p in queued] == [("AAA", "dispatch"), ("DDD", "dispatch")]
    assert [r.to_addrs for r in site.rows()] == [["vanthu@aaa.example"], ["vanthu@ddd.example"]]
    with site.session() as s:
        assert queue_due(s, s.merge(site.campaign()), DISPATCH, SENDER, site.app.store) == []


def test_the_dispatch_command_does_not_wait_for_dispatch_at(make_site):
    site = make_site(agencies=[agency_row("AAA")])
    early = at("18/12/2024", "15:00")
    with site.session() as s:
        c = s.merge(site.campaign())
        assert queue_due(s, c, early, SENDER, site.app.store) == []
        (p,) = queue_due(s, c, early, SENDER, site.app.store, dispatch_now=True)
    assert p.kind == "dispatch" and site.rows()[0].due_at == early


def test_an_ack_is_queued_once_per_inbound_message_and_threads_under_it(make_site):
    site = make_site(agencies=[agency_row("AAA")])
    with site.session() as s:
        inbound = InboundMessage(sha256="a" * 64, message_id="<bc-1@aaa.example>", raw_path="mail/x.eml",
                                 from_addr="Văn thư <vanthu@aaa.example>", subject="Re: [5422/BTTTT-CBC #AAA]")
        s.add(inbound)
        s.flush()
        receipt = Receipt(received_at=at("26/12/2024", "10:00"),
                          files=(ReceivedFile("Báo cáo.docx", 12345, "ab" * 32),))
        args = (s, s.merge(site.campaign()), s.merge(site.agency("AAA")), inbound, receipt)
        p = queue_ack(*args, sender=SENDER, now=at("26/12/2024", "10:01"))
        assert queue_ack(*args, sender=SENDER, now=at("26/12/2024", "10:05")) is None
        inbound_id = inbound.id
    assert p.key == f"5422/BTTTT-CBC|AAA|ack|{inbound_id}"
    (row,) = site.rows(kind="ack")
    assert row.seq == inbound_id and row.to_addrs == ["vanthu@aaa.example"]
    assert row.in_reply_to == "<bc-1@aaa.example>" == parsed(site.body(row))["In-Reply-To"]


def test_no_ack_goes_to_an_address_that_failed(make_site):
    site = make_site(agencies=[agency_row("AAA")])
    with site.session() as s:
        s.exec(select(Contact)).one().state = "failed"
        inbound = InboundMessage(sha256="b" * 64, message_id="<bc-2@aaa.example>", raw_path="mail/y.eml",
                                 from_addr="vanthu@aaa.example")
        s.add(inbound)
        s.flush()
        receipt = Receipt(received_at=at("26/12/2024", "10:00"), files=())
        assert queue_ack(s, s.merge(site.campaign()), s.merge(site.agency("AAA")), inbound, receipt,
                         sender=SENDER, now=at("26/12/2024", "10:01")) is None
    assert site.rows() == []


def test_the_digest_is_queued_once_per_campaign_and_day(make_site):
    site = make_site(agencies=[agency_row("AAA")])
    with site.session() as s:
        c = s.merge(site.campaign())
        kw = {"to": ["staff@example.gov.vn"], "sender": SENDER}
        p = send_digest(s, c, now=at("25/12/2024", "07:30"), **kw)
        assert send_digest(s, c, now=at("25/12/2024", "09:00"), **kw) is None
        assert send_digest(s, c, now=at("26/12/2024", "07:30"), **kw) is not None
    assert p.key == "5422/BTTTT-CBC|-|digest|20241225"
    rows = site.rows(kind="digest")
    assert [(r.seq, r.agency_id, r.to_addrs) for r in rows] == [
        (20241225, None, ["staff@example.gov.vn"]), (20241226, None, ["staff@example.gov.vn"])]


def test_queued_rows_hold_exactly_what_will_be_sent(make_site):
    site = make_site(agencies=[agency_row("AAA", escalation="lanhdao@aaa.example")])
    with site.session() as s:
        queue_due(s, s.merge(site.campaign()), DISPATCH, SENDER, site.app.store)
    (row,) = site.rows()
    msg = parsed(site.body(row))
    assert msg["Message-ID"] == row.message_id and str(msg["Subject"]) == row.subject
    assert row.cc_addrs == [] and "lanhdao@aaa.example" not in site.body(row).decode("ascii")
    with site.session() as s:
        assert s.exec(select(OutboundMail.status)).all() == ["pending"]


def test_the_dispatch_quotes_the_letter_from_the_campaign_row_once_its_file_is_gone(make_site, campaign_toml):
    site = make_site(agencies=[agency_row("AAA")])
    with site.session() as s:  # the campaign file moved (or was edited) after `campaign load`
        c = s.merge(site.campaign())
        assert c.letter == campaign_toml["letter"]
        c.source_path, c.source_sha256 = "/nowhere/5422-BTTTT-CBC.toml", "0" * 64
    with site.session() as s:
        (p,) = render_due(s, s.merge(site.campaign()), DISPATCH, SENDER, site.app.store)
    text = p.msg.get_body(("plain",)).get_content()
    assert "Quyết định số 348/QĐ-TTg" in text and "Theo Đề cương gửi kèm".lower() in text.lower()
