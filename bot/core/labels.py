"""The Vietnamese words staff and agencies read for the system's states, categories and kinds:
one table, shared by the mail templates (as the global `L`), the digest, the XLSX and the console.
Keys are the vocabulary of db/vocabulary.py and the status states of bot/staff/status.py."""
from __future__ import annotations

from types import MappingProxyType

# The event log's kinds as staff read them (status sheet, "Sự kiện gần nhất").
EVENT_LABELS = {
    "agency.created": "Thêm cơ quan vào danh sách",
    "agency.updated": "Cập nhật thông tin cơ quan",
    "agency.enrolled": "Đưa vào danh sách gửi công văn",
    "agency.exempted": "Không thuộc đối tượng báo cáo (cán bộ ghi nhận)",
    "agency.unexempted": "Đưa trở lại danh sách báo cáo",
    "outbox.queued": "Chuẩn bị gửi thư",
    "outbox.sent": "Đã gửi thư",
    "outbox.deferred": "Gửi thư tạm hoãn, sẽ thử lại",
    "outbox.partial": "Đã gửi thư; một số địa chỉ tạm từ chối, sẽ gửi lại cho các địa chỉ đó",
    "outbox.failed": "Gửi thư không thành công",
    "outbox.cancelled": "Hủy thư nhắc (cơ quan đã báo cáo hoặc không thuộc đối tượng báo cáo)",
    "outbox.reclaimed": "Gửi lại thư chưa được xác nhận",
    "contact.bounced": "Thư bị trả lại (địa chỉ không nhận được thư)",
    "contact.failed": "Máy chủ thư từ chối địa chỉ",
    "contact.temporary_failure": "Thư tạm thời không gửi được đến địa chỉ (sẽ gửi lại)",
    "submission.recorded": "Đã nhận báo cáo",
    "submission.by_hand": "Cán bộ ghi nhận báo cáo nhận ngoài thư điện tử",
    "mail.stored": "Đã lưu thư nhận được",
    "mail.quarantined": "Thư chờ cán bộ kiểm tra",
    "mail.message": "Nhận thư (không phải báo cáo)",
    "mail.auto_reply": "Nhận thư trả lời tự động",
    "mail.bounce": "Nhận thư báo lỗi gửi",
    "mail.feedback": "Nhận báo cáo phản hồi (khiếu nại thư rác) của nhà cung cấp thư",
    "mail.own": "Thư của chính hệ thống",
    "mail.assigned": "Cán bộ gán thư cho cơ quan",
    "mail.rejected": "Cán bộ từ chối thư",
    "mail.failed": "Lỗi xử lý thư",
    "ack.capped": "Không gửi xác nhận (vượt giới hạn trong ngày)",
    "ack.withheld": "Không gửi xác nhận (thư qua danh sách thư hoặc thư tự động)",
    "mail.retried": "Cán bộ cho xử lý lại thư",
    "outbox.retried": "Cán bộ cho gửi lại thư",
    "contact.retried": "Cán bộ cho dùng lại địa chỉ thư",
    "contact.added": "Cán bộ thêm địa chỉ thư của cơ quan",
    "contact.removed": "Cán bộ xóa địa chỉ thư của cơ quan",
    "mailbox.uidvalidity_changed": "Hộp thư được đánh số lại, quét lại thư",
    "user.login": "Đăng nhập", "user.logout": "Đăng xuất", "user.added": "Thêm tài khoản",
                "user.disabled": "Khóa tài khoản", "user.token_created": "Cấp mã truy cập API",
                "export.written": "Xuất báo cáo tổng hợp",
}

# A state in a table cell (XLSX status sheet, console lists): short.
STATE_SHORT_LABELS = {
    "not_sent": "Chưa gửi", "sent": "Đã gửi", "bounced": "Thư bị trả lại", "overdue": "Quá hạn",
    "received_incomplete": "Đã nhận (thiếu)", "received": "Đã nhận", "exempt": "Miễn",
}
CATEGORY_LABELS = {
    "ministry": "Bộ, cơ quan ngang bộ", "gov_agency": "Cơ quan thuộc Chính phủ",
    "province": "UBND tỉnh, thành phố trực thuộc Trung ương",
    "press_body": "Cơ quan chủ quản báo chí", "other": "Cơ quan, đơn vị khác",
}

# A state in a sentence or a legend (digest): says what it means for the report.
STATE_LABELS = {
    "not_sent": "Chưa gửi công văn",
    "sent": "Đã gửi, đang chờ báo cáo",
    "bounced": "Thư bị trả lại, chưa liên lạc được",
    "overdue": "Quá hạn, chưa báo cáo",
    "received_incomplete": "Đã nhận, còn thiếu nội dung",
    "received": "Đã nhận đủ nội dung",
    "exempt": "Không thuộc đối tượng báo cáo",
}
# What staff must look at, by kind (digest, console).
PROBLEM_LABELS = {
    "bounce": "Thư bị trả lại",
    "temporary_bounce": "Thư tạm thời không gửi được",
    "send_failed": "Gửi thư không thành công",
    "quarantine": "Thư chưa xác định được cơ quan gửi",
    "parse_error": "Không đọc được tệp báo cáo",
    "unverified_sender": "Người gửi chưa được xác thực",
    "other": "Vấn đề khác",
}
# Outbound mail kinds in a sentence ("thư nhắc gửi … không thành công").
MAIL_KIND_LABELS = {"dispatch": "công văn", "reminder": "thư nhắc", "overdue": "thư nhắc quá hạn",
                    "ack": "thư xác nhận", "digest": "thư tổng hợp"}
# The digest's opening line per sending mode.
DIGEST_MODE_LABELS = {
    "daily": "",
    "news_only": "Các đợt nhắc báo cáo đã kết thúc. Từ nay, thư tổng hợp chỉ được gửi vào ngày có báo cáo mới "
                 "hoặc có vấn đề mới cần xử lý.",
    "final": "Tất cả cơ quan thuộc đối tượng báo cáo đã gửi đủ nội dung. Đây là thư tổng hợp cuối cùng; hệ thống "
             "chỉ gửi thêm khi có báo cáo hoặc vấn đề mới.",
}

# What the templates see as `L` (read-only).
TEMPLATE_LABELS = MappingProxyType({
    "states": tuple(STATE_LABELS.items()),
    "categories": MappingProxyType(CATEGORY_LABELS),
    "problems": MappingProxyType(PROBLEM_LABELS),
    "modes": MappingProxyType(DIGEST_MODE_LABELS),
})

# The console's names for each state column and kind (db/vocabulary.py), as staff read them.
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
