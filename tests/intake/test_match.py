"""Matching a reply to its agency: thread, token, address, domain; ambiguity means quarantine."""

from __future__ import annotations

import pytest

from bot.intake.headers import parse_message
from bot.intake.match import Directory, MsgFacts, match_agency

CAMPAIGN = "5422/BTTTT-CBC"


@pytest.fixture
def directory() -> Directory:
    return Directory(
        outbox={"dispatch-1@cucbaochi.gov.vn": (CAMPAIGN, "BYT"), "reminder-7@cucbaochi.gov.vn": (CAMPAIGN, "NGHEAN")},
        agencies={"BYT", "BYTE", "NGHEAN", "HATINH", "BTC"},
        campaigns={CAMPAIGN},
        addresses={"vanthu@byt.gov.vn": {"BYT"}, "chung@shared.vn": {"BTC", "HATINH"}},
        domains={"byt.gov.vn": {"BYT"}, "nghean.gov.vn": {"NGHEAN"}, "hatinh.gov.vn": {"HATINH"},
                 "chung.gov.vn": {"BTC", "HATINH"}},
        agency_campaigns={"BYT": {CAMPAIGN}, "NGHEAN": {CAMPAIGN}, "HATINH": {CAMPAIGN}, "BTC": {CAMPAIGN}},
    )


def facts(subject="Báo cáo", sender="someone@unknown.example", ids=()):
    return MsgFacts(tuple(ids), subject, sender)


def test_reply_in_thread_matches_our_outbox(directory):
    r = match_agency(facts(sender="vanthu@byt.gov.vn", ids=["dispatch-1@cucbaochi.gov.vn"]), directory)
    assert (r.agency_code, r.campaign_code, r.method, r.sender_known) == ("BYT", CAMPAIGN, "thread", True)
    assert r.confidence >= 0.95


def test_thread_wins_over_a_token_for_another_agency(directory):
    r = match_agency(facts(subject=f"[{CAMPAIGN} #HATINH]", sender="x@nghean.gov.vn", ids=["<reminder-7@cucbaochi.gov.vn>"]), directory)
    assert r.agency_code == "NGHEAN" and r.method == "thread"


def test_thread_match_from_an_unregistered_sender_has_lower_confidence(directory):
    r = match_agency(facts(sender="someone@gmail.com", ids=["dispatch-1@cucbaochi.gov.vn"]), directory)
    assert r.agency_code == "BYT" and r.sender_known is False and r.confidence < 0.8


def test_message_id_case_changed_by_a_gateway_still_matches(directory):
    r = match_agency(facts(ids=["DISPATCH-1@CUCBAOCHI.GOV.VN"]), directory)
    assert r.agency_code == "BYT" and r.method == "thread"


@pytest.mark.parametrize("subject", [
    f"RE: Fwd: [{CAMPAIGN} #BYT] Báo cáo chuyển đổi số",
    "TL: [5422/BTTTT-CBC #byt]",
    "Trả lời: [ 5422 / BTTTT - CBC  # BYT ] báo cáo",
    "[5422/BTTTT–CBC #BYT]",  # en dash
    "[５４２２/BTTTT-CBC #BYT]",  # full-width digits
    "Re: [5422/BTTTT-CBC#BYT]",
])
def test_mangled_subject_tokens_match(directory, subject):
    r = match_agency(facts(subject=subject, sender="vanthu@byt.gov.vn"), directory)
    assert (r.agency_code, r.campaign_code, r.method) == ("BYT", CAMPAIGN, "token")


def test_token_split_by_encoded_words_matches(directory):
    raw = (b"From: vanthu@byt.gov.vn\r\nSubject: =?utf-8?q?Re=3A_=5B5422=2FBTTTT-?=\r\n =?utf-8?q?CBC_=23BYT=5D_B=C3=A1o_c=C3=A1o?=\r\n\r\nx")
    r = match_agency(MsgFacts.from_message(parse_message(raw)), directory)
    assert r.agency_code == "BYT" and r.method == "token"


def test_token_agency_code_needs_a_boundary(directory):
    r = match_agency(facts(subject=f"[{CAMPAIGN} #BYTE]"), directory)
    assert r.agency_code == "BYTE"
    r = match_agency(facts(subject=f"[{CAMPAIGN} #BYTX]"), directory)
    assert r.agency_code is None


def test_token_for_an_unknown_agency_is_no_match(directory):
    r = match_agency(facts(subject=f"[{CAMPAIGN} #XYZ]"), directory)
    assert r.agency_code is None and r.method is None


def test_exact_sender_address(directory):
    r = match_agency(facts(sender="VanThu@BYT.gov.vn"), directory)
    assert (r.agency_code, r.method, r.campaign_code) == ("BYT", "address", CAMPAIGN)


def test_department_subdomain_matches_the_registered_parent_domain(directory):
    r = match_agency(facts(sender="vanphong@stttt.nghean.gov.vn"), directory)
    assert (r.agency_code, r.method) == ("NGHEAN", "domain")
    assert r.confidence < match_agency(facts(sender="a@nghean.gov.vn"), directory).confidence


def test_shared_domain_is_ambiguous_and_quarantined(directory):
    r = match_agency(facts(sender="a@chung.gov.vn"), directory)
    assert r.agency_code is None and set(r.candidates) == {"BTC", "HATINH"}


def test_shared_address_is_ambiguous_and_quarantined(directory):
    r = match_agency(facts(sender="chung@shared.vn"), directory)
    assert r.agency_code is None and set(r.candidates) == {"BTC", "HATINH"}


def test_parent_walk_stops_at_registry_suffix(directory):
    directory.domains["gov.vn"] = {"BTC"}  # a data-entry mistake must not capture every ministry
    r = match_agency(facts(sender="a@other.gov.vn"), directory)
    assert r.agency_code is None


def test_webmail_domain_is_never_domain_evidence(directory):
    directory.domains["gmail.com"] = {"BTC"}
    assert match_agency(facts(sender="someone@gmail.com"), directory).agency_code is None


def test_unknown_sender_is_no_match(directory):
    r = match_agency(facts(sender="spam@evil.example"), directory)
    assert r.agency_code is None and r.method is None and r.confidence == 0.0
