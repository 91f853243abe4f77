"""Classification rules on small hand-made messages (Vietnamese subjects, loops, edge cases)."""

from __future__ import annotations

import unicodedata

import pytest

from bot.intake.classify import classify
from bot.intake.headers import parse_message

OWN = {"baocao@cucbaochi.gov.vn"}


def msg(headers: dict[str, str], body: str = "Kính gửi Cục Báo chí,\n\nXin gửi báo cáo.\n") -> bytes:
    lines = [f"{k}: {v}" for k, v in headers.items()]
    base = {"From": "vanthu@stttt.nghean.gov.vn", "To": "baocao@cucbaochi.gov.vn", "Message-ID": "<a1@nghean.gov.vn>"}
    for k, v in base.items():
        if k not in headers:
            lines.append(f"{k}: {v}")
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8")


def kind(raw: bytes, **kw):
    return classify(parse_message(raw), own_addresses=OWN, own_message_id_domain="cucbaochi.gov.vn", **kw)


@pytest.mark.parametrize("subject", [
    "Trả lời tự động: Báo cáo chuyển đổi số",
    "TRẢ LỜI TỰ ĐỘNG: [5422/BTTTT-CBC #BYT]",
    "Vắng mặt: Re: Báo cáo",
    "=?UTF-8?B?VHLhuqMgbOG7nWkgdOG7sSDEkeG7mW5n?=",  # "Trả lời tự động" as an encoded-word
    "Automatic reply: Báo cáo 5422",
    "Out of Office: Re: [5422/BTTTT-CBC #BYT]",
    "Abwesenheitsnotiz: Bericht",
    "Réponse automatique : rapport",
    "AUTO: Nguyen Van A is out of the office",
])
def test_out_of_office_subjects_are_auto_replies(subject):
    c = kind(msg({"Subject": subject}))
    assert c.kind == "auto_reply" and not c.may_acknowledge, c


def test_vietnamese_subject_in_decomposed_form_still_matches():
    nfd = unicodedata.normalize("NFD", "Trả lời tự động: Báo cáo")
    assert kind(msg({"Subject": nfd})).kind == "auto_reply"


def test_vietnamese_subject_without_accents_matches():
    assert kind(msg({"Subject": "Tra loi tu dong: Bao cao"})).kind == "auto_reply"


@pytest.mark.parametrize("headers", [
    {"Auto-Submitted": "auto-replied"},
    {"Auto-Submitted": "auto-generated (vacation)"},
    {"X-Autoreply": "yes"},
    {"X-Autorespond": "Thank you"},
    {"Precedence": "bulk"},
    {"Precedence": "junk"},
    {"Precedence": "auto_reply"},
])
def test_rfc3834_and_vendor_headers_mark_auto_replies(headers):
    assert kind(msg({"Subject": "Re: Báo cáo", **headers})).kind == "auto_reply"


def test_auto_submitted_no_is_a_normal_reply():
    c = kind(msg({"Subject": "Re: [5422/BTTTT-CBC #BYT] Báo cáo", "Auto-Submitted": "no"}))
    assert c.kind == "report_or_other" and c.may_acknowledge


def test_x_auto_response_suppress_alone_does_not_make_an_auto_reply():
    # Outlook and document systems stamp it on ordinary mail too.
    c = kind(msg({"Subject": "Báo cáo chuyển đổi số", "X-Auto-Response-Suppress": "All"}))
    assert c.kind == "report_or_other"


def test_inbox_rule_forward_is_not_an_auto_reply():
    # An agency's inbox rule may forward the report to us; that is still the report.
    c = kind(msg({"Subject": "FW: Báo cáo", "X-MS-Exchange-Inbox-Rules-Loop": "vanthu@stttt.nghean.gov.vn"}))
    assert c.kind == "report_or_other"


def test_list_mail_with_precedence_bulk_is_other_but_never_acknowledged():
    c = kind(msg({"Subject": "Bản tin", "Precedence": "bulk", "List-Id": "<tin.example.vn>"}))
    assert c.kind == "report_or_other" and not c.may_acknowledge


def test_our_own_address_looping_back_is_own():
    c = kind(msg({"From": "Cục Báo chí <BaoCao@cucbaochi.gov.vn>", "Subject": "Re: [5422/BTTTT-CBC #BYT]"}))
    assert c.kind == "own" and not c.may_acknowledge


def test_our_message_id_with_auto_submitted_is_own():
    raw = msg({"From": "relay@forwarder.example", "Message-ID": "<ack-1@cucbaochi.gov.vn>",
               "Auto-Submitted": "auto-generated", "Subject": "Xác nhận đã nhận báo cáo"})
    assert kind(raw).kind == "own"


def test_our_message_id_without_auto_submitted_is_not_own():
    raw = msg({"Message-ID": "<x@cucbaochi.gov.vn>", "Subject": "Báo cáo"})
    assert kind(raw).kind == "report_or_other"


def test_bounce_subject_in_a_human_reply_needs_another_sign():
    # An agency answering "Re: Undeliverable: ..." writes a reply, not a bounce.
    c = kind(msg({"Subject": "Re: Undeliverable: [5422/BTTTT-CBC #BYT]"}, "Chúng tôi gửi lại báo cáo."))
    assert c.kind == "report_or_other"


def test_mailer_daemon_sender_is_a_bounce():
    c = kind(msg({"From": "MAILER-DAEMON@mx.example.vn", "Subject": "Thông báo"}))
    assert c.kind == "bounce" and not c.may_acknowledge


def test_vietnamese_bounce_subject_is_a_bounce():
    assert kind(msg({"From": "postmaster@mail.example.vn", "Subject": "Không gửi được: Báo cáo"})).kind == "bounce"


def test_read_receipt_is_an_auto_reply():
    assert kind(msg({"Subject": "Đã đọc: [5422/BTTTT-CBC #BYT]"})).kind == "auto_reply"
    assert kind(msg({"Subject": "Read: Báo cáo"})).kind == "auto_reply"


def test_garbage_never_raises():
    for raw in (b"", b"\x00\xff" * 100, b"From: \r\n\r\n", b"Subject: =?x?q?\xff?=\r\n\r\n\xff"):
        assert kind(raw).kind in ("report_or_other", "bounce", "auto_reply")


def _with_docx(headers: dict[str, str]) -> bytes:
    import io
    import zipfile
    from email.message import EmailMessage

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    m = EmailMessage()
    for k, v in {"From": "vanthu@stttt.nghean.gov.vn", **headers}.items():
        m[k] = v
    m.set_content("Kính gửi Cục Báo chí, xin gửi lại báo cáo.")
    m.add_attachment(buf.getvalue(), maintype="application", subtype="octet-stream", filename="bao-cao.docx")
    return m.as_bytes()


def test_person_resending_after_a_failure_is_not_a_bounce():
    # regression: "không gửi được" inside a human subject must not hide the report
    c = kind(_with_docx({"Subject": "Gửi lại báo cáo do lần trước không gửi được"}))
    assert c.kind == "report_or_other"


def test_bounce_like_subject_with_the_senders_own_document_is_a_report():
    c = kind(_with_docx({"Subject": "Undelivered report resent: [5422/BTTTT-CBC #BYT]"}))
    assert c.kind == "report_or_other"


def test_vietnamese_ndr_prefix_is_a_bounce():
    assert kind(msg({"Subject": "Không gửi được: Báo cáo"})).kind == "bounce"
