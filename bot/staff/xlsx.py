"""XLSX sheets shared by the digest attachment and the export: status, metrics, completeness.

Pure: rows in, workbook bytes out. Agency-supplied text is untrusted, so every
string goes through `put_text`: control characters XML cannot hold are dropped
and a string that a spreadsheet would read as a formula (= + - @) is stored as
text with Excel's quote prefix, never as a formula.
"""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.core.labels import CATEGORY_LABELS, EVENT_LABELS, STATE_SHORT_LABELS
from bot.core.office_text import xml_safe

# (metric name, header, number format) in the order of the contract in DESIGN.md.
METRIC_COLUMNS = (
    ("views", "Lượt xem, truy cập", "#,##0"),
    ("interactions", "Lượt tương tác", "#,##0"),
    ("reader_growth_pct", "Tăng trưởng độc giả (%)", "0.0#"),
    ("digital_revenue_vnd", "Doanh thu báo chí số (đồng)", "#,##0"),
    ("digital_revenue_growth_pct", "Tăng trưởng doanh thu số (%)", "0.0#"),
    ("digital_revenue_share_pct", "Doanh thu số/tổng doanh thu (%)", "0.0#"),
    ("maturity_score", "Điểm trưởng thành chuyển đổi số", "0.0#"),
    ("maturity_level", "Mức độ trưởng thành (1–5)", "0"),
)
STATUS_COLUMNS = (  # every field of the `reportbot status` contract, in its order
    ("agency", "Mã", 10), ("name", "Tên cơ quan", 40), ("category", "Nhóm", 26),
    ("state", "Tình trạng", 16), ("sent_at", "Ngày gửi công văn", 17),
    ("received_at", "Ngày nhận báo cáo", 17), ("on_time", "Đúng hạn", 10),
    ("completeness", "Mức độ đầy đủ", 12), ("missing", "Mục còn thiếu", 24),
    ("reminders_sent", "Số lần nhắc", 10), ("submissions", "Số lần gửi báo cáo", 12),
    ("last_event", "Sự kiện gần nhất", 22), ("last_event_at", "Thời điểm sự kiện", 17),
)
CELL_MAX = 32_767  # Excel's limit for a cell's text
COMMENT_MAX = 30_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
DATE_FORMAT = "dd/mm/yyyy hh:mm"
YES, NO = "✓", "✗"


def put_text(cell, text: Any) -> None:
    """Write untrusted text as a string cell, never as a formula."""
    s = xml_safe(text)
    if len(s) > CELL_MAX:
        s = s[:CELL_MAX - 1] + "…"
    cell.value = s
    cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    if s.startswith(_FORMULA_START):
        cell.quotePrefix = True  # Excel keeps it text when the cell is edited


def put_comment(cell, text: str, author: str = "reportbot") -> None:
    s = xml_safe(text)
    if len(s) > COMMENT_MAX:
        s = s[:COMMENT_MAX - 1] + "…"
    comment = Comment(s, author)
    comment.width, comment.height = 420, min(60 + 15 * s.count("\n") + len(s) // 3, 600)
    cell.comment = comment


def local_time(iso: str | None) -> datetime | None:
    """An ISO time of the status contract (campaign-local offset) as the naive local
    time Excel can store; the offset is the campaign's, named in the sheet's title."""
    return datetime.fromisoformat(iso).replace(tzinfo=None) if iso else None


@dataclass(frozen=True)
class AgencyReport:
    """An agency's current submission, as the export and the sheets need it."""

    code: str
    name: str
    category: str
    received_at: datetime
    on_time: bool
    completeness: float
    missing: tuple[str, ...]
    sections: tuple[dict, ...]
    metrics: tuple[dict, ...]
    sources: tuple[dict, ...]
    version: int = 1

    def section(self, node_id: str) -> dict | None:
        return next((s for s in self.sections if s.get("id") == node_id), None)

    def lacks(self, node_id: str) -> bool:
        s = self.section(node_id)
        return node_id in self.missing or s is None or not s.get("found")


# ---------------------------------------------------------------- sheet helpers
def header_row(ws: Worksheet, headers: Sequence[str], widths: Sequence[float], *, freeze_cols: int = 0) -> None:
    """Bold, wrapped header in row 1, frozen with `freeze_cols` columns; column widths."""
    for i, (title, width) in enumerate(zip(headers, widths), start=1):
        cell = ws.cell(row=1, column=i)
        put_text(cell, title)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = ws.cell(row=2, column=freeze_cols + 1)


def finish_sheet(ws: Worksheet) -> None:
    """Autofilter over the used range (header included)."""
    ws.auto_filter.ref = f"A1:{get_column_letter(ws.max_column)}{max(ws.max_row, 1)}"


def fit_width(ws: Worksheet, column: int, values: Iterable[str], lo: float = 8, hi: float = 60) -> None:
    longest = max((max((len(line) for line in str(v).split("\n")), default=0) for v in values), default=0)
    ws.column_dimensions[get_column_letter(column)].width = max(lo, min(hi, longest + 2))


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


# ---------------------------------------------------------------- status
def _status_value(key: str, row: dict) -> Any:
    v = row.get(key)
    if key == "state":
        return STATE_SHORT_LABELS.get(v, v)
    if key == "category":
        return CATEGORY_LABELS.get(v, v)
    if key == "last_event":
        return EVENT_LABELS.get(v, v)
    if key in ("sent_at", "received_at", "last_event_at"):
        return local_time(v)
    if key == "on_time":
        return {True: "Có", False: "Không", None: ""}[v]
    if key == "missing":
        return ", ".join(v or [])
    return v


def write_status_sheet(wb: Workbook, rows: Sequence[dict], title: str = "Tình trạng") -> Worksheet:
    """One row per agency with every column of the status contract, Vietnamese headers."""
    ws = wb.create_sheet(title)
    header_row(ws, [h for _, h, _ in STATUS_COLUMNS], [w for _, _, w in STATUS_COLUMNS], freeze_cols=2)
    for r, row in enumerate(rows, start=2):
        for c, (key, _, _) in enumerate(STATUS_COLUMNS, start=1):
            value, cell = _status_value(key, row), ws.cell(row=r, column=c)
            if isinstance(value, str):
                put_text(cell, value)
            else:
                cell.value = value
            if isinstance(value, datetime):
                cell.number_format = DATE_FORMAT
            elif key == "completeness":
                cell.number_format = "0%"
    fit_width(ws, 2, [r.get("name", "") for r in rows], lo=20, hi=60)
    finish_sheet(ws)
    return ws


def status_workbook(rows: Sequence[dict]) -> bytes:
    """The digest's attachment: the status table alone."""
    wb = new_workbook()
    write_status_sheet(wb, rows)
    return workbook_bytes(wb)


# ---------------------------------------------------------------- metrics
def metric_names(reports: Sequence[AgencyReport]) -> list[str]:
    """Known metrics in contract order, then any other stated name (sorted)."""
    known = [name for name, _, _ in METRIC_COLUMNS]
    stated = {m.get("name") for r in reports for m in r.metrics if m.get("name")}
    return known + sorted(stated - set(known))


def _statement(m: dict) -> str:
    value = m.get("value")
    shown = "" if value is None else f"{value:g}" if isinstance(value, (int, float)) else str(value)
    unit = f" {m['unit']}" if m.get("unit") else ""
    where = f" (mục {m['section']})" if m.get("section") else ""
    return f"{shown}{unit}{where}: {m.get('evidence') or ''}".strip()


def metric_cell(statements: Sequence[dict]) -> tuple[float | None, str]:
    """A metric stated N times: the cell holds the first stated number; the comment keeps
    every statement with its evidence. Not summed: a report may state a total and its
    parts, or the same figure twice, and a sum would silently double count."""
    numbers = [m["value"] for m in statements if isinstance(m.get("value"), (int, float))
               and not isinstance(m.get("value"), bool)]
    lines = [_statement(m) for m in statements]
    if len(statements) > 1:
        lines.insert(0, f"Báo cáo nêu {len(statements)} số liệu; ô ghi số liệu đầu tiên.")
    return (numbers[0] if numbers else None), "\n".join(lines)


def write_metrics_sheet(wb: Workbook, reports: Sequence[AgencyReport], title: str = "Chỉ số") -> Worksheet:
    ws = wb.create_sheet(title)
    names = metric_names(reports)
    spec = {name: (header, fmt) for name, header, fmt in METRIC_COLUMNS}
    headers = ["Mã", "Tên cơ quan"] + [spec.get(n, (n, ""))[0] for n in names]
    header_row(ws, headers, [10, 40] + [16] * len(names), freeze_cols=2)
    for r, rep in enumerate(reports, start=2):
        put_text(ws.cell(row=r, column=1), rep.code)
        put_text(ws.cell(row=r, column=2), rep.name)
        for c, name in enumerate(names, start=3):
            said = [m for m in rep.metrics if m.get("name") == name]
            if not said:
                continue
            value, note = metric_cell(said)
            cell = ws.cell(row=r, column=c, value=value)
            cell.number_format = spec.get(name, ("", "General"))[1] or "General"
            put_comment(cell, note)
    fit_width(ws, 2, [r.name for r in reports], lo=20, hi=60)
    finish_sheet(ws)
    return ws


# ---------------------------------------------------------------- completeness
def write_completeness_sheet(wb: Workbook, reports: Sequence[AgencyReport], nodes: Sequence[dict],
                             title: str = "Mức độ đầy đủ") -> Worksheet:
    """Agencies × outline nodes: ✓ where the current report covers the node, ✗ where not."""
    ws = wb.create_sheet(title)
    headers = ["Mã", "Tên cơ quan"] + [n["id"] for n in nodes] + ["Tỷ lệ"]
    header_row(ws, headers, [10, 40] + [7] * len(nodes) + [9], freeze_cols=2)
    for c, node in enumerate(nodes, start=3):
        put_comment(ws.cell(row=1, column=c), f"{node['id']}. {node['title']}")
    green, red = Font(color="1E7B34", bold=True), Font(color="C0392B", bold=True)
    for r, rep in enumerate(reports, start=2):
        put_text(ws.cell(row=r, column=1), rep.code)
        put_text(ws.cell(row=r, column=2), rep.name)
        for c, node in enumerate(nodes, start=3):
            lacks = rep.lacks(node["id"])
            cell = ws.cell(row=r, column=c, value=NO if lacks else YES)
            cell.font, cell.alignment = (red if lacks else green), Alignment(horizontal="center")
        share = ws.cell(row=r, column=len(nodes) + 3, value=rep.completeness)
        share.number_format = "0%"
    fit_width(ws, 2, [r.name for r in reports], lo=20, hi=60)
    finish_sheet(ws)
    return ws
