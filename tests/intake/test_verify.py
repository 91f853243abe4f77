"""Sender verification from our own server's Authentication-Results only."""

from __future__ import annotations

from bot.intake.headers import parse_message
from bot.intake.verify import parse_authentication_results, verify

OURS = "mx.cucbaochi.gov.vn"
RECEIVED_OURS = "Received: from mail.byt.gov.vn by mx.cucbaochi.gov.vn; Mon, 23 Dec 2024 09:00:00 +0700"
RECEIVED_SENDER = "Received: from pc by mail.byt.gov.vn; Mon, 23 Dec 2024 08:59:00 +0700"


def mail(*header_lines: str, sender: str = "vanthu@byt.gov.vn"):
    lines = [*header_lines, f"From: {sender}", "To: baocao@cucbaochi.gov.vn", "Subject: Báo cáo"]
    return parse_message(("\r\n".join(lines) + "\r\n\r\nbody").encode())


def ar(value: str, authserv: str = OURS) -> str:
    return f"Authentication-Results: {authserv}; {value}"


def test_dmarc_pass_for_the_agency_domain_passes():
    v = verify(mail(ar("spf=pass smtp.mailfrom=byt.gov.vn; dkim=pass header.d=byt.gov.vn; dmarc=pass header.from=byt.gov.vn"),
                    RECEIVED_OURS, RECEIVED_SENDER), OURS, ["byt.gov.vn"], "require")
    assert v.passed is True and v.aligned and (v.spf, v.dkim, v.dmarc) == ("pass", "pass", "pass")


def test_forged_from_of_a_known_agency_fails_under_require():
    v = verify(mail(ar("spf=fail smtp.mailfrom=evil.example; dkim=none; dmarc=fail header.from=byt.gov.vn"), RECEIVED_OURS),
               OURS, ["byt.gov.vn"], "require")
    assert v.passed is False and not v.aligned and v.dmarc == "fail"


def test_foreign_authentication_results_are_ignored():
    msg = mail(RECEIVED_OURS, ar("dmarc=pass header.from=byt.gov.vn", authserv="mx.google.com"), RECEIVED_SENDER)
    assert verify(msg, OURS, ["byt.gov.vn"], "require").passed is False
    recorded = verify(msg, OURS, ["byt.gov.vn"], "record")
    assert recorded.passed is None and "no Authentication-Results" in recorded.reason


def test_our_authserv_id_below_our_received_header_is_ignored():
    # The attacker wrote an Authentication-Results with our id into the message itself.
    msg = mail(ar("spf=fail smtp.mailfrom=evil.example; dmarc=fail header.from=byt.gov.vn"), RECEIVED_OURS,
               ar("spf=pass smtp.mailfrom=byt.gov.vn; dkim=pass header.d=byt.gov.vn; dmarc=pass header.from=byt.gov.vn"),
               RECEIVED_SENDER)
    v = verify(msg, OURS, ["byt.gov.vn"], "require")
    assert v.passed is False and v.dmarc == "fail" and v.dkim is None


def test_several_fields_of_our_server_are_merged_topmost_first():
    msg = mail(ar("dmarc=pass header.from=byt.gov.vn"), ar("spf=pass smtp.mailfrom=<bounce@byt.gov.vn>"),
               ar("dkim=pass header.d=byt.gov.vn"), RECEIVED_OURS)
    v = verify(msg, OURS, ["byt.gov.vn"], "require")
    assert v.passed and (v.spf, v.dkim, v.dmarc) == ("pass", "pass", "pass") and v.spf_domain == "byt.gov.vn"


def test_department_subdomain_signed_by_the_parent_domain_passes():
    msg = mail(ar("dkim=pass header.d=nghean.gov.vn"), RECEIVED_OURS, sender="vanphong@stttt.nghean.gov.vn")
    assert verify(msg, OURS, ["nghean.gov.vn"], "require").passed is True


def test_dkim_pass_for_another_domain_does_not_authenticate_the_from():
    msg = mail(ar("dkim=pass header.d=mailer.example.com; spf=pass smtp.mailfrom=mailer.example.com"), RECEIVED_OURS)
    v = verify(msg, OURS, ["byt.gov.vn"], "require")
    assert v.passed is False and v.dkim_domains == ("mailer.example.com",)


def test_alignment_does_not_climb_to_a_registry_suffix():
    msg = mail(ar("dkim=pass header.d=gov.vn"), RECEIVED_OURS)
    assert verify(msg, OURS, ["byt.gov.vn"], "require").passed is False


def test_authenticated_sender_outside_the_agency_domains_is_not_aligned():
    msg = mail(ar("dmarc=pass header.from=other.gov.vn"), RECEIVED_OURS, sender="a@other.gov.vn")
    v = verify(msg, OURS, ["byt.gov.vn"], "require")
    assert v.passed is False and "not a registered domain" in v.reason


def test_registered_webmail_address_aligns_only_exactly():
    header = ar("dkim=pass header.d=gmail.com; dmarc=pass header.from=gmail.com")
    ok = verify(mail(header, RECEIVED_OURS, sender="sotttt.tinh@gmail.com"), OURS, [], "require",
                agency_addresses=["SoTTTT.Tinh@gmail.com"])
    other = verify(mail(header, RECEIVED_OURS, sender="someone@gmail.com"), OURS, [], "require",
                   agency_addresses=["sotttt.tinh@gmail.com"])
    assert ok.passed is True and other.passed is False


def test_policies():
    msg = mail(ar("dmarc=fail header.from=byt.gov.vn"), RECEIVED_OURS)
    assert verify(msg, OURS, ["byt.gov.vn"], "off").passed is None
    assert verify(msg, OURS, ["byt.gov.vn"], "record").passed is False  # judged, caller only records
    assert verify(msg, OURS, ["byt.gov.vn"], "sometimes").passed is False  # unknown policy acts as require
    assert verify(msg, "", ["byt.gov.vn"], "require").passed is False
    assert verify(msg, "", ["byt.gov.vn"], "record").passed is None


def test_authserv_id_is_case_insensitive():
    msg = mail(ar("dmarc=pass header.from=byt.gov.vn", authserv="MX.CucBaoChi.gov.vn"), RECEIVED_OURS)
    assert verify(msg, OURS, ["byt.gov.vn"], "require").passed is True


def test_parser_reads_what_strict_parsers_refuse():
    # authres rejects the angle brackets and the trailing ";"; the fallback reads them
    parsed = parse_authentication_results(f"{OURS} (Postfix); spf=pass (sender ok) smtp.mailfrom=<a@byt.gov.vn>; dkim=pass header.d=byt.gov.vn;")
    assert parsed is not None
    authserv, results = parsed
    assert authserv == OURS
    assert [(r.method, r.result) for r in results] == [("spf", "pass"), ("dkim", "pass")]
    assert results[1].props["header.d"] == "byt.gov.vn"


def test_garbage_header_never_raises():
    msg = mail("Authentication-Results: ;;;=((((", ar("dkim=" * 1000), RECEIVED_OURS)
    assert verify(msg, OURS, ["byt.gov.vn"], "require").passed is False
