"""What a report answering the 5422 letter says, written for one issuing agency.

Pure: an agency (code, name, category) and a seeded `random.Random` in, the lines of its
report out — letterhead, preamble, the sentences under each outline node, closing.
Numbers (views, revenue, maturity score) vary per agency; `Report.metrics` lists the
values the sentences state, for checks. `compose` puts sentences written elsewhere (a
fixed test report, say) in the same frame.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

# Press agencies of the central bodies (what their reports talk about).
OUTLETS = {
    "BQP": ("Báo Quân đội nhân dân", "Truyền hình Quốc phòng Việt Nam"),
    "BCA": ("Báo Công an nhân dân", "Truyền hình Công an nhân dân"),
    "BNG": ("Báo Thế giới và Việt Nam",), "BNV": ("Tạp chí Tổ chức nhà nước",),
    "BTP": ("Báo Pháp luật Việt Nam",), "BKHDT": ("Báo Đầu tư",), "BTC": ("Thời báo Tài chính Việt Nam",),
    "BCT": ("Báo Công Thương",), "BNNPTNT": ("Báo Nông nghiệp Việt Nam",), "BGTVT": ("Báo Giao thông",),
    "BXD": ("Báo Xây dựng",), "BTNMT": ("Báo Tài nguyên và Môi trường",), "BTTTT": ("Báo VietNamNet",),
    "BLDTBXH": ("Báo Lao động và Xã hội",), "BVHTTDL": ("Báo Văn hóa",), "BKHCN": ("Báo Khoa học và Phát triển",),
    "BGDDT": ("Báo Giáo dục và Thời đại",), "BYT": ("Báo Sức khỏe và Đời sống",), "UBDT": ("Báo Dân tộc và Phát triển",),
    "NHNN": ("Thời báo Ngân hàng",), "TTCP": ("Báo Thanh tra",), "VPCP": ("Báo Điện tử Chính phủ",),
    "BQLLANG": ("Trang thông tin điện tử Lăng Chủ tịch Hồ Chí Minh",), "BHXH": ("Tạp chí Bảo hiểm xã hội",),
    "TTXVN": ("Báo Tin tức", "Báo ảnh Việt Nam"), "VOV": ("Báo điện tử VOV", "Kênh VOVTV"),
    "VTV": ("Báo điện tử VTV News", "Kênh VTV1"), "HVCTQG": ("Tạp chí Lý luận chính trị",),
    "VHLKHCN": ("Tạp chí Khoa học và Công nghệ Việt Nam",), "VHLKHXH": ("Tạp chí Khoa học xã hội Việt Nam",),
    "HNBVN": ("Tạp chí Người Làm Báo", "Báo Nhà báo và Công luận"), "TWDOAN": ("Báo Tiền Phong", "Báo Thanh niên"),
    "TLDLD": ("Báo Lao Động",), "TWHLHPN": ("Báo Phụ nữ Việt Nam",), "UBTWMTTQ": ("Báo Đại Đoàn Kết",),
    "LHHKHKT": ("Tạp chí Khoa học và Kỹ thuật",), "TWHND": ("Báo Nông thôn Ngày nay",),
}
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
_MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thanh", "Quốc", "Hữu", "Ngọc", "Xuân", "Thu")
_GIVEN = ("Hùng", "Lan", "Sơn", "Hương", "Tuấn", "Hà", "Dũng", "Mai", "Long", "Thảo", "Quang", "Yến")
_LEVELS = ((40, "Trung bình", 2), (60, "Khá", 3), (80, "Tốt", 4), (101, "Xuất sắc", 5))
# What every agency writes alike: the assessment, the difficulties and the proposals.
COMMON: dict[str, list[str]] = {
    "III.2": ["Được sự quan tâm chỉ đạo sát sao của lãnh đạo đối với công tác chuyển đổi số.",
              "Đội ngũ phóng viên trẻ, năng động, tiếp cận nhanh với công nghệ mới."],
    "III.3": ["Nguồn kinh phí đầu tư cho chuyển đổi số còn hạn hẹp, chủ yếu dựa vào ngân sách nhà nước.",
              "Nguyên nhân chủ yếu là cơ chế tự chủ tài chính của các cơ quan báo chí chưa hoàn thiện."],
    "III.4": ["Người đứng đầu cơ quan báo chí phải trực tiếp chỉ đạo và chịu trách nhiệm về chuyển đổi số."],
    "IV": ["Chưa có hướng dẫn cụ thể về định mức kinh tế - kỹ thuật cho sản phẩm báo chí số.",
           "Việc thu hút nhân lực công nghệ chất lượng cao gặp nhiều khó khăn do mức lương chưa cạnh tranh."],
    "V": ["Đề nghị Bộ Thông tin và Truyền thông sớm ban hành bộ tiêu chí đánh giá hiệu quả sản phẩm báo chí số.",
          "Đề nghị hỗ trợ kinh phí xây dựng nền tảng dùng chung cho các cơ quan báo chí."],
}


@dataclass(frozen=True)
class Issuer:
    code: str
    name: str           # "Ủy ban nhân dân tỉnh Nghệ An"
    category: str
    place: str          # "Nghệ An", "Hà Nội"
    outlets: tuple[str, ...]
    signer: str

    @property
    def upper(self) -> str:
        return self.name.upper()


@dataclass
class Report:
    issuer: Issuer
    letterhead: list[str]
    preamble_title: list[str]
    to: str
    opening: str
    body: dict[str, list[str]]   # outline node id -> sentences under its heading
    closing_sentence: str
    recipients: list[str]
    signature: list[str]
    place_date: str
    metrics: set[tuple[str, float]] = field(default_factory=set)

    NATIONAL = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")

    @property
    def preamble(self) -> list[str]:
        """Every line before the first heading, in reading order: in no section."""
        return self.letterhead + list(self.NATIONAL) + [self.place_date] + self.preamble_title + [self.to, self.opening]

    @property
    def closing(self) -> list[str]:
        """Every line after the last section, in reading order: in no section."""
        return [self.closing_sentence] + self.recipients + self.signature


def issuer(code: str, name: str, category: str, rng: random.Random) -> Issuer:
    signer = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
    if category == "province":
        place = name.split(" tỉnh ", 1)[-1].split(" thành phố ", 1)[-1]
        outlets = (f"Báo {place}", f"Đài Phát thanh và Truyền hình {place}")
        return Issuer(code, name, category, place, outlets, signer)
    outlets = OUTLETS.get(code) or (f"Báo điện tử {name}",)
    return Issuer(code, name, category, "Hà Nội", outlets, signer)


def vn_number(n: float, decimals: int = 0) -> str:
    """1234567.8 -> '1.234.567,8' (Vietnamese separators)."""
    whole, _, frac = f"{n:,.{decimals}f}".partition(".")
    whole = whole.replace(",", ".")
    frac = frac.rstrip("0")
    return f"{whole},{frac}" if frac else whole


def _recipients(iss: Issuer) -> list[str]:
    if iss.category == "province":
        return ["Nơi nhận:", "- Như trên;", "- Chủ tịch, các PCT UBND tỉnh;", "- Sở Thông tin và Truyền thông;",
                "- Lưu: VT, KGVX."]
    return ["Nơi nhận:", "- Như trên;", "- Bộ Thông tin và Truyền thông (Cục Báo chí);", "- Lãnh đạo cơ quan;",
            "- Lưu: VT."]


def _signature(iss: Issuer) -> list[str]:
    if iss.category == "province":
        return ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", iss.signer]
    if iss.category == "ministry" and iss.name.startswith("Bộ"):
        return ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", iss.signer]
    return ["KT. THỦ TRƯỞNG CƠ QUAN", "PHÓ THỦ TRƯỞNG CƠ QUAN", iss.signer]


def _metrics_text(iss: Issuer, rng: random.Random, out: set) -> dict[str, list[str]]:
    main = iss.outlets[0]
    views_m = rng.choice((rng.randint(12, 950) * 100_000, rng.randint(11, 25) * 100_000_000))
    views_txt = (f"{vn_number(views_m / 1e9, 1)} tỷ lượt xem" if views_m >= 1_000_000_000
                 else f"{vn_number(views_m)} lượt xem")
    inter = rng.randint(120, 9_900) * 1_000
    growth = rng.randint(5, 40)
    revenue = rng.randint(15, 990) * 100_000_000
    rev_growth = rng.randint(21, 299) / 10
    share = rng.randint(8, 55)
    score = rng.randint(38, 92)
    level, rank = next((name, r) for limit, name, r in _LEVELS if score < limit)
    out |= {("views", views_m), ("interactions", inter), ("reader_growth_pct", growth),
            ("digital_revenue_vnd", revenue), ("digital_revenue_growth_pct", rev_growth),
            ("digital_revenue_share_pct", share), ("maturity_score", score), ("maturity_level", rank)}
    return {
        "I.5": [f"Năm 2024, các nền tảng số của {main} đạt {views_txt} và {vn_number(inter)} lượt tương tác.",
                f"Số lượng độc giả thường xuyên tăng {growth}% so với năm 2023."],
        "I.6": [f"Doanh thu từ sản phẩm báo chí số của {main} đạt {vn_number(revenue / 1e9, 1)} tỷ đồng, "
                f"tăng {vn_number(rev_growth, 1)}% so với năm 2023.",
                f"Doanh thu các sản phẩm báo chí số chiếm {share}% tổng doanh thu của cơ quan."],
        "I.7": [f"Theo Bộ chỉ số đánh giá mức độ chuyển đổi số báo chí, {main} tự đánh giá đạt {score}/100 điểm, "
                f"mức độ trưởng thành chuyển đổi số xếp loại {level}."],
    }


def _body(iss: Issuer, rng: random.Random, metrics: set) -> dict[str, list[str]]:
    o = iss.outlets
    main, second = o[0], (o[1] if len(o) > 1 else o[0])
    n_staff, n_degree = rng.randint(9, 60), rng.randint(3, 9)
    kh = rng.randint(12, 480)
    done, total = rng.randint(8, 14), 15
    return {
        "I": [f"Hiện nay {iss.name} có {len(o):02d} cơ quan báo chí trực thuộc: {', '.join(o)}."],
        "I.1": [f"Ngày {rng.randint(2, 28)}/{rng.randint(1, 12)}/2023, {main} ban hành Kế hoạch số "
                f"{kh}/KH về chuyển đổi số giai đoạn 2023 - 2025, định hướng đến năm 2030.",
                "Kế hoạch xác định rõ mục tiêu, lộ trình và phân công trách nhiệm cho từng phòng, ban."],
        "I.2": [f"Các cơ quan báo chí đã đầu tư hệ thống máy chủ, thiết bị dựng hình và phòng thu với tổng kinh phí "
                f"khoảng {rng.randint(3, 40)} tỷ đồng.",
                f"Hệ thống lưu trữ dữ liệu tập trung được nâng cấp lên dung lượng {rng.choice((60, 120, 200, 350))} TB."],
        "I.3": [f"Đội ngũ phụ trách công nghệ thông tin gồm {n_staff} người, trong đó {n_degree} người có "
                f"trình độ đại học chuyên ngành.",
                f"Trong năm 2024 đã tổ chức {rng.randint(2, 9):02d} lớp tập huấn kỹ năng báo chí đa phương tiện."],
        "I.4": [f"{main} đã đưa vào vận hành hệ thống quản trị nội dung hội tụ và ứng dụng trí tuệ nhân tạo "
                "chuyển văn bản thành giọng nói.",
                f"{second} phát hành nội dung trên các nền tảng mạng xã hội và ứng dụng di động."],
        **_metrics_text(iss, rng, metrics),
        "II": ["Các cơ quan báo chí đã hoàn thành việc số hóa kho tư liệu ảnh, âm thanh và video.",
               f"Tỷ lệ tin bài được xuất bản đồng thời trên nền tảng số đạt trên {rng.randint(70, 98)}% tổng số tin bài."],
        "III": [f"{iss.name} ban hành Kế hoạch triển khai Chiến lược chuyển đổi số báo chí ngày "
                f"{rng.randint(2, 28)}/{rng.randint(5, 12)}/2023."],
        "III.1": [f"Đến nay đã hoàn thành {done}/{total} nhiệm vụ của Kế hoạch, {total - done:02d} nhiệm vụ "
                  "đang triển khai đúng tiến độ."],
        **COMMON,
    }


def report(code: str, name: str, category: str, rng: random.Random, day: date) -> Report:
    """The report `name` writes, dated `day`."""
    iss = issuer(code, name, category, rng)
    metrics: set = set()
    body = _body(iss, rng, metrics)
    number = f"Số: {rng.randint(100, 4999)}/BC-{'UBND' if category == 'province' else code}"
    return compose(iss, number, day, body, metrics)


def compose(iss: Issuer, number: str, day: date, body: dict[str, list[str]],
            metrics: set[tuple[str, float]] | None = None) -> Report:
    """`body` (node id -> sentences) inside the frame `iss` writes around it: letterhead,
    preamble, closing sentence, recipients and signature. `metrics`: what `body` states."""
    return Report(
        issuer=iss, letterhead=[iss.upper, number],
        preamble_title=["BÁO CÁO", "Tình hình thực hiện Chiến lược chuyển đổi số báo chí đến năm 2025, "
                                   "định hướng đến năm 2030"],
        to="Kính gửi: Bộ Thông tin và Truyền thông (Cục Báo chí).",
        opening=(f"Thực hiện Công văn số 5422/BTTTT-CBC ngày 19/12/2024 của Bộ Thông tin và Truyền thông về việc "
                 f"báo cáo thực hiện Chiến lược chuyển đổi số báo chí, {iss.name} báo cáo như sau:"),
        body=body,
        closing_sentence=(f"Trên đây là báo cáo tình hình thực hiện Chiến lược chuyển đổi số báo chí của {iss.name}, "
                          "kính gửi Bộ Thông tin và Truyền thông tổng hợp./."),
        recipients=_recipients(iss), signature=_signature(iss),
        place_date=f"{iss.place}, ngày {day.day} tháng {day.month} năm {day.year}",
        metrics=set(metrics or ()),
    )
