"""A bounced agency gets a new address, and the letter: `reportbot agencies contact`, then the
next tick sends the dispatch (same attachments, its own Message-ID) to the new address, once."""
from __future__ import annotations

import contextlib
import io

from sqlmodel import select

from bot.cli import main
from db.models import Agency, Contact, Event, OutboundMail
from tests.sites import address

from .site import at


def _cli(site, *args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args, "--config", str(site.config_path)])
    return code, out.getvalue(), err.getvalue()


def _letters_to(site, addr: str):
    return [m for m in site.received() if str(m["X-Reportbot-Kind"]) == "dispatch" and addr in str(m["To"])]


def test_a_new_address_of_an_agency_whose_letter_was_refused_gets_the_letter_once(site_factory):
    site = site_factory("newaddr")
    site.tick(at(19, 12, 9))                          # HNI's only address is refused (550 at RCPT)
    [first] = _letters_to(site, address("BYT"))      # what every agency received
    new = "vanthu.moi@hanoi.example"
    code, out, _ = _cli(site, "agencies", "contact", "HNI", "--replace", address("HNI"), new)
    assert code == 0 and f"mail goes to {new}" in out
    site.tick(at(19, 12, 10))
    site.tick(at(19, 12, 11))                         # a second tick, and staff pressing again:
    code, _, err = _cli(site, "agencies", "contact", "HNI", "--add", new)
    assert code == 2 and "already an address of HNI" in err
    site.tick(at(19, 12, 12))

    [letter] = _letters_to(site, new)
    names = sorted(p.get_filename() for p in letter.iter_attachments())
    assert names == sorted(p.get_filename() for p in first.iter_attachments()) and names
    with site.session() as s:
        rows = s.exec(select(OutboundMail).where(OutboundMail.kind == "dispatch")).all()
        hni = [r for r in rows if new in r.to_addrs or address("HNI") in r.to_addrs]
        events = [e.kind for e in s.exec(select(Event).where(Event.actor == "cli"))]
    assert sorted((r.seq, r.status) for r in hni) == [(1, "failed"), (2, "sent")]
    resent = next(r for r in hni if r.seq == 2)
    assert str(letter["Message-ID"]) == resent.message_id != next(r for r in hni if r.seq == 1).message_id
    assert events.count("contact.added") == 1 and events.count("contact.removed") == 1


def test_an_agency_the_letter_reached_gets_no_second_letter_for_a_new_address(site_factory):
    site = site_factory("second")
    site.tick(at(19, 12, 9))
    assert _cli(site, "agencies", "contact", "BYT", "--add", "lanhdao@byt.example")[0] == 0
    site.tick(at(19, 12, 10))
    assert _letters_to(site, "lanhdao@byt.example") == []   # the letter reached BYT's first address
    with site.session() as s:
        assert s.exec(select(Contact).where(Contact.email == "lanhdao@byt.example")).one().state == "active"


def test_bad_contact_changes_say_why_and_change_nothing(site_factory):
    site = site_factory("badaddr")
    for args, said in ((("HNI", "--add", "not-an-address"), "is not an e-mail address"),
                       (("XYZ", "--add", "a@b.example"), "no agency 'XYZ'"),
                       (("HNI", "--remove", "nobody@hanoi.example"), "is not an address of HNI"),
                       (("HNI", "--add", address("BYT")), "is an address of BYT"),
                       (("HNI",), "say which address")):
        code, _, err = _cli(site, "agencies", "contact", *args)
        assert code == 2 and said in err, (args, err)
    with site.session() as s:
        hni = s.exec(select(Agency).where(Agency.code == "HNI")).one()
        assert [c.email for c in s.exec(select(Contact).where(Contact.agency_id == hni.id))] == [address("HNI")]
