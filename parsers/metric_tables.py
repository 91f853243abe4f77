"""Figures stated only in tables.

Section text holds tables as rows of cells joined by " | " (the contract form).
Two shapes are read:
- a row per indicator ("Chỉ tiêu | Năm 2023 | Năm 2024", "Doanh thu … (tỷ đồng) |
  40,2 | 45,6"): the value is the column of the reporting year (the campaign's),
  else of the latest year that is no plan, else the last figure column;
- a row per press agency with indicators as columns ("Cơ quan | Lượt truy cập |
  Doanh thu (triệu đồng)"): every figure cell.
The unit comes from the row (a "Đơn vị tính" cell, the label's brackets), the value
column's header or a caption ("Đơn vị tính: triệu đồng"). Figures are taken as
the rightmost cells of their row and matched to the header from the right, so rows
whose label cells a PDF merged or split still find their columns; wrapped cell
lines (a PDF's) are joined back to their row. Each figure becomes a short statement
("Doanh thu … đạt 45,6 tỷ đồng") that metrics.py classifies like a sentence, with
the row as evidence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.figures import FIGURE_CELL, NUM
from parsers.labels import parse_bare_label
from parsers.vietnamese import fold

_YEAR = re.compile(r"\b(19[89]\d|20\d\d)\b")
_PLAN = re.compile(r"kế hoạch|dự kiến|mục tiêu|chỉ tiêu năm|dự báo|\bkh\b")
_GROWTH = re.compile(r"tăng|giảm|tốc độ")
# "So sánh (%)", "2024/2023 (%)": this year as a share of last year's, not a growth figure
_RATIO = re.compile(r"so sánh|so với|\d{4}\s*/\s*\d{4}|tỷ lệ %")
_NOTE_COLUMN = re.compile(r"^(ghi chú|nguồn|ghi chú/nguồn)$")
_UNIT_HEADER = re.compile(r"^(đơn vị tính|đơn vị|đvt|đv tính)$")
_CAPTION_UNIT = re.compile(r"(?:đơn vị tính|đơn vị|đvt)\s*[:：]\s*([^)\n;|]+)")
_BRACKET_UNIT = re.compile(r"\(([^()]*)\)")
_UNIT_WORDS = re.compile(r"^(nghìn tỷ|tỷ|tỉ|triệu|nghìn|ngàn)?\s*(đồng|vnđ|vnd|lượt|điểm|%)$|^%$")
_MONEY_PHRASE = re.compile(r"\b((?:nghìn tỷ|tỷ|triệu|nghìn) đồng)\b")
_METRIC_WORDS = ("lượt", "doanh thu", "nguồn thu", "tương tác", "truy cập", "độc giả", "bạn đọc", "tỷ lệ",
                 "tỷ trọng", "trưởng thành", "người theo dõi", "view")
_YEAR_CELL = re.compile(r"\D*?\b(?:19[89]\d|20\d\d)\b(?:\s*\([^)]*\))?")
_TRAILING_FIGURES = re.compile(rf"^(.*[^\d\s.,%|])\s+((?:{NUM})\s*%?(?:\s+(?:{NUM})\s*%?)*)$")
_CONTINUATION = re.compile(r"^[a-zà-ỹđ(]|^(19|20)\d\d$")


@dataclass
class Part:
    """A run of prose, or a table (rows of cells) with the line before it as caption."""

    text: str
    rows: list[list[str]] | None = None
    caption: str = ""

    def prose_cells(self) -> list[str]:
        """Cells that hold sentences (sub-items laid out as table rows), read as text."""
        return [c for r in self.rows or [] for c in r if len(c.split()) >= 5 and not _figure(c)]


@dataclass
class Statement:
    text: str
    evidence: str


def split_tables(text: str) -> list[Part]:
    parts: list[Part] = []
    prose: list[str] = []
    for line in text.split("\n"):
        table = parts[-1] if parts and parts[-1].rows is not None and not prose else None
        if " | " in line:
            if table is not None:
                table.rows.append(line.split(" | "))
                continue
            caption = prose[-1] if prose else ""
            if prose:
                parts.append(Part("\n".join(prose)))
                prose = []
            parts.append(Part(line, [line.split(" | ")], caption))
        elif table is not None and len(line) <= 60 and _CONTINUATION.match(line.strip()):
            table.rows.append([line.strip()])  # a wrapped cell line: joined to its row below
        else:
            prose.append(line)
    if prose:
        parts.append(Part("\n".join(prose)))
    return parts


def _figure(cell: str) -> bool:
    return bool(FIGURE_CELL.match(fold(cell)))


def _unit_word(s: str) -> str:
    """A unit as written ("tỷ đồng", "%", "lượt"), or "" when `s` is none."""
    s = fold(s).strip(" .:()")
    s = s.replace("phần trăm", "%").replace("vnđ", "đồng")
    return s if _UNIT_WORDS.match(s) else ""


def _bracket_unit(text: str) -> tuple[str, str]:
    """("Doanh thu … (tỷ đồng)") → ("Doanh thu …", "tỷ đồng"); a money phrase inside counts too."""
    for m in _BRACKET_UNIT.finditer(text):
        unit = _unit_word(re.sub(r"(?i)đvt\s*:|đơn vị( tính)?\s*:", "", m.group(1)))
        if unit:
            return (text[: m.start()] + text[m.end():]).strip(), unit
    m = _MONEY_PHRASE.search(fold(text))
    return text, (m.group(1) if m else "")


def _guess_unit(label: str, figure: str = "") -> str:
    """The unit a label implies when the table states none. Money is guessed only in full
    đồng (a figure of a million or more): "3.720" under a lost "(triệu đồng)" is no figure to report."""
    f = fold(label)
    if "tỷ lệ" in f or "tỷ trọng" in f or "tăng trưởng" in f or "%" in f:
        return "%"
    if "lượt" in f or "truy cập" in f or "tương tác" in f:
        return "lượt"
    if "doanh thu" in f or "nguồn thu" in f:
        return "đồng" if len(re.sub(r"\D", "", figure.split(",")[0])) >= 7 else ""
    if "điểm" in f:
        return "điểm"
    return ""


def _is_metric_text(s: str) -> bool:
    f = fold(s)
    return any(w in f for w in _METRIC_WORDS)


# ---- rows as a PDF may have broken them ------------------------------------------------

def _joined(rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """Header and data rows, wrapped lines joined back: a header line of brackets only
    ("(triệu lượt) | (nghìn lượt)") to the header, a lone lower-case line to the row above."""
    header, data = _split_header(rows[0]), []
    for r in rows[1:]:
        target = data[-1] if data else None
        if target is None and not any(_figure(c) for c in r):
            extra = r if len(r) > 1 else [r[0]]
            off = len(header) - len(extra)
            for k, c in enumerate(extra):
                j = max(0, off + k)
                header[j] = f"{header[j]} {c}".strip()
            header = _split_header(header)
            continue
        if len(r) == 1 and target is not None and not _figure(r[0]):
            k = _label_index(target)
            if k is not None:
                target[k] = f"{target[k]} {r[0]}"
            continue
        data.append(list(r))
    return header, data


def _split_header(header: list[str]) -> list[str]:
    """"Năm 2023 Năm 2024" in one cell (a PDF's table lost a rule) → two cells."""
    out = []
    for c in header:
        parts = _YEAR_CELL.findall(c)
        out += [p.strip() for p in parts] if len(parts) > 1 and "".join(parts).strip() == c.strip() else [c]
    return out


def _cells(row: list[str]) -> list[str]:
    """"Doanh thu … (tỷ đồng) 40,2" → label and figure."""
    out = []
    for c in row:
        m = _TRAILING_FIGURES.match(c)
        out += [m.group(1).strip(), *m.group(2).split()] if m and any(ch.isalpha() for ch in m.group(1)) else [c]
    return out


def _label_index(row: list[str]) -> int | None:
    for k, c in enumerate(row):
        if any(ch.isalpha() for ch in c) and not _unit_word(c) and not (k == 0 and parse_bare_label(c)):
            return k
    return None


# ---- columns ----------------------------------------------------------------------------

@dataclass
class _Columns:
    width: int  # header cells up to the last figure column (notes dropped)
    unit: int | None
    value: int | None  # the reporting year's column (indicator rows)
    growth: int | None


def _columns(header: list[str], year: int | None) -> _Columns:
    fh = [fold(h).strip() for h in header]
    width = len(fh)
    while width and _NOTE_COLUMN.match(fh[width - 1]):
        width -= 1
    unit = next((k for k, h in enumerate(fh) if _UNIT_HEADER.match(h)), None)
    years = {k: int(_YEAR.search(fh[k]).group(1)) for k in range(width) if _YEAR.search(fh[k])
             and not _GROWTH.search(fh[k]) and not _RATIO.search(fh[k])}
    actual = {k: y for k, y in years.items() if not _PLAN.search(fh[k])}
    growth = next((k for k in range(width) if _GROWTH.search(fh[k]) and k not in years), None)
    value = None
    if year is not None:
        value = next((k for k, y in actual.items() if y == year), None)
        if value is None:
            value = next((k for k, y in years.items() if y == year), None)
    if value is None and actual:
        value = max(actual, key=lambda k: (actual[k], k))
    if value is None:
        plain = [k for k in range(width) if k != growth and k not in years and not _RATIO.search(fh[k])]
        value = plain[-1] if plain else None
    return _Columns(width, unit, value, growth)


def _headerless(first: list[str]) -> bool:
    """A first row holding figures other than years ("Lượt truy cập | 45.000.000") is data."""
    return any(_figure(c) and not _YEAR.fullmatch(c.strip()) for c in first)


def table_statements(part: Part, year: int | None) -> list[Statement]:
    rows = [[c.strip() for c in r] for r in part.rows or []]
    if rows and _headerless(rows[0]):
        rows = [[""] * max(len(r) for r in rows), *rows]
    if len(rows) < 2:
        return []
    header, data = _joined(rows)
    data = [_cells(r) for r in data]
    if not data:
        return []
    cols = _columns(header, year)
    captions = (_CAPTION_UNIT.search(fold(c)) for c in (part.caption, *header))
    table_unit = next((_unit_word(m.group(1)) for m in captions if m and _unit_word(m.group(1))), "")
    labels = [(r[k] if k is not None else "") for r in data for k in [_label_index(r)]]
    by_rows = any(_is_metric_text(label) for label in labels)
    out: list[Statement] = []
    for r, label in zip(data, labels):
        figures = _placed_figures(r, cols.width)
        if by_rows:
            out += _indicator_row(r, label, figures, header, cols, table_unit)
        else:
            out += _agency_row(r, label, figures, header, table_unit)
    return out


def _placed_figures(row: list[str], width: int) -> dict[int, str]:
    """Header column → figure: the row's trailing figures, aligned with the header from the right."""
    figs: list[str] = []
    for c in reversed(row):
        if not _figure(c):
            if c and not _unit_word(c):
                break
            continue
        figs.append(c)
    figs.reverse()
    start = width - len(figs)
    return {start + j: f for j, f in enumerate(figs) if start + j >= 0}


def _row_unit(row: list[str], label: str, header: list[str], k: int, cols: _Columns, table_unit: str,
              figure: str) -> str:
    if cols.unit is not None and cols.unit < len(row) and _unit_word(row[cols.unit]):
        return _unit_word(row[cols.unit])
    loose = next((_unit_word(c) for c in row if _unit_word(c)), "")
    head_unit = _bracket_unit(header[k])[1] if k < len(header) else ""
    return loose or _bracket_unit(label)[1] or head_unit or table_unit or _guess_unit(label, figure)


def _indicator_row(r: list[str], label: str, figures: dict[int, str], header: list[str], cols: _Columns,
                   table_unit: str) -> list[Statement]:
    name = _bracket_unit(label)[0]
    out = []
    if cols.value in figures:
        unit = _row_unit(r, label, header, cols.value, cols, table_unit, figures[cols.value])
        out.append(Statement(f"{name} đạt {_with_unit(figures[cols.value], unit)}", _evidence(r, header, cols.value)))
    if cols.growth in figures:
        out.append(Statement(f"{name} tăng {_with_unit(figures[cols.growth], '%')}",
                             _evidence(r, header, cols.growth)))
    return out


def _agency_row(r: list[str], label: str, figures: dict[int, str], header: list[str],
                table_unit: str) -> list[Statement]:
    out = []
    for k, cell in figures.items():
        if k >= len(header) or not _is_metric_text(header[k]):
            continue
        name, head_unit = _bracket_unit(header[k])
        unit = head_unit or table_unit or _guess_unit(name, cell)
        out.append(Statement(f"{label}: {name} đạt {_with_unit(cell, unit)}", _evidence(r, header, k)))
    return out


def _evidence(row: list[str], header: list[str], k: int) -> str:
    """The row as written, and the column its figure was read from: "… | 40,2 | 45,6 (Năm 2024)"."""
    text = " | ".join(row)
    return f"{text} ({header[k]})" if k < len(header) and header[k] else text


def _with_unit(cell: str, unit: str) -> str:
    """The figure with its unit, unless the cell already states one."""
    if not unit or re.search(r"[^\d\s.,~≈<>]", cell.replace("khoảng", "").replace("trên", "").replace("gần", "")):
        return cell
    return f"{cell.strip()} {unit}"
