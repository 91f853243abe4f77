"""Why a mail or a file needs a person, in Vietnamese for the staff digest. Pure.

The intake records its reasons in English (logs, `reportbot quarantine list`, the IT officer);
staff read the digest. Each known reason family gets a Vietnamese sentence saying what happened
and, where there is one, what to do; the recorded reason follows as the technical detail, so
nothing is hidden. Unknown reasons keep a generic sentence with the detail.
"""
from __future__ import annotations

import re
from datetime import date

_MAIL_RULES: tuple[tuple[str, str], ...] = (
    (r"^no agency matched", "không xác định được cơ quan gửi (địa chỉ, tên miền và mã trong tiêu đề đều không "
                            "khớp); nếu là báo cáo, cán bộ gán thư cho cơ quan"),
    (r"^sender is not a registered address of (?P<code>\S+)",
     "người gửi không phải địa chỉ đã đăng ký của {code}; cần xác nhận với cơ quan trước khi ghi nhận"),
    (r"^(?P<code>\S+): cannot tell which campaign",
     "{code} tham gia nhiều đợt báo cáo, không xác định được thư trả lời cho đợt nào"),
    (r"^sender verification failed", "không xác thực được người gửi (SPF/DKIM/DMARC), có thể là thư giả mạo; "
                                     "cần xác nhận với cơ quan"),
    (r"^the MIME structure is broken", "cấu trúc thư bị lỗi, không tách được các phần của thư; cần mở thư để kiểm tra"),
    (r"^message too large to read \((?P<size>\d+) MB, limit (?P<limit>\d+) MB\)",
     "thư quá lớn ({size} MB, giới hạn {limit} MB), hệ thống không đọc; thư vẫn được lưu để cán bộ mở"),
    (r"^processing failed", "hệ thống gặp lỗi khi xử lý thư (đã thử lại nhiều lần); cần cán bộ kỹ thuật kiểm tra"),
)

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


def mail_reason(reason: str) -> str:
    """A quarantined or failed mail's reason, for staff."""
    return _explain(reason, _MAIL_RULES, "thư cần cán bộ xem xét")


def file_reason(reason: str) -> str:
    """Why an attached file could not be read, for staff."""
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
