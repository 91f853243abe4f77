"""The consolidated export of a campaign: a DOCX to write the summary from, and an XLSX.

`gather_export` reads the database; `export_docx` and `export_xlsx` are pure
(data in, bytes out); `write_export` writes both files into a folder.

The DOCX (A4, Times New Roman, Decree 30 margins) holds a status table, then
every outline node in outline order with each agency's text under it, labelled
with the agency and its source file, and a line naming the agencies whose
current report lacks the node. Agencies come in a stable order: category, then
code (the order of `reportbot status`).
"""
from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from sqlmodel import Session, select

from bot.campaigns.campaign_file import outline_from_dicts
from bot.campaigns.campaign_load import slug
from bot.campaigns.letter_docx import outline_labels
from bot.core.files import write_private
from bot.core.office_text import add_run, set_spacing, xml_safe
from bot.core.vn_format import vn_date, vn_datetime, vn_percent
from bot.staff.actions import HAND_CHANNEL
from bot.staff.status import campaign_status
from bot.staff.xlsx import (
    AgencyReport,
    new_workbook,
    workbook_bytes,
    write_completeness_sheet,
    write_metrics_sheet,
    write_status_sheet,
)
from db.models import Agency, Campaign, Submission

FONT = "Times New Roman"
BODY_PT, TABLE_PT = 13, 12
NOT_COVERED = "Chưa báo cáo mục này"


@dataclass(frozen=True)
class ExportData:
    code: str
    title: str
    issued: date
    deadline: datetime
    tz: str
    now: datetime
    nodes: tuple[dict, ...]  # the campaign's outline, in order
    status: tuple[dict, ...]  # campaign_status rows (category, then code)
    reports: tuple[AgencyReport, ...]  # current submissions, in the same order


def gather_export(session: Session, campaign: Campaign, now: datetime) -> ExportData:
    status = campaign_status(session, campaign, now)
    order = {r["agency"]: i for i, r in enumerate(status)}
    reports = []
    for sub, agency in session.exec(select(Submission, Agency).join(Agency, Submission.agency_id == Agency.id)
                                    .where(Submission.campaign_id == campaign.id, Submission.is_current)):
        if agency.code in order:
            reports.append(AgencyReport(
                code=agency.code, name=agency.name, category=agency.category, received_at=sub.received_at,
                on_time=sub.on_time, completeness=sub.completeness, missing=tuple(sub.missing or ()),
                sections=tuple(sub.sections or ()), metrics=tuple(sub.metrics or ()),
                sources=tuple(sub.sources or ()), version=sub.version))
    reports.sort(key=lambda r: order[r.code])
    return ExportData(campaign.code, campaign.title, campaign.issued, campaign.deadline, campaign.timezone,
                      now, tuple(campaign.outline or ()), tuple(status), tuple(reports))


def export_names(code: str) -> tuple[str, str]:
    base = f"tong-hop-{slug(code)}"
    return f"{base}.docx", f"{base}.xlsx"


def write_export(session: Session, campaign: Campaign, now: datetime, out_dir: Path) -> list[Path]:
    """Write the DOCX and XLSX into `out_dir` (created), owner-only; returns their paths."""
    data = gather_export(session, campaign, now)
    return [write_private(out_dir / name, content)
            for name, content in zip(export_names(campaign.code), (export_docx(data), export_xlsx(data)))]


# ---------------------------------------------------------------- XLSX
def export_xlsx(data: ExportData) -> bytes:
    wb = new_workbook()
    write_status_sheet(wb, data.status)
    write_metrics_sheet(wb, data.reports)
    write_completeness_sheet(wb, data.reports, data.nodes)
    wb.properties.title = xml_safe(f"Tổng hợp báo cáo theo Công văn số {data.code}")
    wb.properties.creator = "reportbot"
    return workbook_bytes(wb)


# ---------------------------------------------------------------- DOCX
def export_docx(data: ExportData) -> bytes:
    doc = _new_document(f"Tổng hợp báo cáo theo Công văn số {data.code}")
    local = data.now.astimezone(ZoneInfo(data.tz))
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, "TỔNG HỢP BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ", bold=True, align=center, size=14)
    _para(doc, data.title, bold=True, align=center, size=14)
    _para(doc, f"(Theo Công văn số {data.code} ngày {vn_date(data.issued)}; số liệu đến {vn_datetime(local)})",
          italic=True, align=center, after=12)
    _para(doc, "A. TÌNH HÌNH TIẾP NHẬN BÁO CÁO", bold=True, before=12)
    _para(doc, _summary(data), align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _status_table(doc, data)
    _para(doc, "B. NỘI DUNG BÁO CÁO THEO ĐỀ CƯƠNG", bold=True, before=18)
    labels = outline_labels(outline_from_dicts(data.code, list(data.nodes)))
    for node in data.nodes:
        level = min(node["id"].count(".") + 1, 3)
        doc.add_paragraph(_clean(f"{labels[node['id']]} {node['title']}"), style=f"Heading {level}")
        _node_body(doc, data.reports, node["id"])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _summary(data: ExportData) -> str:
    rows = [r for r in data.status if r["state"] != "exempt"]
    got = [r for r in rows if r["received_at"]]
    late = sum(1 for r in got if r["on_time"] is False)
    lacking = sum(1 for r in got if r["missing"])
    return (f"Tổng số cơ quan, đơn vị được đề nghị báo cáo: {len(rows)}; đã nhận báo cáo: {len(got)} "
            f"(đúng hạn: {len(got) - late}, quá hạn: {late}); báo cáo còn thiếu nội dung: {lacking}; "
            f"chưa báo cáo: {len(rows) - len(got)}.")


def _status_table(doc, data: ExportData) -> None:
    headers = ("STT", "Cơ quan, đơn vị", "Ngày nhận", "Đúng hạn", "Mức độ đầy đủ")
    widths = (Mm(12), Mm(78), Mm(32), Mm(20), Mm(23))
    rows = [r for r in data.status if r["state"] != "exempt"]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_header(table.rows[0])
    for cell, text in zip(table.rows[0].cells, headers):
        _cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for i, r in enumerate(rows, start=1):
        received = datetime.fromisoformat(r["received_at"]) if r["received_at"] else None
        values = (str(i), r["name"], vn_date(received) if received else "Chưa nhận",
                  {True: "Có", False: "Không", None: ""}[r["on_time"]],
                  vn_percent(r["completeness"]) if r["completeness"] is not None else "")
        cells = table.add_row().cells
        for j, (cell, text) in enumerate(zip(cells, values)):
            _cell(cell, text, align=None if j == 1 else WD_ALIGN_PARAGRAPH.CENTER)
    _widths(table, widths)


def _node_body(doc, reports: Sequence[AgencyReport], node_id: str) -> None:
    covered = False
    for rep in reports:
        section = rep.section(node_id)
        text = (section or {}).get("text") or ""
        if rep.lacks(node_id) or not text.strip():
            continue
        covered = True
        label = doc.add_paragraph()
        set_spacing(label, 6, 3)
        add_run(label, rep.name, bold=True)
        add_run(label, f" (Nguồn: {_source_name(rep, section)})", italic=True)
        _text_block(doc, text)
    lacking = [rep.name for rep in reports if rep.lacks(node_id)]
    if lacking:
        p = _para(doc, "", before=6)
        add_run(p, f"{NOT_COVERED}: ", bold=True, italic=True)
        add_run(p, "; ".join(lacking) + ".", italic=True)
    elif not covered:
        _para(doc, "(Chưa có cơ quan, đơn vị nào báo cáo nội dung này.)", italic=True)


def _source_name(rep: AgencyReport, section: dict | None) -> str:
    """The file the section came from: the section's own `source` when the intake recorded
    it (a report sent as several files), else the submission's files."""
    by_hand = {str(s.get("filename")) for s in rep.sources if s.get("channel")}
    if section and section.get("source"):
        name = str(section["source"])
        return f"{name} (nhận {HAND_CHANNEL})" if name in by_hand else name
    names = [str(s.get("filename") or "") for s in rep.sources if s.get("filename")]
    label = ", ".join(dict.fromkeys(names)) or "nội dung thư điện tử"
    return f"{label} (nhận {HAND_CHANNEL})" if by_hand else label


def _text_block(doc, text: str) -> None:
    """Paragraphs from the section's text; runs of table lines (cells joined by " | ") as a table."""
    lines = [ln.strip() for ln in _clean(text).split("\n")]
    i = 0
    while i < len(lines):
        if " | " in lines[i]:
            j = i
            while j < len(lines) and " | " in lines[j]:
                j += 1
            _text_table(doc, [ln.split(" | ") for ln in lines[i:j]])
            i = j
            continue
        if lines[i]:
            p = _para(doc, lines[i], align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=3)
            p.paragraph_format.first_line_indent = Mm(10)
        i += 1


def _text_table(doc, rows: list[list[str]]) -> None:
    cols = max(len(r) for r in rows)
    table = doc.add_table(rows=0, cols=cols)
    table.style = "Table Grid"
    for r in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, r):
            _cell(cell, text, size=11)


# ---------------------------------------------------------------- DOCX building blocks
def _new_document(title: str):
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    styles = [doc.styles["Normal"]] + [doc.styles[f"Heading {n}"] for n in (1, 2, 3)]
    for n, style in enumerate(styles):
        style.font.name, style.font.size = FONT, Pt(BODY_PT if n == 0 else 14 - (n == 3))
        rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            rfonts.attrib.pop(qn(f"w:{attr}"), None)  # theme fonts would win over the name
        for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
            rfonts.set(qn(f"w:{attr}"), FONT)
        if n:
            style.font.bold, style.font.color.rgb = True, RGBColor(0, 0, 0)
            style.font.italic = n == 3
            style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(12), Pt(6)
    doc.core_properties.title, doc.core_properties.author = _clean(title), "reportbot"
    return doc


def _clean(text: str) -> str:
    return xml_safe(unicodedata.normalize("NFC", str(text)))




def _para(doc, text: str, *, bold=False, italic=False, align=None, size=None, before=0, after=6):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    set_spacing(p, before, after)
    if text:
        add_run(p, text, bold=bold, italic=italic, size=size)
    return p


def _cell(cell, text: str, *, bold=False, align=None, size=TABLE_PT) -> None:
    p = cell.paragraphs[0]
    if align is not None:
        p.alignment = align
    set_spacing(p, 2, 2)
    add_run(p, text, bold=bold, size=size)


def _widths(table, widths) -> None:
    """Column widths in the grid (LibreOffice reads these) and in every cell (Word does)."""
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width


def _repeat_header(row) -> None:
    """Repeat the table's header row on every page."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)
