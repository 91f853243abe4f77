"""Report shapes the parser was not written against (tests/parsers/unseen), and the
failure classes of issue 13 one by one: figures in tables, several figures in a
sentence, asides between keyword and figure, every occurrence kept, parts the
outline lacks, renumbered sections, paraphrased sub-headings, Word placeholders
and footnotes, spreadsheets."""
from __future__ import annotations

import dataclasses
import io
import shutil
import zipfile
from email.message import EmailMessage

import pytest
from conftest import CORPUS
from openpyxl import Workbook
from unseen import NOWHERE, H, P, Report, T, render
from unseen.reports import TAIL_III, THAI_BINH, all_reports
from unseen.score import outline_for, parse, run

import parsers
from parsers.docx import read_docx
from parsers.limits import Limits
from parsers.metrics import metrics_in

I5, I6, I7 = ("views", "interactions", "reader_growth_pct"), ("digital_revenue_vnd",), ("maturity_level",)


def _got(text: str, section: str = "I.5", default=I5, year: int | None = None) -> list[tuple[str, float]]:
    kw = {"year": year} if year is not None else {}
    return [(m.name, m.value) for m in metrics_in(text, section, default, **kw)]


# ---- the whole set -------------------------------------------------------------------

def test_unseen_shapes_place_sections_and_read_metrics():
    sections, metrics, scores = run(verbose=None)
    wrong = [(s.name, w) for s in scores for w in s.wrong]
    assert sections >= 0.98, wrong
    assert metrics >= 0.95, wrong
    assert len(scores) >= 12 and {r.fmt for r in all_reports()} >= {"docx", "text", "html", "pdf", "xlsx"}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_unseen_shapes_turned_into_pdf_keep_their_sections_and_table_figures():
    sections, metrics, scores = run(verbose=None, pdf=True)
    assert len(scores) >= 10
    assert sections >= 0.95 and metrics >= 0.9, [(s.name, w) for s in scores for w in s.wrong]


# ---- 2, 3: figures in sentences --------------------------------------------------------

def test_views_and_interactions_in_one_sentence_are_two_metrics():
    got = _got("Năm 2024, tổng lượt truy cập các ấn phẩm điện tử đạt khoảng 1,2 tỷ lượt, lượt tương tác đạt "
               "45 triệu lượt.")
    assert got == [("views", 1_200_000_000), ("interactions", 45_000_000)]


def test_keyword_after_a_figure_names_it_before_the_next_clause_does():
    got = _got("Các nền tảng thu hút 410 triệu lượt xem, 9,2 triệu lượt tương tác và 3.000 lượt học viên.")
    assert got == [("views", 410_000_000), ("interactions", 9_200_000)]


def test_bracketed_aside_between_keyword_and_figure_is_read_past():
    got = _got("Tổng lượt tương tác (thích, bình luận, chia sẻ) trên các nền tảng đạt 6,8 triệu lượt.")
    assert got == [("interactions", 6_800_000)]


@pytest.mark.parametrize("qualifier", ["đạt khoảng", "ước đạt", "đạt trên", "gần", "hơn", "ước khoảng"])
def test_qualifier_between_keyword_and_figure_keeps_the_figure(qualifier):
    got = _got(f"Tổng lượt tương tác trên các trang mạng xã hội chính thức của Báo trong năm 2024 {qualifier} "
               f"6,8 triệu lượt; lượt xem video trên các kênh YouTube, TikTok và Facebook của Báo {qualifier} "
               f"320 triệu lượt.")
    assert got == [("interactions", 6_800_000), ("views", 320_000_000)]


def test_figure_written_without_its_unit_takes_it_from_the_keyword():
    got = _got("Số lượt tương tác đạt hơn 15 triệu. Lượt xem: 12.345.678; lượt tương tác: 234.567.")
    assert got == [("interactions", 15_000_000), ("views", 12_345_678), ("interactions", 234_567)]
    assert _got("Doanh thu từ quảng cáo trực tuyến đạt 18,7 tỷ.", "I.6", I6) == [("digital_revenue_vnd", 18.7e9)]


def test_clause_naming_no_count_takes_the_sentences_keyword():
    got = _got("Lượt xem các video trên nền tảng YouTube đạt 45 triệu lượt; trên TikTok đạt 120 triệu lượt.")
    assert got == [("views", 45_000_000), ("views", 120_000_000)]


def test_ratio_to_last_year_and_plan_completion_are_no_growth():
    growth = ("digital_revenue_growth_pct",)
    assert _got("Doanh thu số đạt 3,2 tỷ đồng, bằng 110% so với năm 2023.", "I.6", growth) == [
        ("digital_revenue_vnd", 3_200_000_000)]
    assert _got("Doanh thu từ sản phẩm báo chí số đạt 105% kế hoạch năm.", "I.6", growth) == []
    assert _got("Doanh thu số tăng 10% so với cùng kỳ.", "I.6", growth) == [("digital_revenue_growth_pct", 10)]


def test_maturity_score_out_of_any_scale():
    got = metrics_in("Mức độ trưởng thành chuyển đổi số đạt 350/500 điểm, xếp mức 3.", "I.7", ("maturity_score",))
    assert [(m.name, m.value, m.unit) for m in got] == [("maturity_score", 350, "điểm/500"),
                                                        ("maturity_level", 3, "level")]


def test_counts_that_are_no_metric_stay_out():
    text = ("Tổ chức 04 lớp tập huấn cho 160 lượt học viên, kinh phí 18,5 tỷ đồng; bình quân 820.000 lượt/ngày. "
            "Kế hoạch số 1234/KH-UBND năm 2023.")
    assert _got(text) == [] and _got(text, "I.6", I6) == []


def test_whole_revenue_stated_before_its_digital_part_is_not_digital_revenue():
    got = _got("Doanh thu năm 2024 đạt 45 tỷ đồng, trong đó doanh thu từ sản phẩm báo chí số đạt 15 tỷ đồng.",
               "I.6", I6)
    assert got == [("digital_revenue_vnd", 15_000_000_000)]


def test_whole_revenue_growth_is_not_digital_revenue_growth():
    assert _got("Tổng doanh thu của Báo tăng 4,5% so với năm 2023.", "I.6", ("digital_revenue_growth_pct",)) == []


def test_two_maturity_levels_in_one_sentence_are_both_kept():
    got = _got("Báo A đạt mức Khá; Đài B đạt mức Trung bình, Tạp chí C mức độ trưởng thành: Tốt.", "I.7", I7)
    assert sorted(v for _, v in got) == [2, 3, 4]


# ---- 4: every occurrence -----------------------------------------------------------------

def test_each_press_agency_figure_is_a_metric_of_its_own_with_its_evidence():
    text = ("Báo Nhà báo và Công luận đạt 150 triệu lượt truy cập; Tạp chí Người làm báo đạt 12 triệu lượt truy "
            "cập; Tạp chí Nghề báo đạt 12 triệu lượt truy cập.")
    ms = metrics_in(text, "I.5", I5)
    assert [(m.name, m.value) for m in ms] == [("views", 150e6), ("views", 12e6), ("views", 12e6)]
    assert len({m.evidence for m in ms}) == 3
    assert all(set(m.to_json()) == {"name", "value", "unit", "section", "evidence"} for m in ms)


# ---- 1: figures in tables ----------------------------------------------------------------

YEAR_TABLE = ("Chỉ tiêu | Năm 2023 | Năm 2024 | Kế hoạch 2025\n"
              "Doanh thu từ sản phẩm báo chí số (tỷ đồng) | 40,2 | 45,6 | 50\n"
              "Tỷ lệ doanh thu số trên tổng doanh thu (%) | 28 | 32 | 35\n"
              "Tổng doanh thu (tỷ đồng) | 140 | 142,5 | 150")
SHARE = ("digital_revenue_vnd", "digital_revenue_share_pct")


def test_table_figure_is_read_from_the_campaign_year_column():
    assert _got(YEAR_TABLE, "I.6", SHARE, year=2024) == [("digital_revenue_vnd", 45.6e9),
                                                         ("digital_revenue_share_pct", 32)]
    assert _got(YEAR_TABLE, "I.6", SHARE, year=2023) == [("digital_revenue_vnd", 40.2e9),
                                                         ("digital_revenue_share_pct", 28)]
    evidence = metrics_in(YEAR_TABLE, "I.6", SHARE, year=2024)[0].evidence
    assert evidence.startswith("Doanh thu từ sản phẩm báo chí số (tỷ đồng) | 40,2") and evidence.endswith("(Năm 2024)")


def test_table_without_a_campaign_year_takes_the_latest_year_that_is_no_plan():
    assert _got(YEAR_TABLE, "I.6", SHARE)[0] == ("digital_revenue_vnd", 45.6e9)


def test_outline_year_reaches_the_table_reader():
    report = Report("nam", "text", THAI_BINH, [H("I.6. Doanh thu từ sản phẩm báo chí số", "I.6"),
                                               T(tuple(tuple(r.split(" | ")) for r in YEAR_TABLE.split("\n")))], [])
    for year, value in ((2024, 45.6e9), (2023, 40.2e9)):
        got = parsers.parse_bytes(render(report), "nam.txt", dataclasses.replace(outline_for(report), year=year))
        assert ("digital_revenue_vnd", value) in {(m.name, m.value) for m in got.metrics}


@pytest.mark.parametrize("table", [
    "STT | Chỉ tiêu | Đơn vị tính | 2023 | 2024\n1 | Doanh thu từ sản phẩm báo chí số | triệu đồng | 12.500 | 14.300",
    "Chỉ tiêu | Năm 2023 (triệu đồng) | Năm 2024 (triệu đồng)\nDoanh thu từ sản phẩm báo chí số | 12.500 | 14.300",
    "Đơn vị tính: triệu đồng\nNội dung | 2022 | 2023 | 2024\nDoanh thu từ sản phẩm báo chí số | 9.000 | 12.500 | 14.300",
    "Chỉ tiêu | 2023 | 2024\nDoanh thu từ sản phẩm báo chí số (triệu đồng) | 12.500 | 14.300",
], ids=["unit_column", "unit_in_header", "caption", "unit_in_label"])
def test_table_unit_from_label_column_header_or_caption(table):
    assert _got(table, "I.6", I6, year=2024) == [("digital_revenue_vnd", 14_300_000_000)]


def test_table_growth_column_gives_growth_but_comparison_column_does_not():
    grown = "Chỉ tiêu | 2023 | 2024 | Tăng/giảm (%)\nDoanh thu từ sản phẩm báo chí số (triệu đồng) | 3.100 | 3.720 | 20"
    ratio = "Chỉ tiêu | 2023 | 2024 | So sánh (%)\nDoanh thu từ sản phẩm báo chí số (triệu đồng) | 3.100 | 3.720 | 120"
    assert _got(grown, "I.6", I6, year=2024) == [("digital_revenue_vnd", 3.72e9), ("digital_revenue_growth_pct", 20)]
    assert _got(ratio, "I.6", I6, year=2024) == [("digital_revenue_vnd", 3.72e9)]


def test_table_without_a_header_row_is_all_data():
    assert _got("Lượt truy cập | 45.000.000\nLượt tương tác | 2.000.000") == [("views", 45_000_000),
                                                                              ("interactions", 2_000_000)]


def test_agency_per_row_table_gives_each_agency_its_figures():
    table = ("TT | Cơ quan báo chí | Lượt truy cập (triệu lượt) | Lượt tương tác (nghìn lượt)\n"
             "1 | Báo Bắc Giang | 125,4 | 860\n2 | Đài Phát thanh và Truyền hình tỉnh | 48,2 | 1.250")
    assert _got(table) == [("views", 125_400_000), ("interactions", 860_000), ("views", 48_200_000),
                           ("interactions", 1_250_000)]


def test_equal_figures_of_two_years_keep_their_columns():
    report = Report("bang", "docx", THAI_BINH, [
        H("I. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CƠ QUAN BÁO CHÍ TRỰC THUỘC", "I"),
        H("6. Doanh thu từ sản phẩm báo chí số", "I.6"),
        T((("Chỉ tiêu", "Năm 2023", "Năm 2024", "Năm 2025 (dự kiến)"),
           ("Tỷ lệ doanh thu số/tổng doanh thu (%)", "30", "30", "35")))], [])
    got = parse(report)
    assert "30 | 30 | 35" in got.section("I.6").text
    assert ("digital_revenue_share_pct", 30) in {(m.name, m.value) for m in got.metrics}


def test_figure_row_of_a_table_is_no_heading():
    report = Report("dong", "docx", THAI_BINH, [
        H("I. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CƠ QUAN BÁO CHÍ TRỰC THUỘC", "I"),
        H("6. KẾT QUẢ TĂNG TRƯỞNG DOANH THU", "I.6"),
        T((("Chỉ tiêu", "2023", "2024"), ("Doanh thu từ sản phẩm báo chí số (triệu đồng)", "3.100", "3.720")))], [])
    got = parse(report)
    assert got.section("I.6").heading == "6. KẾT QUẢ TĂNG TRƯỞNG DOANH THU"
    assert "3.100 | 3.720" in got.section("I.6").text


# ---- 5, 6, 7: sections -------------------------------------------------------------------

def _outline_body(iv: list, v: list, extra: list = ()) -> list:
    return [H("I. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CƠ QUAN BÁO CHÍ TRỰC THUỘC", "I"),
            P("Tỉnh có 03 cơ quan báo chí."),
            H("II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO TẠI CHIẾN LƯỢC", "II"), P("Đã số hóa kho tư liệu."),
            H("III. KẾT QUẢ TRIỂN KHAI KẾ HOẠCH THỰC HIỆN CHIẾN LƯỢC", "III"), *TAIL_III, *iv, *v, *extra]


def _placed(report: Report) -> list:
    got = parse(report)
    texts = {s.id: " ".join(s.text.split()) for s in got.sections}
    return [(key, sid, sorted(i for i, t in texts.items() if key in t)) for key, sid in report.expected()
            if key and sorted(i for i, t in texts.items() if key in t) != ([sid] if sid != NOWHERE else [])]


IV = [H("IV. KHÓ KHĂN, VƯỚNG MẮC", "IV"), P("Hạ tầng chưa đồng bộ.")]
V = [H("V. ĐỀ XUẤT, KIẾN NGHỊ", "V"), P("Đề nghị hỗ trợ nền tảng dùng chung.")]


@pytest.mark.parametrize("extra", [
    [H("VI. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2025", NOWHERE), P("Năm 2025 tiếp tục hoàn thiện nền tảng số.")],
    [H("PHỤ LỤC", NOWHERE), P("Danh mục các văn bản đã ban hành trong năm.")],
    [H("Phụ lục: Số liệu chi tiết của các cơ quan báo chí", NOWHERE, "plain"), P("Số liệu theo từng quý.")],
], ids=["section_vi", "appendix_caps", "appendix_plain"])
def test_part_the_outline_lacks_ends_section_v(extra):
    for fmt in ("docx", "text"):
        assert _placed(Report("vi", fmt, THAI_BINH, _outline_body(IV, V, extra), [])) == [], fmt


def test_appendix_figures_are_read_with_no_section_but_plans_are_not():
    appendix = [H("PHỤ LỤC: SỐ LIỆU CÁC CƠ QUAN BÁO CHÍ", NOWHERE),
                T((("Cơ quan báo chí", "Lượt truy cập (triệu lượt)"), ("Báo Thái Bình", "310"), ("Đài tỉnh", "95")))]
    plans = [H("VI. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2025", NOWHERE),
             P("Phấn đấu năm 2025 đạt 1,5 tỷ lượt truy cập.")]
    for extra in (appendix + plans, plans + appendix):
        got = parse(Report("pl", "docx", THAI_BINH, _outline_body(IV, V, extra), []))
        assert {(m.name, m.value, m.section) for m in got.metrics} == {("views", 310e6, None), ("views", 95e6, None)}
        assert "310" not in got.section("V").text


def test_numbered_list_in_the_body_does_not_end_its_section():
    v = [H("5. ĐỀ XUẤT, KIẾN NGHỊ", "V"), H("1. ĐỐI VỚI CHÍNH PHỦ", "V"), P("Ban hành cơ chế đặt hàng."),
         H("2. ĐỐI VỚI BỘ THÔNG TIN VÀ TRUYỀN THÔNG", "V"), P("Hỗ trợ nền tảng dùng chung."),
         H("6. PHƯƠNG HƯỚNG NĂM 2025", NOWHERE), P("Tiếp tục đầu tư hạ tầng.")]
    body = [H("1. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CƠ QUAN BÁO CHÍ TRỰC THUỘC", "I"), P("Tỉnh có 03 cơ quan báo chí."),
            H("2. KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO TẠI CHIẾN LƯỢC", "II"), P("Đã số hóa kho tư liệu."),
            H("3. Đổi mới mô hình tòa soạn hội tụ", "II"), P("Tòa soạn hội tụ vận hành từ tháng 6."),
            H("3. KẾT QUẢ TRIỂN KHAI KẾ HOẠCH THỰC HIỆN CHIẾN LƯỢC", "III"), P("Đã hoàn thành kế hoạch."),
            H("4. KHÓ KHĂN, VƯỚNG MẮC", "IV"), P("Hạ tầng chưa đồng bộ."), *v]
    for fmt in ("docx", "text"):
        assert _placed(Report("dx", fmt, THAI_BINH, body, [])) == [], fmt


def test_proposals_written_before_difficulties_still_take_section_v():
    swapped = [H("IV. ĐỀ XUẤT, KIẾN NGHỊ", "V"), P("Đề nghị hỗ trợ kinh phí."),
               H("V. KHÓ KHĂN, VƯỚNG MẮC", "IV"), P("Địa hình chia cắt.")]
    assert _placed(Report("doi", "docx", THAI_BINH, _outline_body(swapped, []), [])) == []


def test_renumbered_proposals_heading_is_recognised_as_v():
    renumbered = [H("IV. ĐỀ XUẤT, KIẾN NGHỊ", "V"), P("Đề nghị hỗ trợ kinh phí."),
                  H("V. PHƯƠNG HƯỚNG THỜI GIAN TỚI", NOWHERE), P("Tập trung đào tạo.")]
    report = Report("so", "docx", THAI_BINH, _outline_body(renumbered, []), [])
    assert _placed(report) == []
    assert parse(report).section("V").heading == "IV. ĐỀ XUẤT, KIẾN NGHỊ"


@pytest.mark.parametrize("look,fmt", [("bold", "docx"), ("plain", "text")])
def test_unnumbered_paraphrased_subheadings_match_by_meaning(look, fmt):
    subs = [("Về xây dựng kế hoạch", "I.1"), ("Về trang thiết bị, hạ tầng", "I.2"), ("Về nguồn nhân lực", "I.3"),
            ("Về ứng dụng công nghệ", "I.4"), ("Về phản hồi của bạn đọc", "I.5"), ("Về doanh thu", "I.6"),
            ("Về mức độ trưởng thành", "I.7")]
    body = [H("I. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CƠ QUAN BÁO CHÍ TRỰC THUỘC", "I")]
    for title, sid in subs:
        body += [H(title, sid, look), P(f"Nội dung báo cáo của mục {sid} trong năm.")]
    body += [H("II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO TẠI CHIẾN LƯỢC", "II"),
             P("Về công tác tuyên truyền, các cơ quan báo chí mở chuyên mục chuyển đổi số."),
             H("III. KẾT QUẢ TRIỂN KHAI KẾ HOẠCH THỰC HIỆN CHIẾN LƯỢC", "III"),
             H("Những kết quả chủ yếu", "III.1", look), P("Hoàn thành hợp nhất Báo và Đài."),
             H("Thuận lợi", "III.2", look), P("Lãnh đạo quan tâm."), *IV, *V]
    assert _placed(Report("ve", fmt, THAI_BINH, body, [])) == []


# ---- 8: Word forms -------------------------------------------------------------------------

def _form(fmt: str) -> Report:
    return Report("mau", fmt, THAI_BINH, [
        H("I. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CƠ QUAN BÁO CHÍ TRỰC THUỘC", "I"),
        H("1. Việc ban hành Kế hoạch chuyển đổi số", "I.1"), P("", placeholder=True),
        H("2. Đầu tư trang thiết bị, cơ sở vật chất", "I.2"),
        P("Đã đầu tư máy chủ.", footnote="Kinh phí lấy từ nguồn sự nghiệp năm 2024."),
        H("5. Kết quả phản hồi từ độc giả", "I.5"),
        P("Lượt truy cập tăng mạnh.", footnote="Tổng lượt truy cập năm 2024 đạt 64 triệu lượt."),
        *_outline_body(IV, V)[2:]], [])


@pytest.mark.parametrize("fmt", ["docx", "text"])
def test_word_placeholder_counts_as_empty_and_its_section_as_missing(fmt):
    got = parse(_form(fmt))
    assert not got.section("I.1").found and got.section("I.1").text == "" and "I.1" in got.missing
    assert got.section("I.2").found and "I.2" not in got.missing
    assert not any("nhập văn bản" in s.text or "enter text" in s.text for s in got.sections)


def test_footnote_text_lands_in_the_section_citing_it():
    got = parse(_form("docx"))
    assert "Kinh phí lấy từ nguồn sự nghiệp năm 2024." in got.section("I.2").text
    assert ("views", 64_000_000) in {(m.name, m.value) for m in got.metrics}


@pytest.mark.skipif(not (CORPUS / "docx").is_dir(), reason="shared corpus not present")
@pytest.mark.parametrize("name,note", [("poi__footnotes.docx", "snoska"), ("poi__endnotes.docx", "XXX"),
                                       ("poi__table_footnotes.docx", "snoska")])
def test_corpus_footnote_and_endnote_texts_are_read(name, note):
    blocks, _, _ = read_docx((CORPUS / "docx" / name).read_bytes(), Limits())
    assert any(note in b.full_text for b in blocks)


# ---- 9: spreadsheets ----------------------------------------------------------------------

def test_spreadsheet_is_read_by_content_whatever_its_name():
    data = render(next(r for r in all_reports() if r.fmt == "xlsx"))
    got = parsers.parse_bytes(data, "bao-cao.bin", outline_for(all_reports()[0]))
    assert got.format == "xlsx" and got.completeness == 1.0 and got.metrics


def test_spreadsheet_numbers_and_percent_cells_read_as_written():
    wb = Workbook()
    ws = wb.active
    for row in (["I. Tình hình chuyển đổi số của cơ quan báo chí trực thuộc"],
                ["6. Kết quả tăng trưởng doanh thu từ sản phẩm báo chí số"],
                ["", "Chỉ tiêu", "Năm 2023", "Năm 2024"],
                ["", "Doanh thu từ sản phẩm báo chí số (triệu đồng)", 2400, 2900.5],
                ["", "Tỷ lệ doanh thu số/tổng doanh thu", 0.16, 0.19]):
        ws.append(row)
    for cell in ws[5][2:]:
        cell.number_format = "0%"
    buf = io.BytesIO()
    wb.save(buf)
    got = parsers.parse_bytes(buf.getvalue(), "so-lieu.xlsx", outline_for(all_reports()[0]))
    assert {(m.name, m.value) for m in got.metrics} == {("digital_revenue_vnd", 2_900_500_000),
                                                        ("digital_revenue_share_pct", 19)}


def _sheet(rows: list[list]) -> bytes:
    wb = Workbook()
    wb.active.title = "Hướng dẫn"
    wb.active.append(["Đơn vị điền số liệu vào sheet Báo cáo"])
    ws = wb.create_sheet("Báo cáo")
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_spreadsheet_outline_table_with_a_notes_column():
    data = _sheet([["STT", "Nội dung đề cương", "Kết quả thực hiện", "Ghi chú"],
                   ["I", "Tình hình chuyển đổi số của cơ quan báo chí trực thuộc", "", ""],
                   ["1", "Việc ban hành Kế hoạch chuyển đổi số", "Đã ban hành Kế hoạch số 12/KH.", "Kèm theo"],
                   ["5", "Kết quả phản hồi từ độc giả", "Lượt truy cập đạt 12 triệu lượt.", ""],
                   ["6. Kết quả tăng trưởng doanh thu từ sản phẩm báo chí số", 2100000000],
                   ["V", "Đề xuất, kiến nghị", "Đề nghị hỗ trợ.", ""]])
    got = parsers.parse_bytes(data, "mau.xlsx", outline_for(all_reports()[0]))
    assert [s.id for s in got.sections if s.found] == ["I", "I.1", "I.5", "I.6", "V"]
    assert "Đã ban hành Kế hoạch số 12/KH." in got.section("I.1").text
    assert got.section("I.6").text == "2.100.000.000"
    assert ("views", 12_000_000) in {(m.name, m.value) for m in got.metrics}


def test_spreadsheet_declaring_entities_is_refused():
    src, out = zipfile.ZipFile(io.BytesIO(render(next(r for r in all_reports() if r.fmt == "xlsx")))), io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + part
            z.writestr(info, part)
    got = parsers.parse_bytes(out.getvalue(), "bom.xlsx", outline_for(all_reports()[0]))
    assert not any(s.found for s in got.sections) and any("DTD" in w or "DOCTYPE" in w for w in got.warnings)


def test_spreadsheet_attachment_is_parsed_by_intake():
    from bot.intake.contents import read_contents  # noqa: PLC0415 - the one intake check here

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "stttt@dongthap.gov.vn", "baocao@example.gov.vn", "Báo cáo 5422"
    msg.set_content("Kính gửi báo cáo.")
    report = next(r for r in all_reports() if r.fmt == "xlsx")
    msg.add_attachment(render(report), maintype="application",
                       subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename="bao-cao.xlsx")
    contents = read_contents(msg, outline_for(report))
    assert [p.result["format"] for p in contents.files] == ["xlsx"]
    assert contents.files[0].found_sections >= 16 and not contents.files[0].problem
