"""Failed recipients and returned Message-IDs from the real bounces.

For DSNs the expectation is computed from the raw text (every Final-Recipient line).
For the non-standard notices the expected address was read by hand from each notice;
files whose notice names no address are listed with what they say instead.
"""

from __future__ import annotations

import email
import email.policy
import re

from bot.intake.bounce import failed_recipients, returned_message_ids
from bot.intake.headers import content_type, walk_parts

from .corpus import files, load, manifest_notes

# file -> an address the notice states as failed (read by hand)
STATED = {
    "bounce_email__malformed_bounce_01.txt.eml": "mithlesh_pm@rediffmail.com",
    "bounce_email__tt_bounce_12_soft.txt.eml": "info@radioliepaja.lv",
    "bounce_email__tt_bounce_14.txt.eml": "jolanta_putnina@ogreszinas.lv",
    "bounce_email__unknown_code_bounce_01.txt.eml": "sdrake@tradingpost.ch",
    "bounceparser__domino.unknown.msg.eml": "recipient@example.net",
    "bounceparser__exchange.unknown.msg.eml": "recipient@example.net",
    "bounceparser__non-autoreply.msg.eml": "hbsdpphvfex@blackwebportal.com",
    "bounceparser__novell-with-rhs.msg.eml": "recipient@example.net",
    "bounceparser__warning-5.msg.eml": "a@b.c",
    "flanker__broken-mime.eml": "info@example.net",
    "flanker__gmail-invalid-address.eml": "awfawfawfawfawfaw@someserverhere.com",
    "flanker__gmail-no-dns.eml": "user@example.comm",
    "flufl__aol_01.txt.eml": "xxx@lists.xxx.com",
    "flufl__bounce_02.txt.eml": "acinsp1@midsouth.rr.com",
    "flufl__groupwise_01.txt.eml": "thoff@mainex1.asu.edu",
    "flufl__llnl_01.txt.eml": "trotts1@llnl.gov",
    "flufl__microsoft_03.txt.eml": "midica@banknbr.com",
    "flufl__newmailru_01.txt.eml": "zzzzz@newmail.ru",
    "flufl__simple_01.txt.eml": "bbbsss@turbosport.com",
    "flufl__simple_03.txt.eml": "jacobus@geo.co.za",
    "flufl__simple_12.txt.eml": "charrogar@rhine1.andrew.ac.jp",
    "flufl__simple_15.txt.eml": "isam@kviv.be",
    "flufl__simple_18.txt.eml": "powell@kesslersupply.com",
    "flufl__simple_20.txt.eml": "duke@ald.socgen.com",
    "flufl__simple_22.txt.eml": "rlipton@prev.org",
    "flufl__simple_25.txt.eml": "mahau@cnbearing.com",
    "flufl__simple_27.txt.eml": "kulp@webmail.pla.net.py",
    "flufl__simple_35.txt.eml": "calvin@xxx.com",
    "flufl__simple_38.txt.eml": "foo@mail.ru",
    "flufl__sina_01.txt.eml": "alan_t18@sina.com",
    "flufl__smtp32_01.txt.eml": "oliver@pcworld.com.ph",
    "flufl__yahoo_02.txt.eml": "agarciamartiartu@yahoo.es",
    "phpbounce__1.eml": "somat@ciudad.com.ar",
    "phpbounce__29.eml": "carla@towebs.com",
    "sisimai__dos__lhost-gmail-01.eml": "userunknown@example.jp",
    "sisimai__dos__lhost-office365-01.eml": "kijitora@example.com",
    "sisimai__err__make-test-07.eml": "userunknown@example.com",
    "sisimai__lhost-activehunter-01.eml": "kijitora@example.org",
    "sisimai__lhost-amazonworkmail-01.eml": "kijitora@example.jp",
    "sisimai__lhost-biglobe-01.eml": "postmaster@mxr.biglobe.ne.jp",
    "sisimai__lhost-domino-01.eml": "kijitora@example.jp",
    "sisimai__lhost-dragonfly-01.eml": "pseudo-local-part@google.example.com",
    "sisimai__lhost-dragonfly-30.eml": "neko@nyaan.jp",
    "sisimai__lhost-einsundeins-02.eml": "kijitora@example.org",
    "sisimai__lhost-exchange2003-01.eml": "kijitora@example.jp",
    "sisimai__lhost-exim-01.eml": "kijitora@example.ed.jp",
    "sisimai__lhost-exim-41.eml": "kijitora@example.net",
    "sisimai__lhost-ezweb-01.eml": "this-message-rejected-by-the-domain-filter@ezweb.ne.jp",
    "sisimai__lhost-ezweb-08.eml": "kijitora-neko-nyaan-22222-cats@hotmail.com",
    "sisimai__lhost-fml-02.eml": "neko-nyaan@example.org",
    "sisimai__lhost-gmail-01.eml": "userunknown@example.jp",
    "sisimai__lhost-gmail-19.eml": "neko-nyaan@google.example.com",
    "sisimai__lhost-gmx-01.eml": "shironeko@example.jp",
    "sisimai__lhost-imailserver-01.eml": "kijitora@example.com",
    "sisimai__lhost-kddi-01.eml": "kijitora@x0000000000000.dion.ne.jp",
    "sisimai__lhost-mailfoundry-01.eml": "kijitora@example.org",
    "sisimai__lhost-mailmarshal-02.eml": "kijitora@nyaan.example.com",
    "sisimai__lhost-mailru-01.eml": "kijitora@example.jp",
    "sisimai__lhost-mailru-10.eml": "neko@sijo.example.jp",
    "sisimai__lhost-mfilter-01.eml": "kijitora@example.com",
    "sisimai__lhost-mimecast-01.eml": "sabineko@neko.ef.example.org",
    "sisimai__lhost-mxlogic-01.eml": "kijitora@example.co.jp",
    "sisimai__lhost-notes-01.eml": "kijitora@u1.example.co.jp",
    "sisimai__lhost-office365-01.eml": "kijitora@example.com",
    "sisimai__lhost-opensmtpd-01.eml": "apdugoaidugoaidugoaeiudggadi@gmail.com",
    "sisimai__lhost-postfix-34.eml": "kijitora@example.com",
    "sisimai__lhost-qmail-01.eml": "kijitora@example.ne.jp",
    "sisimai__lhost-qmail-13.eml": "nekochan@cx.libsisimai.com",
    "sisimai__lhost-qmail-25.eml": "userunknown@libsisimai.net",
    "sisimai__lhost-trendmicro-01.eml": "kijitora@example.co.jp",
    "sisimai__lhost-verizon-01.eml": "0000000000@vzwpix.com",
    "sisimai__lhost-x1-01.eml": "kijitora@example.co.jp",
    "sisimai__lhost-x2-01.eml": "kijitora@example.co.jp",
    "sisimai__lhost-x3-01.eml": "kijitora@example.com",
    "sisimai__lhost-x4-01.eml": "kijitora@example.com",
    "sisimai__lhost-x5-01.eml": "kijitora@neko.example.org",  # in the forwarded notice (shironeko@ sent it)
    "sisimai__lhost-x6-01.eml": "kijitora@nyaan.example.org",
    "sisimai__lhost-yahoo-01.eml": "kijitora@example.org",
    "sisimai__lhost-yahoo-14.eml": "kijitora@example.org",
    "sisimai__lhost-zoho-01.eml": "kijitora@example.co.jp",
    "sisimai__not__rb-issue-368-bug.eml": "xxxx@yyyyyy.net",
    "sisimai__rfc3464-34.eml": "kijitora@example.com",
    # X-Failed-Recipients (what we read first) names the domain the sample's text was anonymised away from
    "sisimai__something-is-wrong__issue-106-01.eml": "🐈@azumakuniyuki.org",
    "sisimai__tmp__rfc3464-38.eml": "kijitora-nyaan@example.jp",
    "sisimai__tmp__rfc3464-39.eml": "kijitora@nyaan.example.net",
}
# file -> what the notice says instead of an address (read by hand)
NO_ADDRESS_STATED = {
    "bounce_email__tt_bounce_11.txt.eml": "a display name only ('Mārtiņš Lukaševičs')",
    "bounceparser__aol-senderblock.msg.eml": "an AOL screen name",
    "bounceparser__virus-caused-multiple-weird-reports.msg.eml": "not a bounce: a virus carrier",
    "flufl__dumbass_01.txt.eml": "'The following mail could not be delivered' and no recipient",
    "flufl__yale_01.txt.eml": "a directory name 'thomas.dtankengine' and example addresses",
    "phpmime__failure.eml": "a Japanese sentence; its recipient list is missing",
    "sisimai__lhost-apachejames-01.eml": "'Invalid user address', no address",
    "sisimai__lhost-exim-61.eml": "the anonymised recipient equals the bounce's own To",
    "sisimai__lhost-v5sendmail-01.eml": "a transcript naming only a host",
    "sisimai__lhost-googlegroups-01.eml": "a Google Group name",
    "sisimai__lhost-googleworkspace-01.eml": "a 'Send mail as' misconfiguration, no recipient",
    "sisimai__something-is-wrong__issue-15-01.eml": "'Delivery report unavailable'",
}
_FINAL = re.compile(rb"^Final-Recipient:[ \t]*[^;\r\n]*;[ \t]*<?([^\s<>]+@[^\s<>]+?)>?[ \t]*\r?$", re.I | re.M)


def _route_stripped(raw: bytes) -> str:
    """'@relay:user@host' (an RFC 5321 source route) names user@host."""
    return raw.decode("utf-8", "replace").lower().rpartition(":")[2]


def _has_dsn(msg) -> bool:
    return any(content_type(p).endswith("delivery-status") for p, _, inside in walk_parts(msg, into_messages=False) if not inside)


def test_every_final_recipient_of_a_dsn_is_returned():
    checked = 0
    for path in files("bounce"):
        msg = load(path)
        if not _has_dsn(msg):
            continue
        # A Final-Recipient inside the reporting system ("user@ims_daemon", no Internet domain)
        # gives way to the Original-Recipient, the address that was written to.
        expected = {a for a in (_route_stripped(a) for a in _FINAL.findall(path.read_bytes()))
                    if "." in a.rpartition("@")[2]}
        got = {r.address for r in failed_recipients(msg)}
        missing = expected - got
        assert not missing, f"{path.name}: missing {missing}, got {got}"
        checked += bool(expected)
    print(f"\nDSNs with Final-Recipient checked: {checked}")
    assert checked > 80


def test_non_standard_bounces_yield_the_stated_address():
    notes = manifest_notes()
    for path in files("bounce"):
        msg = load(path)
        if _has_dsn(msg) or "NOT a bounce" in notes.get(f"email/bounce/{path.name}", ""):
            continue
        assert path.name in STATED or path.name in NO_ADDRESS_STATED, f"{path.name}: read it and add it to a table"
        if path.name in STATED:
            got = [r.address for r in failed_recipients(msg)]
            assert STATED[path.name] in got, f"{path.name}: {got}"


def test_dsn_fields_are_read():
    path = next(p for p in files("bounce") if p.name == "enmime__multi_recipient_dsn.raw.eml")
    got = {r.address: r for r in failed_recipients(load(path))}
    assert got["wsnell@sdcc13.ucsd.edu"].action == "failed"
    assert got["wsnell@sdcc13.ucsd.edu"].status.startswith("5.")
    assert "user unknown" in got["wsnell@sdcc13.ucsd.edu"].diagnostic.lower()
    assert got["johnh@hpnjld.njd.hp.com"].action == "delayed"


def test_dsn_without_blank_line_between_recipients_still_splits_them():
    path = next(p for p in files("bounce") if p.name == "mimekit__delivery-status-no-blank-line.txt.eml")
    expected = {a.decode().lower() for a in _FINAL.findall(path.read_bytes())}
    assert expected and {r.address for r in failed_recipients(load(path))} >= expected


def test_returned_message_id_is_found_in_enclosed_originals():
    checked = 0
    for path in files("bounce"):
        # an independent reading with the stdlib's compat parser
        legacy = email.message_from_bytes(path.read_bytes().lstrip(b"\r\n"), policy=email.policy.compat32)
        inner_ids = []
        for part in legacy.walk():
            if part.get_content_type() == "message/rfc822" and isinstance(part.get_payload(), list):
                mid = part.get_payload()[0].get("Message-ID")
                if mid and re.fullmatch(r"\s*<[^<>\s]+@[^<>\s]+>\s*", str(mid)):
                    inner_ids.append(str(mid).strip()[1:-1])
        if not inner_ids:
            continue
        got = returned_message_ids(load(path))
        assert inner_ids[0] in got, f"{path.name}: {inner_ids[0]} not in {got}"
        checked += 1
    print(f"\nbounces with an enclosed original checked: {checked}")
    assert checked > 30


def test_returned_message_id_from_inline_qmail_copy():
    path = next(p for p in files("bounce") if p.name == "phpbounce__1.eml")
    assert "11885fd3ea338f04de950704ee6b30f5@ar1.outmailing.com" in returned_message_ids(load(path))
