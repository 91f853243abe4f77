"""Rendered mails parsed back with the `email` package, as a receiving MUA would."""
from __future__ import annotations

import email
import hashlib
import re
import unicodedata
from datetime import datetime
from email import policy
from email.header import decode_header, make_header
from email.utils import parsedate_to_datetime

import jinja2
import pytest

from bot.outbound.mails import (
    Attachment,
    MailAgency,
    Receipt,
    ReceivedFile,
    SectionRef,
    build_ack,
    build_digest,
    build_dispatch,
    build_overdue,
    build_reminder,
    envelope_recipients,
    find_token,
    render_mail,
    token,
)

from .helpers import at

HOSTILE = '<script>alert(1)</script> "Bộ\r\nBcc: x@evil.example'
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def parse(msg) -> email.message.EmailMessage:
    raw = msg.as_bytes()
    raw.decode("ascii")  # 7-bit clean: no SMTPUTF8/8BITMIME needed downstream
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    return email.message_from_bytes(raw, policy=policy.default)


def rfc2047(parsed, name: str) -> str:
    """A header decoded per RFC 2047 §6.2 (whitespace between encoded words ignored).

    CPython 3.11's structured-header parser keeps that whitespace inside display
    names (gh-128110, fixed upstream), so address headers are checked with this.
    """
    return str(make_header(decode_header(_raw_header(parsed, name))))


def _raw_header(parsed, name: str) -> str:
    for k, v in parsed.raw_items():
        if k.lower() == name.lower():
            return re.sub(r"\r?\n", "", v)
    raise KeyError(name)


def body(parsed, kind: str) -> str:
    return parsed.get_body((kind,)).get_content()


def is_nfc(s: str) -> bool:
    return unicodedata.is_normalized("NFC", s)


@pytest.fixture
def files():
    return [
        Attachment("Công văn 5422-BTTTT-CBC.docx", bytes(range(256)) * 400, DOCX,
                   "Công văn số 5422/BTTTT-CBC"),
        Attachment("Mẫu báo cáo (để trống).docx", b"PK\x03\x04" + b"\x00\xff" * 5000, DOCX,
                   "Mẫu báo cáo theo Đề cương"),
    ]


def test_token_is_stable_and_found_again():
    assert token("5422/BTTTT-CBC", "byt") == "[5422/BTTTT-CBC #BYT]"
    assert find_token("Re: TL: [5422/BTTTT-CBC #BYT] Công văn số ...") == ("5422/BTTTT-CBC", "BYT")
    assert find_token("Fwd: [5422/bttt-cbc  #ubnd-hn ]") == ("5422/bttt-cbc", "UBND-HN")
    assert find_token("Báo cáo chuyển đổi số") is None


def test_dispatch_headers_body_and_attachments(mail_campaign, agency, sender, files):
    when = at("19/12/2024", "09:00")
    msg = build_dispatch(mail_campaign, agency, sender=sender, date=when, attachments=files,
                         message_id="<d1.BYT@example.gov.vn>")
    p = parse(msg)
    assert p["Subject"].startswith("[5422/BTTTT-CBC #BYT] Công văn số 5422/BTTTT-CBC về việc báo cáo")
    assert p["From"].addresses[0].display_name == "Cục Báo chí"
    assert p["From"].addresses[0].addr_spec == "baocao@example.gov.vn"
    assert [a.addr_spec for a in p["To"].addresses] == list(agency.emails)
    assert rfc2047(p, "To") == "Bộ Y tế <vanthu@moh.gov.vn>, Bộ Y tế <cntt@moh.gov.vn>"
    assert p["Reply-To"].addresses[0].addr_spec == "baocao@example.gov.vn"
    assert p["Message-ID"] == "<d1.BYT@example.gov.vn>"
    assert parsedate_to_datetime(p["Date"]) == when
    assert p["Auto-Submitted"] == "auto-generated"
    assert p["Cc"] is None and p["In-Reply-To"] is None
    text = body(p, "plain")
    assert "Kính gửi: Bộ Y tế" in text
    assert "trước 17 giờ 00 ngày 30/12/2024" in text
    assert "giữ nguyên tiêu đề thư" in text and "[5422/BTTTT-CBC #BYT]" in text
    assert "Word" in text and "PDF" in text
    assert "348/QĐ-TTg" in text  # the letter's request is quoted
    for f in files:
        assert f.filename in text and f.description in text
    got = {a.get_filename(): a for a in p.iter_attachments()}
    assert set(got) == {f.filename for f in files}
    for f in files:
        part = got[f.filename]
        assert part.get_content_type() == DOCX
        assert hashlib.sha256(part.get_content()).hexdigest() == hashlib.sha256(f.data).hexdigest()


def test_mails_sharing_attachments_each_carry_them_intact_as_add_attachment_would(
        mail_campaign, agency, sender, files):
    """A rendering pass encodes each file once and every dispatch reuses that part: each mail
    must still serialise exactly as if the file had been added to it alone."""
    when = at("19/12/2024", "09:00")
    mails = [build_dispatch(mail_campaign, agency, sender=sender, date=when, attachments=files,
                            message_id=f"<d{i}.BYT@example.gov.vn>") for i in range(3)]
    first = mails[0].as_bytes()
    for i, msg in enumerate(mails):
        p = parse(msg)
        assert p["Message-ID"] == f"<d{i}.BYT@example.gov.vn>"
        got = {a.get_filename(): hashlib.sha256(a.get_content()).hexdigest() for a in p.iter_attachments()}
        assert got == {f.filename: hashlib.sha256(f.data).hexdigest() for f in files}
    assert mails[0].as_bytes() == first  # serialising the others changed nothing in it

    alone = build_dispatch(mail_campaign, agency, sender=sender, date=when, message_id="<d9.BYT@example.gov.vn>")
    for f in files:
        maintype, _, subtype = f.mime_type.partition("/")
        alone.add_attachment(f.data, maintype=maintype, subtype=subtype, filename=f.filename)
    shared = build_dispatch(mail_campaign, agency, sender=sender, date=when, attachments=files,
                            message_id="<d9.BYT@example.gov.vn>")

    def attachment_chunks(msg) -> list[bytes]:  # each attachment's headers and base64, as sent
        chunks = msg.as_bytes().split(b"--" + msg.get_boundary().encode())
        return [c for c in chunks if b"attachment" in c.split(b"\r\n\r\n")[0]]

    assert attachment_chunks(shared) == attachment_chunks(alone) and len(attachment_chunks(shared)) == len(files)


def test_generated_message_ids_are_unique_and_on_our_domain(mail_campaign, agency, sender):
    when = at("19/12/2024", "09:00")
    ids = {build_dispatch(mail_campaign, agency, sender=sender, date=when)["Message-ID"]
           for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"<[^<>@\s]+@example\.gov\.vn>", i) for i in ids)


def test_hostile_agency_name_injects_no_header_and_is_escaped(mail_campaign, sender):
    evil = MailAgency(code="EVIL", name=HOSTILE, emails=("vanthu@moh.gov.vn",))
    msg = build_reminder(mail_campaign, evil, sender=sender, date=at("27/12/2024"), seq=2)
    raw = msg.as_bytes()
    assert not re.search(rb"(?im)^bcc:", raw)
    assert b"evil.example" not in raw.split(b"\r\n\r\n")[0].replace(b"\r\n", b"")  # encoded, not raw
    p = parse(msg)
    assert p["Bcc"] is None
    assert envelope_recipients(p) == ["vanthu@moh.gov.vn"]
    assert rfc2047(p, "To") == '<script>alert(1)</script> "Bộ Bcc: x@evil.example <vanthu@moh.gov.vn>'
    html = body(p, "html")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;Bộ Bcc: x@evil.example" in html
    assert '<script>alert(1)</script> "Bộ Bcc: x@evil.example' in body(p, "plain")


def test_cr_lf_in_campaign_text_cannot_break_the_subject(mail_campaign, agency, sender):
    from dataclasses import replace
    bad = replace(mail_campaign, title="Báo cáo\r\nBcc: x@evil.example")
    p = parse(build_dispatch(bad, agency, sender=sender, date=at("19/12/2024", "09:00")))
    assert p["Bcc"] is None
    assert p["Subject"].endswith("về việc báo cáo Bcc: x@evil.example")


def test_reminder_counts_days_left(mail_campaign, agency, sender):
    text = {d: body(parse(build_reminder(mail_campaign, agency, sender=sender, date=at(d), seq=1)),
                    "plain") for d in ("25/12/2024", "27/12/2024", "30/12/2024")}
    assert "còn 5 ngày" in text["25/12/2024"]
    assert "còn 3 ngày" in text["27/12/2024"]
    assert "Hôm nay (30/12/2024) là ngày cuối cùng" in text["30/12/2024"]
    p = parse(build_reminder(mail_campaign, agency, sender=sender, date=at("27/12/2024"), seq=2))
    assert p["Subject"].startswith("[5422/BTTTT-CBC #BYT] Nhắc gửi báo cáo")


def test_overdue_escalation_copies_leadership(mail_campaign, agency, sender):
    p1 = parse(build_overdue(mail_campaign, agency, sender=sender, date=at("31/12/2024"), seq=1))
    p2 = parse(build_overdue(mail_campaign, agency, sender=sender, date=at("06/01/2025"), seq=2,
                             escalate=True))
    assert p1["Cc"] is None and "đồng gửi Lãnh đạo" not in body(p1, "plain")
    assert [a.addr_spec for a in p2["Cc"].addresses] == ["lanhdao@moh.gov.vn"]
    assert "đồng gửi Lãnh đạo" in body(p2, "plain")
    assert envelope_recipients(p2) == ["vanthu@moh.gov.vn", "cntt@moh.gov.vn", "lanhdao@moh.gov.vn"]
    assert "đã quá thời hạn 1 ngày" in body(p1, "plain")
    assert "đã quá thời hạn 7 ngày" in body(p2, "plain")
    assert "#BYT]" in p2["Subject"] and "(nhắc lần 2)" in p2["Subject"]


def test_escalation_without_escalation_addresses_claims_no_copy(mail_campaign, sender):
    lone = MailAgency(code="X", name="Sở X", emails=("a@x.gov.vn",))
    p = parse(build_overdue(mail_campaign, lone, sender=sender, date=at("06/01/2025"), seq=2,
                            escalate=True))
    assert p["Cc"] is None and "đồng gửi" not in body(p, "plain")


def test_ack_lists_files_sections_and_threads_under_the_report(mail_campaign, agency, sender, files):
    data = files[0].data
    receipt = Receipt(
        received_at=at("31/12/2024", "09:12"),
        files=(ReceivedFile("Báo cáo BYT.docx", len(data), hashlib.sha256(data).hexdigest()),
               ReceivedFile("scan.pdf", 1_234_567, "0" * 64, "không đọc được nội dung tệp")),
        found=(SectionRef("I", "Tình hình chuyển đổi số của cơ quan báo chí trực thuộc"),),
        missing=(SectionRef("IV", "Đề xuất, kiến nghị"),),
    )
    msg = build_ack(mail_campaign, agency, receipt, sender=sender, date=at("31/12/2024", "09:13"),
                    to=["Nguyễn Văn A <nva@moh.gov.vn>"], in_reply_to="<r1@moh.gov.vn>",
                    references=["<d1.BYT@example.gov.vn>"])
    p = parse(msg)
    assert p["In-Reply-To"] == "<r1@moh.gov.vn>"
    assert p["References"].split() == ["<d1.BYT@example.gov.vn>", "<r1@moh.gov.vn>"]
    assert rfc2047(p, "To") == "Nguyễn Văn A <nva@moh.gov.vn>"
    assert p["Subject"].startswith("[5422/BTTTT-CBC #BYT] Xác nhận đã nhận báo cáo")
    text = body(p, "plain")
    assert hashlib.sha256(data).hexdigest()[:12] in text
    assert "Báo cáo BYT.docx: 100,0 KB" in text and "1,2 MB" in text
    assert "không đọc được nội dung tệp" in text
    assert "- I. Tình hình chuyển đổi số" in text and "- IV. Đề xuất, kiến nghị" in text
    assert "sau thời hạn quy định (17 giờ 00 ngày 30/12/2024)" in text
    assert "nhận lúc 09 giờ 12 ngày 31/12/2024" in text
    assert "IV. Đề xuất, kiến nghị" in body(p, "html")


def test_ack_on_time_and_without_files(mail_campaign, agency, sender):
    receipt = Receipt(received_at=at("26/12/2024", "10:00"), files=())
    text = body(parse(build_ack(mail_campaign, agency, receipt, sender=sender,
                                date=at("26/12/2024", "10:01"))), "plain")
    assert "trong thời hạn quy định" in text and "không kèm tệp báo cáo" in text


def digest_figures() -> dict:
    return {
        "since": at("26/12/2024", "07:30"),
        "by_state": {"sent": 40, "received": 45, "received_incomplete": 5, "overdue": 0,
                     "bounced": 2, "exempt": 1},
        "by_category": [{"category": "province", "total": 63, "received": 30,
                         "received_incomplete": 3, "overdue": 0}],
        "new_arrivals": [{"agency_code": "HN", "agency_name": "UBND thành phố Hà Nội",
                          "received_at": at("26/12/2024", "15:04"), "on_time": True,
                          "completeness": 0.875, "missing": ["IV"]}],
        "overdue": [],
        "incomplete": [{"agency_code": "HN", "agency_name": "UBND thành phố Hà Nội",
                        "missing": [{"id": "IV", "title": "Đề xuất, kiến nghị"}]}],
        "problems": [{"kind": "bounce", "agency_code": "EVIL", "agency_name": HOSTILE,
                      "detail": "550 5.1.1 mailbox unavailable", "ref": None}],
    }


def test_digest_summarises_for_staff(mail_campaign, sender):
    p = parse(build_digest(mail_campaign, digest_figures(), sender=sender,
                           date=at("27/12/2024", "07:30"), to=["staff@example.gov.vn"]))
    assert p["Subject"] == ("[5422/BTTTT-CBC] Tổng hợp tiếp nhận báo cáo ngày 27/12/2024: "
                            "50/93 cơ quan đã báo cáo, 0 quá hạn")
    text = body(p, "plain")
    assert "UBND tỉnh, thành phố trực thuộc Trung ương: 33/63 đã báo cáo" in text
    assert "[HN] UBND thành phố Hà Nội: nhận lúc 15 giờ 04 ngày 26/12/2024, đúng hạn" in text
    assert "đầy đủ 88%" in text and "thiếu IV. Đề xuất, kiến nghị" in text
    assert "Thư bị trả lại [EVIL]" in text
    assert "&lt;script&gt;" in body(p, "html") and "<script>" not in body(p, "html")


def test_digest_rejects_unknown_and_incomplete_figures(mail_campaign, sender):
    kw = dict(sender=sender, date=at("27/12/2024", "07:30"), to=["staff@example.gov.vn"])
    with pytest.raises(ValueError, match="unknown digest keys"):
        build_digest(mail_campaign, {"overdeu": []}, **kw)
    broken = digest_figures()
    del broken["new_arrivals"][0]["on_time"]
    with pytest.raises(jinja2.UndefinedError):
        build_digest(mail_campaign, broken, **kw)


def test_render_mail_is_strict_about_missing_keys():
    with pytest.raises(jinja2.UndefinedError):
        render_mail("dispatch", {})


def test_all_rendered_text_is_nfc_even_from_decomposed_input(mail_campaign, sender, files):
    nfd = MailAgency(code="QN", name=unicodedata.normalize("NFD", "UBND tỉnh Quảng Ninh"),
                     emails=("vt@quangninh.gov.vn",), escalation_emails=("ld@quangninh.gov.vn",))
    receipt = Receipt(at("26/12/2024", "10:00"), (ReceivedFile("Báo cáo.pdf", 10, "a" * 64),),
                      missing=(SectionRef("IV", unicodedata.normalize("NFD", "Đề xuất")),))
    msgs = [
        build_dispatch(mail_campaign, nfd, sender=sender, date=at("19/12/2024"), attachments=files),
        build_reminder(mail_campaign, nfd, sender=sender, date=at("25/12/2024"), seq=1),
        build_overdue(mail_campaign, nfd, sender=sender, date=at("06/01/2025"), seq=2, escalate=True),
        build_ack(mail_campaign, nfd, receipt, sender=sender, date=at("26/12/2024")),
        build_digest(mail_campaign, digest_figures(), sender=sender, date=at("27/12/2024"),
                     to=["staff@example.gov.vn"]),
    ]
    for msg in msgs:
        p = parse(msg)
        for name in ("Subject", "From", "To"):
            assert is_nfc(str(p[name])) and is_nfc(rfc2047(p, name))
        for kind in ("plain", "html"):
            text = body(p, kind)
            assert is_nfc(text)
            assert "Quảng Ninh" in text or "[5422/BTTTT-CBC]" in str(p["Subject"])
        assert p.get_body(("plain",)).get_content_charset() == "utf-8"


def test_template_sources_are_nfc():
    from importlib.resources import files as package_files
    sources = [f for f in package_files("mail_templates").iterdir() if f.name.endswith(".j2")]
    names = {f.name for f in sources}
    for kind in ("dispatch", "reminder", "overdue", "ack", "digest"):
        assert {f"{kind}.subject.j2", f"{kind}.txt.j2", f"{kind}.html.j2"} <= names
    for f in sources:
        assert is_nfc(f.read_text(encoding="utf-8")), f.name


def test_naive_date_is_rejected(mail_campaign, agency, sender):
    with pytest.raises(ValueError):
        build_reminder(mail_campaign, agency, sender=sender, date=datetime(2024, 12, 25, 8), seq=1)


def test_agency_without_address_is_rejected(mail_campaign, sender):
    with pytest.raises(ValueError):
        build_dispatch(mail_campaign, MailAgency("X", "Sở X", ()), sender=sender,
                       date=at("19/12/2024"))
    with pytest.raises(ValueError):
        build_dispatch(mail_campaign, MailAgency("X", "Sở X", ("not an address",)),
                       sender=sender, date=at("19/12/2024"))


def test_ack_msg_ids_stored_without_brackets_get_them_back_and_long_ids_are_not_encoded(mail_campaign, agency,
                                                                                         sender):
    """Issue 12: the stored ids have no angle brackets; the ack wrote them so, and the policy's
    folding turned an id longer than a line into RFC 2047 words. Neither is a msg-id to a client."""
    long_id = "CAByYQsHq=c+uz-ubnN2pG3n256yS7P18KDbG6oStGF5bChUhyw" + "7" * 40 + "@mail.moh.gov.vn"
    msg = build_ack(mail_campaign, agency, Receipt(received_at=at("31/12/2024", "09:12"), files=()),
                    sender=sender, date=at("31/12/2024", "09:13"), to=["nva@moh.gov.vn"],
                    in_reply_to=long_id, references=["d1.BYT@example.gov.vn", "<r0@moh.gov.vn>", "bad id", ""])
    raw = msg.as_bytes()
    p = email.message_from_bytes(raw, policy=policy.compat32)
    assert p["In-Reply-To"].strip() == f"<{long_id}>"
    assert p["References"].split() == ["<d1.BYT@example.gov.vn>", "<r0@moh.gov.vn>", f"<{long_id}>"]
    assert re.fullmatch(r"<[^<>\s]+@[^<>\s]+>", p["Message-ID"].strip())
    assert b"=?" not in b"".join(re.findall(rb"(?m)^(?:In-Reply-To|References):.*(?:\r\n .*)*", raw))
