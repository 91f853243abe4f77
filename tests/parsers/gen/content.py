"""Realistic content of a report answering letter 5422/BTTTT-CBC.

Each outline node gets key sentences; the generator places them under the
node's heading in many document shapes, and the tests check that each lands
in the right section. PREAMBLE and CLOSING lines must land in no section.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

from parsers.model import Outline, OutlineNode

CAMPAIGN = Path(__file__).resolve().parents[3] / "campaigns" / "5422-BTTTT-CBC.toml"


def load_outline() -> Outline:
    data = tomllib.loads(CAMPAIGN.read_text("utf-8"))
    return Outline(code=data["campaign"]["code"], nodes=tuple(
        OutlineNode(id=n["id"], title=n["title"], required=n.get("required", True),
                    aliases=tuple(n.get("aliases", ())), metrics=tuple(n.get("metrics", ())),
                    description=n.get("description", ""))
        for n in data["outline"]
    ))


AGENCY = "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN"
AGENCY_SHORT = "UBND tỉnh Nghệ An"

LETTERHEAD = [AGENCY, "Số: 1234/BC-UBND"]
NATIONAL = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
PLACE_DATE = "Nghệ An, ngày 27 tháng 12 năm 2024"
TITLE = ["BÁO CÁO", "Tình hình thực hiện Chiến lược chuyển đổi số báo chí đến năm 2025, định hướng đến năm 2030"]
TO = "Kính gửi: Bộ Thông tin và Truyền thông (Cục Báo chí)."
OPENING = ("Thực hiện Công văn số 5422/BTTTT-CBC ngày 19/12/2024 của Bộ Thông tin và Truyền thông về việc "
           "báo cáo thực hiện Chiến lược chuyển đổi số báo chí, Ủy ban nhân dân tỉnh Nghệ An báo cáo như sau:")
PREAMBLE = LETTERHEAD + NATIONAL + [PLACE_DATE] + TITLE + [TO, OPENING]

CLOSING_SENTENCE = ("Trên đây là báo cáo tình hình thực hiện Chiến lược chuyển đổi số báo chí của Ủy ban nhân dân "
                    "tỉnh Nghệ An, kính gửi Bộ Thông tin và Truyền thông tổng hợp./.")
RECIPIENTS = ["Nơi nhận:", "- Như trên;", "- Chủ tịch, các PCT UBND tỉnh;", "- Sở Thông tin và Truyền thông;",
              "- Lưu: VT, KGVX."]
SIGNATURE = ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Bùi Đình Long"]
CLOSING = [CLOSING_SENTENCE] + RECIPIENTS + SIGNATURE

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
    "III.2": ["Được sự quan tâm chỉ đạo sát sao của Tỉnh ủy, Ủy ban nhân dân tỉnh đối với công tác chuyển đổi số.",
              "Đội ngũ phóng viên trẻ, năng động, tiếp cận nhanh với công nghệ mới."],
    "III.3": ["Nguồn kinh phí đầu tư cho chuyển đổi số còn hạn hẹp, chủ yếu dựa vào ngân sách nhà nước.",
              "Nguyên nhân chủ yếu là cơ chế tự chủ tài chính của các cơ quan báo chí chưa hoàn thiện."],
    "III.4": ["Người đứng đầu cơ quan báo chí phải trực tiếp chỉ đạo và chịu trách nhiệm về chuyển đổi số."],
    "IV": ["Chưa có hướng dẫn cụ thể về định mức kinh tế - kỹ thuật cho sản phẩm báo chí số.",
           "Việc thu hút nhân lực công nghệ chất lượng cao gặp nhiều khó khăn do mức lương chưa cạnh tranh."],
    "V": ["Đề nghị Bộ Thông tin và Truyền thông sớm ban hành bộ tiêu chí đánh giá hiệu quả sản phẩm báo chí số.",
          "Đề nghị hỗ trợ kinh phí xây dựng nền tảng dùng chung cho các cơ quan báo chí địa phương."],
}

# A numbered list of tasks inside II's body: body text, not outline headings.
II_TASKS = [
    "1. Hoàn thiện hạ tầng kỹ thuật số phục vụ sản xuất nội dung trên các nền tảng số.",
    "2. Phát triển nguồn nhân lực báo chí số đáp ứng yêu cầu chuyển đổi số.",
    "3. Đổi mới mô hình tòa soạn hội tụ, đa phương tiện.",
]

# Metrics the I.5–I.7 sentences state: (name, value).
EXPECTED_METRICS = {
    ("views", 1_200_000_000), ("interactions", 35_400_000), ("reader_growth_pct", 25),
    ("digital_revenue_vnd", 45_600_000_000), ("digital_revenue_growth_pct", 15.2),
    ("digital_revenue_share_pct", 38), ("maturity_score", 72), ("maturity_level", 3),
}

# Wording variants of headings agencies use instead of the outline's.
PARAPHRASE = {
    "I": "Thực trạng chuyển đổi số tại các cơ quan báo chí trực thuộc",
    "I.2": "Về đầu tư cơ sở vật chất, trang thiết bị",
    "I.3": "Nguồn nhân lực, vật lực phục vụ chuyển đổi số",
    "I.5": "Phản hồi của độc giả và tăng trưởng độc giả",
    "I.6": "Doanh thu từ sản phẩm báo chí số",
    "III.2": "Thuận lợi, ưu điểm",
    "III.3": "Tồn tại, hạn chế và nguyên nhân",
    "IV": "Khó khăn, vướng mắc trong quá trình thực hiện",
    "V": "Kiến nghị, đề xuất",
}
