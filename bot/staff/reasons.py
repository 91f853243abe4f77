"""Why a mail or a file needs a person, in Vietnamese for the staff digest. Pure.

The intake records a mail's reason as a code plus arguments (bot/intake/reasons.py renders the
English line for logs and `reportbot quarantine list`); staff read the Vietnamese sentence for the
same code here, what happened and, where there is one, what to do, with the English line after it
as the technical detail, so nothing is hidden. A file's reason still comes as the parser's English
warning, read by family below.
"""
from __future__ import annotations

import re
from datetime import date

# Mail reasons by code (bot/intake/reasons.py has the English line of each). What happened
# and, where there is one, what staff can do.
MAIL_REASONS: dict[str, str] = {
    "no_agency": "không xác định được cơ quan gửi (địa chỉ, tên miền và mã trong tiêu đề đều không khớp); "
                 "nếu là báo cáo, cán bộ gán thư cho cơ quan",
    "unregistered_sender": "người gửi không phải địa chỉ đã đăng ký của {agency}; cần xác nhận với cơ quan "
                             "trước khi ghi nhận",
    "campaign_unknown": "{agency} tham gia nhiều đợt báo cáo, không xác định được thư trả lời cho đợt nào",
    "verification_failed": "không xác thực được người gửi (SPF/DKIM/DMARC), có thể là thư giả mạo; cần xác nhận "
                           "với cơ quan",
    "broken_mime": "cấu trúc thư bị lỗi, không tách được các phần của thư; cần mở thư để kiểm tra",
    "too_large": "thư quá lớn ({size_mb} MB, giới hạn {limit_mb} MB), hệ thống không đọc; thư vẫn được lưu để "
                 "cán bộ mở",
    "processing_failed": "hệ thống gặp lỗi khi xử lý thư (đã thử lại nhiều lần); cần cán bộ kỹ thuật kiểm tra, "
                         "sau đó có thể cho xử lý lại",
    "rejected_by_staff": "cán bộ đã xác định thư không thuộc đợt báo cáo",
    "not_to_be_answered": "thư gửi qua danh sách thư hoặc thư tự động; đã ghi nhận, không gửi thư xác nhận",
    "no_report_content": "thư không kèm nội dung báo cáo (thư chuyển hoặc thư trao đổi)",
}
MAIL_FALLBACK = "thư cần cán bộ xem xét"


_FILE_RULES: tuple[tuple[str, str], ...] = (
    (r"(?i)encrypted|password", "tệp được đặt mật khẩu; đề nghị cơ quan gửi lại bản không đặt mật khẩu"),
    (r"(?i)not installed|unavailable", "máy chủ thiếu công cụ đọc loại tệp này; báo cán bộ kỹ thuật"),
    (r"(?i)did not finish within|CPU time|out of memory",
     "đọc tệp vượt quá thời gian hoặc bộ nhớ cho phép; cần mở tệp thủ công"),
    (r"(?i)limit|expands|nested deeper|members, over", "tệp vượt giới hạn an toàn (kích thước, tỷ lệ nén hoặc số "
                                                       "tệp bên trong) nên không được mở"),
    (r"(?i)^(RAR|7-Zip|gzip|bzip2) archive: not unpacked", "tệp nén {0} hệ thống chưa giải nén được; cần mở thủ "
                                                            "công hoặc đề nghị gửi lại tệp Word/PDF"),
    (r"(?i)^Outlook \.msg", "tệp thư Outlook (.msg) đính kèm hệ thống chưa mở được; cần mở thủ công"),
    (r"(?i)LibreOffice", "không chuyển đổi được tệp Word/ODT định dạng cũ; cần mở tệp thủ công"),
    (r"(?i)OCR|tesseract|image", "không nhận dạng được chữ trong bản quét; cần đọc bản quét thủ công"),
    (r"(?i)crash|malformed|hostile|DOCTYPE|no root element|not a readable|cannot be read|cannot open|unreadable",
     "tệp bị hỏng hoặc không đúng định dạng; đề nghị cơ quan gửi lại"),
)


def _explain(reason: str, rules: tuple[tuple[str, str], ...], fallback: str) -> str:
    text = (reason or "").strip()
    for pattern, sentence in rules:
        m = re.search(pattern, text)
        if m:
            said = sentence.format(*m.groups(), **m.groupdict())
            return f"{said} (chi tiết kỹ thuật: {text})"
    return f"{fallback} (chi tiết kỹ thuật: {text})" if text else fallback


def mail_reason(code: str, args: dict | None = None, detail: str = "") -> str:
    """A quarantined or failed mail's reason, for staff: the sentence for its code, then the
    recorded English line as the technical detail."""
    template = MAIL_REASONS.get(code or "")
    try:
        said = template.format(**(args or {})) if template else MAIL_FALLBACK
    except (KeyError, IndexError):
        said = MAIL_FALLBACK
    text = (detail or "").strip()
    return f"{said} (chi tiết kỹ thuật: {text})" if text else said


# A file's reason by the intake's code (intake/attachments.py SKIP_CODES); the parser's own
# warnings (code "no_section") are read by family, above.
FILE_REASONS: dict[str, str] = {
    "over_limit": "tệp vượt giới hạn an toàn (kích thước, tỷ lệ nén hoặc số tệp bên trong) nên không được mở",
    "encrypted": "tệp được đặt mật khẩu; đề nghị cơ quan gửi lại bản không đặt mật khẩu",
    "smime": "tệp được mã hóa hoặc ký số theo chuẩn S/MIME, hệ thống chưa mở được; cần mở thủ công",
}


def file_reason(reason: str, code: str = "") -> str:
    """Why an attached file could not be read, for staff."""
    said = FILE_REASONS.get(code or "")
    if said:
        text = (reason or "").strip()
        return f"{said} (chi tiết kỹ thuật: {text})" if text else said
    return _explain(reason, _FILE_RULES, "không đọc được nội dung tệp")


def failing_address_text(email: str, since: date, last: date, failures: int, reason: str, *, dead: bool,
                         others_alive: bool) -> str:
    """An address whose mail keeps failing for now (RFC 3463 class 4, delayed, expired in a queue)."""
    said = f" (chi tiết kỹ thuật: {reason})" if reason else ""
    if dead:
        then = ("hệ thống ngừng gửi tới địa chỉ này, vẫn gửi tới các địa chỉ khác của cơ quan" if others_alive
                else "hệ thống ngừng gửi tới địa chỉ này; cần địa chỉ thư khác của cơ quan")
        return (f"Địa chỉ {email} liên tục gửi không thành công từ ngày {since:%d/%m/%Y} đến ngày "
                f"{last:%d/%m/%Y} ({failures} lần); {then}{said}")
    return (f"Địa chỉ {email} liên tục gửi không thành công từ ngày {since:%d/%m/%Y} ({failures} lần, lần gần "
            f"nhất ngày {last:%d/%m/%Y}); lỗi tạm thời, hệ thống vẫn tiếp tục gửi; nên liên hệ cơ quan để kiểm "
            f"tra hộp thư{said}")
