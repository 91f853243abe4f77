"""The fixed report of the development set: one province's answer to letter 5422/BTTTT-CBC.

The demo's generator (`bot.demo.content`) varies its figures per agency; the parser tests
want known figures and sentences written to trip a parser: numbers that are no metric
(a decision number, a span of years, "210 lượt phóng viên"), views stated as "1,2 tỷ".
The frame (letterhead, preamble, closing, signature) and the common sentences are the
demo's. PREAMBLE and CLOSING lines must land in no section.
"""
from __future__ import annotations

from datetime import date

from bot.cli.parse_cmds import default_outline
from bot.demo.content import COMMON, Issuer, compose

OUTLINE = default_outline()

ISSUER = Issuer(
    code="NAN", name="Ủy ban nhân dân tỉnh Nghệ An", category="province", place="Nghệ An",
    outlets=("Báo Nghệ An", "Đài Phát thanh và Truyền hình tỉnh", "Tạp chí Văn hóa Nghệ An"),
    signer="Bùi Đình Long",
)

# Key sentences: node id → sentences written under that node's heading.
BODY: dict[str, list[str]] = {
    "I": ["Trên địa bàn tỉnh hiện có 03 cơ quan báo chí trực thuộc gồm Báo Nghệ An, Đài Phát thanh và Truyền hình "
          "tỉnh và Tạp chí Văn hóa Nghệ An."],
    "I.1": ["Ngày 15/3/2023, Báo Nghệ An ban hành Kế hoạch số 45/KH-BNA về chuyển đổi số giai đoạn 2023 - 2025.",
            "Đài Phát thanh và Truyền hình tỉnh ban hành Kế hoạch chuyển đổi số tại Quyết định số 112/QĐ-PTTH."],
    "I.2": ["Các cơ quan báo chí đã đầu tư hệ thống máy chủ, thiết bị dựng hình và phòng thu với tổng kinh phí "
            "khoảng 12 tỷ đồng.",
            "Hệ thống lưu trữ dữ liệu tập trung được nâng cấp lên dung lượng 200 TB."],
    "I.3": ["Đội ngũ phụ trách công nghệ thông tin của các cơ quan báo chí gồm 27 người, trong đó 9 người có "
            "trình độ đại học chuyên ngành.",
            "Trong năm 2024 đã tổ chức 06 lớp tập huấn kỹ năng báo chí đa phương tiện cho 210 lượt phóng viên."],
    "I.4": ["Báo Nghệ An đã đưa vào vận hành hệ thống quản trị nội dung hội tụ và ứng dụng trí tuệ nhân tạo "
            "chuyển văn bản thành giọng nói.",
            "Đài Phát thanh và Truyền hình tỉnh phát sóng trực tuyến các kênh trên ứng dụng NTV Go."],
    "I.5": ["Năm 2024, các nền tảng số của Báo Nghệ An đạt 1,2 tỷ lượt xem và 35.400.000 lượt tương tác.",
            "Số lượng độc giả thường xuyên tăng 25% so với năm 2023."],
    "I.6": ["Doanh thu từ sản phẩm báo chí số của Báo Nghệ An đạt 45,6 tỷ đồng, tăng 15,2% so với năm 2023.",
            "Doanh thu các sản phẩm báo chí số chiếm 38% tổng doanh thu của cơ quan."],
    "I.7": ["Theo Bộ chỉ số tại Quyết định số 1827/QĐ-BTTTT, Báo Nghệ An tự đánh giá đạt 72/100 điểm, "
            "mức độ trưởng thành chuyển đổi số xếp loại Khá."],
    "II": ["Các cơ quan báo chí đã hoàn thành việc số hóa kho tư liệu ảnh và video giai đoạn 1975 - 2000.",
           "Tỷ lệ tin bài được xuất bản đồng thời trên nền tảng số đạt trên 90% tổng số tin bài."],
    "III": ["Ủy ban nhân dân tỉnh ban hành Kế hoạch số 321/KH-UBND ngày 20/5/2023 triển khai Chiến lược."],
    "III.1": ["Đến nay đã hoàn thành 14/18 nhiệm vụ của Kế hoạch, 04 nhiệm vụ đang triển khai đúng tiến độ."],
    **COMMON,  # III.2 to V as every agency writes them
}

# Metrics the I.5–I.7 sentences state: (name, value).
EXPECTED_METRICS = {
    ("views", 1_200_000_000), ("interactions", 35_400_000), ("reader_growth_pct", 25),
    ("digital_revenue_vnd", 45_600_000_000), ("digital_revenue_growth_pct", 15.2),
    ("digital_revenue_share_pct", 38), ("maturity_score", 72), ("maturity_level", 3),
}

REPORT = compose(ISSUER, "Số: 1234/BC-UBND", date(2024, 12, 27), BODY, EXPECTED_METRICS)
PREAMBLE = REPORT.preamble
CLOSING = REPORT.closing
