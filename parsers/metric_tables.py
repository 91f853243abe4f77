"""Figures stated only in tables.

Section text holds tables as rows of cells joined by " | " (the contract form).
Two shapes are read:
- a row per indicator ("Chỉ tiêu | Năm 2023 | Năm 2024", "Doanh thu … (tỷ đồng) |
  40,2 | 45,6"): the value is the column of the reporting year (the campaign's),
  else of the latest year that is no plan, else the last figure column;
- a row per press agency with indicators as columns ("Cơ quan | Lượt truy cập |
  Doanh thu (triệu đồng)"): every figure cell.
The unit comes from the row label's brackets, a "Đơn vị tính" column, the value
column's header or a caption ("Đơn vị tính: triệu đồng"). Each figure becomes a
short statement ("Doanh thu … đạt 45,6 tỷ đồng") that metrics.py classifies like
a sentence, with the row as evidence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.blocks import fold
from parsers.figures import FIGURE_CELL

_YEAR = re.compile(r"\b(19[89]\d|20\d\d)\b")
_PLAN = re.compile(r"kế hoạch|dự kiến|mục tiêu|chỉ tiêu năm|dự báo|\bkh\b")
_GROWTH = re.compile(r"tăng|giảm|tốc độ")
# "So sánh (%)", "2024/2023 (%)": this year as a share of last year's, not a growth figure
_RATIO = re.compile(r"so sánh|so với|\d{4}\s*/\s*\d{4}|tỷ lệ %")
_SKIP_COLUMN = re.compile(r"^(stt|tt|số tt|ghi chú|nguồn)$")
_UNIT_HEADER = re.compile(r"^(đơn vị tính|đơn vị|đvt|đv tính)$")
_CAPTION_UNIT = re.compile(r"(?:đơn vị tính|đơn vị|đvt)\s*[:：]\s*([^)\n;]+)")
_BRACKET_UNIT = re.compile(r"\(([^()]*)\)\s*$")
_UNIT_WORDS = re.compile(r"^(nghìn tỷ|tỷ|tỉ|triệu|nghìn|ngàn)?\s*(đồng|vnđ|vnd|lượt|điểm|%)$|^%$")
_METRIC_WORDS = ("lượt", "doanh thu", "nguồn thu", "tương tác", "truy cập", "độc giả", "bạn đọc", "tỷ lệ",
                 "tỷ trọng", "trưởng thành", "người theo dõi", "view")


@dataclass
class Part:
    """A run of prose, or a table (rows of cells) with the line before it as caption."""

    text: str
    rows: list[list[str]] | None = None
    caption: str = ""

    def prose_cells(self) -> list[str]:
        """Cells that hold sentences (sub-items laid out as table rows), read as text."""
        return [c for r in self.rows or [] for c in r if len(c.split()) >= 5 and not FIGURE_CELL.match(fold(c))]


@dataclass
class Statement:
    text: str
    evidence: str


def split_tables(text: str) -> list[Part]:
    parts: list[Part] = []
    prose: list[str] = []
    for line in text.split("\n"):
        if " | " in line:
            if parts and parts[-1].rows is not None and not prose:
                parts[-1].rows.append(line.split(" | "))
                continue
            caption = prose[-1] if prose else ""
            if prose:
                parts.append(Part("\n".join(prose)))
                prose = []
            parts.append(Part(line, [line.split(" | ")], caption))
        else:
            prose.append(line)
    if prose:
        parts.append(Part("\n".join(prose)))
    return parts


def _unit_word(s: str) -> str:
    """A unit as written ("tỷ đồng", "%", "lượt"), or "" when `s` is none."""
    s = fold(s).strip(" .:")
    s = s.replace("phần trăm", "%").replace("vnđ", "đồng")
    return s if _UNIT_WORDS.match(s) else ""


def _label_unit(label: str) -> tuple[str, str]:
    """("Doanh thu … (tỷ đồng)") → ("Doanh thu …", "tỷ đồng")."""
    m = _BRACKET_UNIT.search(label)
    if m:
        unit = _unit_word(m.group(1).replace("ĐVT:", "").replace("Đơn vị:", ""))
        if unit:
            return label[: m.start()].strip(), unit
    return label, ""


def _guess_unit(label: str) -> str:
    f = fold(label)
    if "tỷ lệ" in f or "tỷ trọng" in f or "tăng trưởng" in f or "%" in f:
        return "%"
    if "lượt" in f or "truy cập" in f or "tương tác" in f:
        return "lượt"
    if "doanh thu" in f or "nguồn thu" in f:
        return "đồng"
    if "điểm" in f:
        return "điểm"
    return ""


def _is_metric_text(s: str) -> bool:
    f = fold(s)
    return any(w in f for w in _METRIC_WORDS)


@dataclass
class _Columns:
    label: int
    unit: int | None
    figures: list[int]  # columns holding figures in some data row
    value: int | None  # the reporting year's column (indicator rows)
    growth: int | None


def _columns(header: list[str], data: list[list[str]], year: int | None) -> _Columns:
    fh = [fold(h).strip() for h in header]
    width = max(len(r) for r in [header, *data])
    figures = [k for k in range(width) if any(k < len(r) and FIGURE_CELL.match(fold(r[k])) for r in data)]
    unit = next((k for k, h in enumerate(fh) if _UNIT_HEADER.match(h)), None)
    texty = [k for k in range(width) if k not in figures and k != unit and not _SKIP_COLUMN.match(fh[k] if k < len(fh)
             else "")]
    label = texty[0] if texty else 0
    years = {k: int(_YEAR.search(fh[k]).group(1)) for k in figures if k < len(fh) and _YEAR.search(fh[k])
             and not _GROWTH.search(fh[k]) and not _RATIO.search(fh[k])}
    actual = {k: y for k, y in years.items() if not _PLAN.search(fh[k])}
    growth = next((k for k in figures if k < len(fh) and _GROWTH.search(fh[k]) and k not in years), None)
    value = None
    if year is not None:
        value = next((k for k, y in actual.items() if y == year), None)
        if value is None:
            value = next((k for k, y in years.items() if y == year), None)
    if value is None and actual:
        value = max(actual, key=lambda k: (actual[k], k))
    if value is None:
        plain = [k for k in figures if k != growth and k not in years and not (k < len(fh) and _RATIO.search(fh[k]))]
        value = plain[-1] if plain else (figures[-1] if figures else None)
    return _Columns(label, unit, figures, value, growth)


def table_statements(part: Part, year: int | None) -> list[Statement]:
    rows = [[c.strip() for c in r] for r in part.rows or []]
    if len(rows) < 2:
        return []
    header, data = rows[0], rows[1:]
    cols = _columns(header, data, year)
    if not cols.figures:
        return []
    captions = (_CAPTION_UNIT.search(fold(c)) for c in (part.caption, *header))
    table_unit = next((_unit_word(m.group(1)) for m in captions if m and _unit_word(m.group(1))), "")
    by_rows = any(_is_metric_text(r[cols.label]) for r in data if cols.label < len(r))
    out: list[Statement] = []
    for r in data:
        label = r[cols.label] if cols.label < len(r) else ""
        if by_rows:
            out += _indicator_row(r, label, header, cols, table_unit)
        else:
            out += _agency_row(r, label, header, cols, table_unit)
    return out


def _cell_unit(r: list[str], header: list[str], k: int, cols: _Columns, label_unit: str, table_unit: str,
               label: str) -> str:
    if cols.unit is not None and cols.unit < len(r) and _unit_word(r[cols.unit]):
        return _unit_word(r[cols.unit])
    head_unit = _label_unit(header[k])[1] if k < len(header) else ""
    return label_unit or head_unit or table_unit or _guess_unit(label)


def _indicator_row(r: list[str], label: str, header: list[str], cols: _Columns, table_unit: str) -> list[Statement]:
    name, label_unit = _label_unit(label)
    out = []
    k = cols.value
    if k is not None and k < len(r) and FIGURE_CELL.match(fold(r[k])):
        unit = _cell_unit(r, header, k, cols, label_unit, table_unit, name)
        out.append(Statement(f"{name} đạt {_with_unit(r[k], unit)}", " | ".join(r)))
    g = cols.growth
    if g is not None and g < len(r) and FIGURE_CELL.match(fold(r[g])):
        out.append(Statement(f"{name} tăng {_with_unit(r[g], '%')}", " | ".join(r)))
    return out


def _agency_row(r: list[str], label: str, header: list[str], cols: _Columns, table_unit: str) -> list[Statement]:
    out = []
    for k in cols.figures:
        if k >= len(r) or k >= len(header) or not FIGURE_CELL.match(fold(r[k])) or not _is_metric_text(header[k]):
            continue
        name, head_unit = _label_unit(header[k])
        unit = head_unit or table_unit or _guess_unit(name)
        out.append(Statement(f"{label}: {name} đạt {_with_unit(r[k], unit)}", " | ".join(r)))
    return out


def _with_unit(cell: str, unit: str) -> str:
    """The figure with its unit, unless the cell already states one."""
    if not unit or re.search(r"[^\d\s.,~≈<>]", cell.replace("khoảng", "").replace("trên", "").replace("gần", "")):
        return cell
    return f"{cell.strip()} {unit}"
