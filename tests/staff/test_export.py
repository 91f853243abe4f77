"""The export, read back with python-docx and openpyxl: every received section under the right
node and agency; the workbook's sheets hold the status, the metrics and the completeness."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from docx import Document
from docx.shared import Mm
from openpyxl import load_workbook

from bot.core.office_text import xml_safe
from bot.staff.export import export_docx, export_xlsx, gather_export
from bot.staff.status import campaign_status
from bot.staff.xlsx import STATUS_COLUMNS

from .readback import docx_lines, docx_sections
from .scenario import HOSTILE, INJECTED, NOW, REPORTS

CURRENT = [r for r in REPORTS if r.is_current]


@pytest.fixture
def data(session, campaign):
    return gather_export(session, campaign, NOW)


@pytest.fixture
def names(session, campaign):
    return {r["agency"]: r["name"] for r in campaign_status(session, campaign, NOW)}


def heading(node: dict) -> str:
    """"I. Tình hình…" for a top-level node, "1. Việc ban hành…" for I.1 (the 5422 outline's ids
    are the letter's own numbering)."""
    return f"{node['id'].split('.')[-1]}. {node['title']}"


def source_of(report, node_index: int) -> str:
    return report.files[node_index % len(report.files)] if report.per_section_source else ", ".join(report.files)


def test_docx_has_every_received_section_under_its_node_and_agency(data, campaign, names):
    headings, under = docx_sections(export_docx(data))
    assert headings == [heading(n) for n in campaign.outline]
    checked = 0
    for report in CURRENT:
        for i, node in enumerate(campaign.outline):
            lines = under[heading(node)]
            label = f"{names[report.code]} (Nguồn: {source_of(report, i)})"
            if node["id"] in report.missing or not report.texts.get(node["id"], "x"):
                assert label not in lines
                continue
            text = report.texts.get(node["id"]) or f"{report.code} báo cáo mục {node['id']}"
            start = lines.index(label)
            body = lines[start + 1:]
            first_line = xml_safe(text).split("\n")[0]
            assert body and body[0].startswith(first_line[:40]), (report.code, node["id"])
            checked += 1
    assert checked == sum(len(campaign.outline) - len(r.missing) for r in CURRENT) - 1  # BYT's "I" is empty


def test_agencies_in_category_then_code_order_and_lacking_ones_named(data, campaign, names):
    _, under = docx_sections(export_docx(data))
    lines = under[heading(campaign.outline[1])]  # I.1: everybody covered it
    labels = [ln.split(" (Nguồn:")[0] for ln in lines if " (Nguồn: " in ln]
    assert labels == [names[c] for c in ("BTC", "BYT", "VOV", "EVIL")]  # ministries, gov agency, other
    assert not any(ln.startswith("Chưa báo cáo mục này") for ln in lines)
    iv = under["IV. Khó khăn, vướng mắc"]
    assert f"Chưa báo cáo mục này: {names['BTC']}." in iv
    iii4 = under["4. Bài học kinh nghiệm"]
    assert f"Chưa báo cáo mục này: {names['EVIL']}." in iii4  # VOV's old version lacked it; the current does not


def test_docx_tables_and_unsafe_text(data, campaign):
    raw = export_docx(data)
    _, under = docx_sections(raw)
    i5 = under[heading(campaign.outline[5])]
    assert "Chỉ tiêu | Năm 2023 | Năm 2024" in i5 and "Lượt truy cập | 900.000 | 1.200.000" in i5
    lines = docx_lines(raw)
    assert INJECTED.replace("\x07", "") in lines and HOSTILE in "\n".join(lines)


def test_docx_status_table_page_and_font(data, names):
    doc = Document(io.BytesIO(export_docx(data)))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert doc.styles["Heading 1"].font.name == "Times New Roman"
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["STT", "Cơ quan, đơn vị", "Ngày nhận", "Đúng hạn",
                                                     "Mức độ đầy đủ"]
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert len(rows) == 100  # BCA is exempt
    assert rows[names["BTC"]][2:] == ["27/12/2024", "Có", "88%"]
    assert rows[names["VOV"]][2:] == ["03/01/2025", "Không", "100%"]
    assert rows[names["TTXVN"]][2:] == ["Chưa nhận", "", ""]
    assert table.columns[1].width > Mm(60)


def test_xlsx_status_sheet(data, names):
    wb = load_workbook(io.BytesIO(export_xlsx(data)))
    assert wb.sheetnames == ["Tình trạng", "Chỉ số", "Mức độ đầy đủ"]
    ws = wb["Tình trạng"]
    assert [c.value for c in ws[1]] == [h for _, h, _ in STATUS_COLUMNS]
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == f"A1:M{ws.max_row}"
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 101
    btc = dict(zip([k for k, _, _ in STATUS_COLUMNS], rows["BTC"]))
    assert btc["state"] == "Đã nhận (thiếu)" and btc["missing"] == "IV, V" and btc["on_time"] == "Có"
    assert btc["received_at"] == datetime(2024, 12, 27, 10, 0) and btc["completeness"] == pytest.approx(14 / 16)
    labels = {r[0]: r[3] for r in rows.values()}
    assert (labels["BYT"], labels["TTXVN"], labels["HNI"], labels["BCA"], labels["BNG"]) == (
        "Đã nhận", "Quá hạn", "Thư bị trả lại", "Miễn", "Chưa gửi")
    assert rows["TTXVN"][9] == 4 and ws.column_dimensions["B"].width >= 30


def test_xlsx_metrics_sheet_keeps_every_statement(data):
    ws = load_workbook(io.BytesIO(export_xlsx(data)))["Chỉ số"]
    header = [c.value for c in ws[1]]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert list(rows) == ["BTC", "BYT", "VOV", "EVIL"]
    views = rows["BYT"][header.index("Lượt xem, truy cập")]
    assert views.value == 1_200_000 and views.data_type == "n"
    assert "tổng lượt truy cập đạt 1.200.000 lượt" in views.comment.text
    assert "Tạp chí Sức khỏe đạt 300.000 lượt xem" in views.comment.text
    revenue = rows["BYT"][header.index("Doanh thu báo chí số (đồng)")]
    assert revenue.value == 45_600_000_000 and "45,6 tỷ đồng" in revenue.comment.text
    level = rows["BYT"][header.index("Mức độ trưởng thành (1–5)")]
    assert level.value is None and "đạt mức Khá" in level.comment.text
    assert rows["BTC"][header.index("Tăng trưởng độc giả (%)")].value == 12.5
    assert rows["VOV"][header.index("Lượt xem, truy cập")].value is None
    assert ws.freeze_panes == "C2"


def test_xlsx_completeness_matrix(data, campaign):
    ws = load_workbook(io.BytesIO(export_xlsx(data)))["Mức độ đầy đủ"]
    ids = [n["id"] for n in campaign.outline]
    assert [c.value for c in ws[1]][2:-1] == ids
    assert ws.cell(row=1, column=3 + ids.index("IV")).comment.text == "IV. Khó khăn, vướng mắc"
    for row in ws.iter_rows(min_row=2, values_only=True):
        report = next(r for r in CURRENT if r.code == row[0])
        assert dict(zip(ids, row[2:-1])) == {i: "✗" if i in report.missing else "✓" for i in ids}


def test_xlsx_text_that_looks_like_a_formula_stays_text(data):
    raw = export_xlsx(data)
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and not any(b"<f>" in s or b"<f " in s for s in sheets)
    wb = load_workbook(io.BytesIO(raw))
    for title in wb.sheetnames:
        cell = next(c for row in wb[title].iter_rows() for c in row if c.value == "EVIL")
        name = wb[title].cell(row=cell.row, column=2)
        assert name.value == HOSTILE and name.data_type == "s" and name.quotePrefix
