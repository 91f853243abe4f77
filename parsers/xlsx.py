"""XLSX → blocks: an outline filled in a spreadsheet.

Agencies lay it out as headings in column A and content in column B, as heading
rows and content rows, or as a table "STT | Nội dung | Kết quả". A row of one or
two text cells becomes paragraphs (a bare label cell "I" or "1.2" joins the title
beside it); a row of three cells or more, or one holding figures, becomes a table
row, and consecutive table rows one table. Read with openpyxl in read-only,
values-only mode (cached formula results, no formulas evaluated) after the shared
zip guard; the cell count is capped.
"""
from __future__ import annotations

import datetime as dt
import io

from parsers.blocks import PARAGRAPH, TABLE, Block, clean
from parsers.errors import ParseFailed
from parsers.figures import FIGURE_CELL
from parsers.labels import parse_bare_label, parse_label
from parsers.limits import Limits, check_zip

MAX_CELLS = 200_000  # read no further: a report is a few hundred cells, a data dump is no report


def read_xlsx(data: bytes, limits: Limits) -> tuple[list[Block], list[str]]:
    """Blocks of every visible sheet in order, and warnings (cells left unread)."""
    # Imported here: openpyxl loads numpy (0.15 s, ~130 MB of address space), which every
    # sandboxed parse would otherwise carry under its memory limit.
    import openpyxl  # noqa: PLC0415

    check_zip(data, limits)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many types for broken packages
        raise ParseFailed(f"cannot read the spreadsheet ({type(e).__name__}: {e})") from None
    blocks: list[Block] = []
    warnings: list[str] = []
    budget = MAX_CELLS
    try:
        for ws in wb.worksheets:
            if getattr(ws, "sheet_state", "visible") != "visible":
                continue
            budget = _sheet_blocks(ws, blocks, budget)
            if budget <= 0:
                warnings.append(f"spreadsheet: read the first {MAX_CELLS} cells only")
                break
    finally:
        wb.close()
    return blocks, warnings


def _sheet_blocks(ws, out: list[Block], budget: int) -> int:
    table: list[list[str]] | None = None
    for row in ws.iter_rows():
        budget -= len(row)
        if budget <= 0:
            break
        cells = [_text(c) for c in row]
        while cells and not cells[-1]:
            cells.pop()
        filled = [c for c in cells if c]
        if not filled:
            table = None  # a blank row ends a table
            continue
        if _is_table_row(filled):
            if table is None:
                table = []
                out.append(Block(kind=TABLE, rows=table))
            table.append(_trim_left(cells))
            continue
        table = None
        bold = any(_bold(c) for c in row if _text(c))
        out.extend(_paragraphs(filled, bold))
    return budget


def _is_table_row(filled: list[str]) -> bool:
    if len(filled) >= 3:
        return not (len(filled) == 3 and parse_bare_label(filled[0]) and not _figure(filled[2]))
    # "Lượt truy cập | 45.000.000" is a table row; "5. Kết quả phản hồi … | 45.000.000" a heading and its content
    numbered = parse_bare_label(filled[0]) or parse_label(filled[0])[0].kind not in ("", "bullet")
    return len(filled) == 2 and _figure(filled[1]) and not numbered


def _figure(cell: str) -> bool:
    return bool(FIGURE_CELL.match(cell.lower()))


def _trim_left(cells: list[str]) -> list[str]:
    """A table drawn from column B on: the empty column A is no cell of it."""
    while cells and not cells[0]:
        cells = cells[1:]
    return cells


def _paragraphs(filled: list[str], bold: bool) -> list[Block]:
    """"I | Tình hình …" → one heading "I. Tình hình …"; other cells → a paragraph per line."""
    texts = list(filled)
    if len(texts) >= 2 and parse_bare_label(texts[0]):
        label = texts[0].strip().rstrip(".)")
        sep = ")" if len(label) == 1 and label.islower() else "."
        texts = [f"{label}{sep} {texts[1]}", *texts[2:]]
    out = []
    for k, t in enumerate(texts):
        for line in t.split("\n"):
            line = clean(line)
            if line:
                out.append(Block(kind=PARAGRAPH, text=line, bold=bold and k == 0))
    return out


def _text(cell) -> str:
    v = getattr(cell, "value", None)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "Có" if v else "Không"
    if isinstance(v, (int, float)):
        return _number(v, getattr(cell, "number_format", "") or "")
    if isinstance(v, (dt.datetime, dt.date)):
        return v.strftime("%d/%m/%Y")
    return clean(str(v).replace("\r\n", "\n")) if "\n" not in str(v) else "\n".join(
        clean(x) for x in str(v).splitlines())


def _number(v: float, fmt: str) -> str:
    """A cell's number as Vietnamese reports write it: "." for thousands, "," for decimals,
    "%" when the cell is formatted as a percentage (0,19 shown as 19%)."""
    suffix = ""
    if "%" in fmt:
        v, suffix = v * 100, "%"
    if abs(v - round(v)) < 1e-9:
        n = int(round(v))
        return (f"{n:,}".replace(",", ".") if abs(n) >= 10_000 else str(n)) + suffix
    return f"{v:.4f}".rstrip("0").replace(".", ",") + suffix


def _bold(cell) -> bool:
    try:
        return bool(cell.font and cell.font.b)
    except (AttributeError, KeyError, IndexError):  # read-only cells resolve styles lazily
        return False
