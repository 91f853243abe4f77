"""Pieces of the reports alone: safe spreadsheet text, metric cells, the per-day series, the chart."""
from __future__ import annotations

import io
import warnings
from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from bot.core.office_text import xml_safe
from bot.staff.charts import FONT, daily_series, receipts_chart_png
from bot.staff.xlsx import metric_cell, put_text, status_workbook

from .readback import png_size
from .scenario import ICT


def _roundtrip(value: str):
    wb = Workbook()
    put_text(wb.active["A1"], value)
    buf = io.BytesIO()
    wb.save(buf)
    return load_workbook(io.BytesIO(buf.getvalue())).active["A1"]


@pytest.mark.parametrize("value", ["=SUM(A1:A9)", "+84 912 345 678", "-1", "@cmd", "=cmd|' /C calc'!A0"])
def test_formula_like_text_is_stored_as_text(value):
    cell = _roundtrip(value)
    assert cell.value == value and cell.data_type == "s" and cell.quotePrefix


def test_ordinary_text_has_no_quote_prefix():
    cell = _roundtrip("Bộ Y tế")
    assert cell.value == "Bộ Y tế" and not cell.quotePrefix


def test_control_characters_xml_cannot_hold_are_dropped():
    cell = _roundtrip("Dòng 1\r\nDòng\x00 2\x0b\x1b[31m\ufffe")
    assert cell.value == "Dòng 1\nDòng 2[31m"
    assert xml_safe("Hoa\u0300") == "Ho\u00e0"  # NFC


def test_text_longer_than_a_cell_is_cut_not_refused():
    assert len(_roundtrip("x" * 40_000).value) == 32_767


def test_metric_stated_twice_keeps_first_number_and_all_evidence():
    value, note = metric_cell([
        {"name": "views", "value": 1_000, "unit": "lượt", "section": "I.5", "evidence": "báo A đạt 1.000 lượt"},
        {"name": "views", "value": 2_500, "unit": "lượt", "section": "I.5", "evidence": "báo B đạt 2.500 lượt"},
    ])
    assert value == 1_000
    assert "báo A đạt 1.000 lượt" in note and "báo B đạt 2.500 lượt" in note and "2 số liệu" in note


def test_status_workbook_of_no_agency_is_a_header():
    ws = load_workbook(io.BytesIO(status_workbook([])))["Tình trạng"]
    assert ws.max_row == 1 and ws["A1"].value == "Mã"


def test_daily_series_counts_local_days_and_accumulates():
    evening_utc = datetime(2024, 12, 19, 20, 0, tzinfo=UTC)  # 03:00 on 20/12 in Hà Nội
    receipts = [datetime(2024, 12, 20, 9, tzinfo=ICT), evening_utc, datetime(2024, 12, 23, 0, 5, tzinfo=ICT)]
    series = daily_series(receipts, date(2024, 12, 19), date(2024, 12, 24), "Asia/Ho_Chi_Minh")
    assert [(s.day.day, s.received, s.total) for s in series] == [
        (19, 0, 0), (20, 2, 2), (21, 0, 2), (22, 0, 2), (23, 1, 3), (24, 0, 3)]


def test_daily_series_stretches_to_receipts_outside_the_range():
    series = daily_series([datetime(2024, 12, 17, 9, tzinfo=ICT)], date(2024, 12, 19), date(2024, 12, 20),
                          "Asia/Ho_Chi_Minh")
    assert (series[0].day, series[0].total, series[-1].total) == (date(2024, 12, 17), 1, 1)


def test_chart_is_a_png_drawn_without_missing_glyphs():
    series = daily_series([datetime(2024, 12, 26, 9, tzinfo=ICT)], date(2024, 12, 19), date(2025, 1, 6),
                          "Asia/Ho_Chi_Minh")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font"
        png = receipts_chart_png(series, deadline=date(2024, 12, 30), expected=101,
                                 title="Tiến độ tiếp nhận báo cáo – Đề cương ưu tiên")
    width, height = png_size(png)
    assert (width, height) == (800, 360)


def test_chart_font_covers_vietnamese():
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(family=FONT), fallback_to_default=False)
    charmap = FT2Font(path).get_charmap()
    letters = "ăâđêôơưĂÂĐÊÔƠƯáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
    assert [c for c in letters if ord(c) not in charmap] == []
