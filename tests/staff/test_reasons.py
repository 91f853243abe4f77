"""The digest tells staff in Vietnamese why a mail or a file needs them (bot/staff/reasons.py),
with the recorded English reason kept as the technical detail."""
from __future__ import annotations

import unicodedata

import pytest

from bot.intake.decide import RULES
from bot.intake.reasons import ENGLISH, english
from bot.staff.reasons import MAIL_REASONS, file_reason, mail_reason

MAIL = [
    ("no_agency", {"detail": "no reply, token, address or domain of an agency"}, "không xác định được cơ quan gửi"),
    ("unregistered_sender", {"agency": "BTN", "detail": "sender a@gmail.com not registered for BTN"},
     "người gửi không phải địa chỉ đã đăng ký của BTN"),
    ("campaign_unknown", {"agency": "BYT"}, "BYT tham gia nhiều đợt báo cáo"),
    ("verification_failed", {"detail": "no passing DMARC/DKIM/SPF aligned with From domain byt.example"},
     "không xác thực được người gửi"),
    ("broken_mime", {"defects": "StartBoundaryNotFoundDefect"}, "cấu trúc thư bị lỗi"),
    ("too_large", {"size_mb": 80, "limit_mb": 64}, "thư quá lớn (80 MB, giới hạn 64 MB)"),
    ("processing_failed", {"error": "OperationalError: database is locked"}, "hệ thống gặp lỗi khi xử lý thư"),
    ("", None, "thư cần cán bộ xem xét"),                       # a row recorded before reason codes
    ("a_code_nobody_foresaw", {"x": 1}, "thư cần cán bộ xem xét"),
]
FILE = [
    ("bc.docx: the document is encrypted (password-protected); ask the sender for an unprotected copy",
     "tệp được đặt mật khẩu"),
    ("zip member 'a.docx' is password-protected (encrypted)", "tệp được đặt mật khẩu"),
    ("parsing did not finish within 120 s (stopped)", "vượt quá thời gian hoặc bộ nhớ"),
    ("parsing ran out of memory (limit 1024 MB)", "vượt quá thời gian hoặc bộ nhớ"),
    ("word/document.xml expands 2000:1, over the limit", "vượt giới hạn an toàn"),
    ("file is over the 50 MB limit", "vượt giới hạn an toàn"),
    ("RAR archive: not unpacked", "tệp nén RAR hệ thống chưa giải nén được"),
    ("7-Zip archive: not unpacked", "tệp nén 7-Zip hệ thống chưa giải nén được"),
    ("Outlook .msg attachment: not unpacked", "tệp thư Outlook (.msg)"),
    ("cannot convert .doc to DOCX: LibreOffice could not convert the file (exit 1)", "không chuyển đổi được"),
    ("OCR of a page did not finish within 60 s", "vượt quá thời gian"),
    ("tesseract failed on a page (exit 1)", "không nhận dạng được chữ trong bản quét"),
    ("the parser crashed (SIGSEGV); the file may be malformed or hostile", "tệp bị hỏng"),
    ("word/document.xml declares a DOCTYPE/ENTITY (XML entity expansion or external entity attack)", "tệp bị hỏng"),
    ("", "không đọc được nội dung tệp"),
]


@pytest.mark.parametrize("code, args, said", MAIL)
def test_a_mail_reason_is_explained_in_vietnamese_with_the_detail(code, args, said):
    reason = english(code, args) if code else "something nobody foresaw"
    text = mail_reason(code, args, reason)
    assert text.startswith(said) and unicodedata.is_normalized("NFC", text)
    assert f"(chi tiết kỹ thuật: {reason})" in text


def test_every_mail_reason_code_has_an_english_line_and_a_vietnamese_sentence():
    staff_facing = set(MAIL_REASONS)
    assert staff_facing <= set(ENGLISH)
    assert {"no_agency", "unregistered_sender", "campaign_unknown", "verification_failed", "broken_mime",
            "too_large", "processing_failed"} <= staff_facing
    for code in {r.code for r in RULES if r.action == "quarantine"}:
        assert code in staff_facing, code


@pytest.mark.parametrize("reason, said", FILE)
def test_a_file_reason_is_explained_in_vietnamese_with_the_detail(reason, said):
    text = file_reason(reason)
    assert said in text and unicodedata.is_normalized("NFC", text)
    assert (f"(chi tiết kỹ thuật: {reason})" in text) if reason else "chi tiết" not in text


@pytest.mark.parametrize("code, reason, said", [
    ("over_limit", "file too large (90000000 bytes, limit 52428800)", "vượt giới hạn an toàn"),
    ("over_limit", "zip declares 2000:1 compression", "vượt giới hạn an toàn"),
    ("encrypted", "encrypted zip member", "tệp được đặt mật khẩu"),
    ("smime", "S/MIME content (encrypted or opaque-signed): not unwrapped", "S/MIME"),
])
def test_a_file_reason_with_a_code_is_said_by_its_code_not_its_wording(code, reason, said):
    text = file_reason(reason, code)
    assert text.startswith("tệp") and said in text and f"(chi tiết kỹ thuật: {reason})" in text
