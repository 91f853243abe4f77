"""What staff read on the console: Vietnamese names for the system's vocabulary, dates as
dd/mm/yyyy HH:MM in the campaign's time, a few pure helpers (days left, search folding)."""
from __future__ import annotations

import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.staff.xlsx import CATEGORY_LABELS, EVENT_LABELS

STATE_LABELS = {  # the digest's longer wording (mail_templates/_labels.j2)
    "not_sent": "Chưa gửi công văn", "sent": "Đã gửi, đang chờ báo cáo", "bounced": "Thư bị trả lại",
    "overdue": "Quá hạn, chưa báo cáo", "received_incomplete": "Đã nhận, còn thiếu nội dung",
    "received": "Đã nhận đủ nội dung", "exempt": "Không thuộc đối tượng báo cáo",
}
MAIL_KINDS = {"dispatch": "Công văn", "reminder": "Thư nhắc", "overdue": "Thư nhắc quá hạn",
              "ack": "Thư xác nhận", "digest": "Thư tổng hợp"}
OUTBOX_STATUS = {"pending": "Đang chờ gửi", "sending": "Đang gửi", "sent": "Đã gửi",
                 "failed": "Gửi không thành công", "cancelled": "Đã hủy"}
INBOUND_STATES = {"stored": "Chờ xử lý", "processing": "Đang xử lý", "processed": "Đã xử lý",
                  "quarantined": "Chờ cán bộ kiểm tra", "rejected": "Cán bộ đã từ chối", "ignored": "Bỏ qua",
                  "failed": "Xử lý không thành công"}
CLASSIFICATIONS = {"report": "Báo cáo", "message": "Thư (không phải báo cáo)", "bounce": "Thư báo lỗi gửi",
                   "auto_reply": "Trả lời tự động", "own": "Thư của hệ thống", "feedback": "Phản hồi",
                   "report_or_other": "Chưa phân loại", "": "Chưa phân loại"}
MATCH_METHODS = {"thread": "Trả lời thư đã gửi", "token": "Mã trong tiêu đề", "address": "Địa chỉ đã đăng ký",
                 "domain": "Tên miền đã đăng ký", "staff": "Cán bộ gán", "": "Chưa xác định"}
CONTACT_ROLES = {"primary": "Địa chỉ chính", "escalation": "Địa chỉ lãnh đạo"}
CONTACT_STATES = {"active": "Đang dùng", "bounced": "Thư bị trả lại", "failed": "Không gửi được"}
PARSE_STATUS = {"parsed": "Đã đọc", "failed": "Không đọc được", "skipped": "Không đọc", "pending": "Chưa đọc"}
ACTORS = {"system": "Hệ thống", "intake": "Hệ thống (nhận thư)", "inbox": "Hệ thống (hộp thư)",
          "scheduler": "Hệ thống (lịch gửi)", "planner": "Hệ thống (lịch gửi)", "mailer": "Hệ thống (gửi thư)",
          "cli": "Cán bộ kỹ thuật (dòng lệnh)"}
ROLES = {"viewer": "Xem", "officer": "Cán bộ xử lý", "admin": "Quản trị"}
EXTRA_EVENTS = {"user.login": "Đăng nhập", "user.logout": "Đăng xuất", "user.added": "Thêm tài khoản",
                "user.disabled": "Khóa tài khoản", "user.token_created": "Cấp mã truy cập API",
                "export.written": "Xuất báo cáo tổng hợp"}


def event_label(kind: str) -> str:
    return EVENT_LABELS.get(kind) or EXTRA_EVENTS.get(kind) or kind


def category_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category)


def local_dt(value: datetime | str | None, tz: str) -> str:
    """dd/mm/yyyy HH:MM in the campaign's time zone; '' for none."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%".replace(".", ",")


def days_left(deadline: datetime, now: datetime, tz: str) -> int:
    """Calendar days from today to the deadline's day (campaign-local); negative once past."""
    zone = ZoneInfo(tz)
    return (deadline.astimezone(zone).date() - now.astimezone(zone).date()).days


def days_left_text(deadline: datetime, now: datetime, tz: str) -> str:
    n = days_left(deadline, now, tz)
    if now > deadline:
        return f"Đã quá hạn {max(n * -1, 0)} ngày" if n < 0 else "Đã quá giờ hạn hôm nay"
    return "Hôm nay là hạn báo cáo" if n == 0 else f"Còn {n} ngày"


def fold(text: str) -> str:
    """Case- and accent-insensitive form for search: 'Hà Nội' and 'ha noi' meet."""
    text = unicodedata.normalize("NFD", text.casefold()).replace("đ", "d")
    return "".join(c for c in text if not unicodedata.combining(c))
