"""Labels, Word numbering, Vietnamese numbers and metrics, mail bodies, odd inputs."""
from __future__ import annotations

import pytest

import parsers
from parsers.docx_numbering import Level, Numbering
from parsers.figures import parse_number
from parsers.labels import parse_label
from parsers.metrics import metrics_in


@pytest.mark.parametrize("text,kind,nums", [
    ("I. Tình hình", "roman", (1,)),
    ("IV. Khó khăn", "roman", (4,)),
    ("IL. Kết quả (OCR for II.)", "roman", (2,)),
    ("Phần II. Kết quả", "part", (2,)),
    ("PHẦN THỨ NHẤT", "part", (1,)),
    ("1. Việc ban hành", "arabic", (1,)),
    ("3) Nguồn lực", "arabic", (3,)),
    ("1.2. Đầu tư", "multi", (1, 2)),
    ("c) Nguồn lực", "letter", (3,)),
    ("- Việc ban hành", "bullet", ()),
    ("1.234.567 lượt xem", "", ()),
    ("2024 là năm", "", ()),
])
def test_heading_labels(text, kind, nums):
    label, _ = parse_label(text)
    assert (label.kind, label.nums) == (kind, nums)


def test_word_auto_numbering_counts_restarts_and_formats():
    n = Numbering(abstract={"0": {0: Level("upperRoman", "%1."), 1: Level("decimal", "%1.%2."),
                                  2: Level("lowerLetter", "%3)")},
                            "1": {0: Level("upperRoman", "%1."), 1: Level("decimal", "%1.%2.", legal=True)}},
                  nums={"5": ("0", {}), "6": ("0", {0: 3}), "7": ("1", {})})
    got = [n.label("5", 0), n.label("5", 1), n.label("5", 1), n.label("5", 2), n.label("5", 0), n.label("5", 1)]
    assert got == ["I.", "I.1.", "I.2.", "a)", "II.", "II.1."]  # as Word shows them
    assert [n.label("7", 0), n.label("7", 1)] == ["I.", "1.1."]  # isLgl: legal numbering in decimals
    assert n.label("6", 0) == "III."  # startOverride
    assert n.label("0", 0) == "" and n.label("99", 0) == ""


@pytest.mark.parametrize("text,value", [
    ("1.234.567", 1234567), ("45,6", 45.6), ("12,5", 12.5), ("1,234.5", 1234.5), ("350", 350), ("1.5", 1.5),
])
def test_vietnamese_numbers(text, value):
    assert parse_number(text) == value


def test_metrics_for_several_press_agencies_each_with_evidence():
    text = ("Báo Nghệ An đạt 1,2 tỷ lượt xem; Đài PT-TH tỉnh đạt 350 triệu lượt xem. "
            "Trung bình mỗi ngày có 3,5 triệu lượt truy cập/ngày.")
    got = [(m.name, m.value) for m in metrics_in(text, "I.5", ("views",))]
    assert got == [("views", 1_200_000_000), ("views", 350_000_000)]  # the daily average is not a total


def test_total_revenue_is_not_digital_revenue():
    text = ("Tổng doanh thu năm 2024 đạt 120 tỷ đồng, trong đó doanh thu từ sản phẩm báo chí số đạt 45,6 tỷ đồng, "
            "chiếm 38% tổng doanh thu.")
    got = {(m.name, m.value) for m in metrics_in(text, "I.6", ("digital_revenue_vnd",))}
    assert got == {("digital_revenue_vnd", 45_600_000_000), ("digital_revenue_share_pct", 38)}


def test_maturity_level_rank_and_score():
    got = {(m.name, m.value) for m in metrics_in(
        "Mức độ trưởng thành chuyển đổi số đạt mức Tốt với 81,5 điểm.", "I.7", ("maturity_score", "maturity_level"))}
    assert got == {("maturity_level", 4), ("maturity_score", 81.5)}


def test_mail_body_report_with_quoted_letter_below(outline):
    body = ("Kính gửi Cục Báo chí,\n\nI. Tình hình chuyển đổi số của cơ quan báo chí trực thuộc\n"
            "Báo Hà Giang đã ban hành kế hoạch.\n\nV. Đề xuất, kiến nghị\nĐề nghị hỗ trợ kinh phí.\n\n"
            "Trân trọng.\n\nVào 19/12/2024 Cục Báo chí đã viết:\n> II. Kết quả thực hiện nhiệm vụ được giao")
    r = parsers.parse_text(body, outline)
    assert r.section("I").text == "Báo Hà Giang đã ban hành kế hoạch."
    assert r.section("V").text == "Đề nghị hỗ trợ kinh phí."
    assert not r.section("II").found


def test_ocr_noise_in_numbering_still_matches(outline):
    body = ("I. Tình hình chuyển đổi số của cơ quan báo chí trực thuộc\nNội dung một.\n"
            "IL. Kết quả thực hiện nhiệm vụ được giao tại Chiến lược chuyển đổi số báo chí\nNội dung hai.\n"
            "IIL. Kết quả triển khai Kế hoạch của cơ quan, đơn vị thực hiện Chiến lược chuyển đổi số báo chí\n"
            "Nội dung ba.")
    r = parsers.parse_text(body, outline)
    assert [r.section(i).text for i in ("I", "II", "III")] == ["Nội dung một.", "Nội dung hai.", "Nội dung ba."]


def test_html_mail_body_with_ordered_lists(outline):
    html = ("<html><body><p><b>I. Tình hình chuyển đổi số của cơ quan báo chí trực thuộc</b></p>"
            "<ol><li>Việc ban hành Kế hoạch chuyển đổi số của cơ quan báo chí: đã ban hành năm 2023.</li></ol>"
            "<p><b>IV. Khó khăn, vướng mắc</b></p><p>Thiếu kinh phí.</p></body></html>")
    r = parsers.parse_text(html, outline, html=True)
    assert r.section("I.1").text == "đã ban hành năm 2023."
    assert r.section("IV").text == "Thiếu kinh phí."


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b"%PDF-1.4\n garbage", "PDF"),
    (b"PK\x03\x04 not really a zip", "zip"),
    (b"\x00\x01\x02\x03" * 100, "unsupported"),
])
def test_bad_input_gives_a_reason_not_an_exception(data, reason, outline):
    r = parsers.parse_bytes(data, "x.bin", outline)
    assert not any(s.found for s in r.sections)
    assert any(reason.lower() in w.lower() for w in r.warnings), r.warnings
    assert r.to_json()["missing"] == [n.id for n in outline.nodes if n.required and "." not in n.id or
                                      n.required and "." in n.id]


def test_parent_counts_found_when_all_children_are(outline):
    from parsers.report import ParsedReport, Section

    secs = [Section(n.id, found=n.id.startswith("I.")) for n in outline.nodes]
    r = ParsedReport("x", "docx", outline.code, secs, required=tuple(n.id for n in outline.nodes))
    assert "I" not in r.missing and "II" in r.missing and "I.1" not in r.missing
