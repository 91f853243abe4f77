"""Blocks → units: the lines outline matching works on.

A unit is a paragraph or one table row, with its label parsed off and the clues
(style level, bold, capitals) that make it look like a heading. Decree 30/2020
header and signature tables and the preamble lines ("BÁO CÁO", "Số: …",
"Kính gửi") are tagged with a role so they can never become section text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsers.blocks import TABLE, Block, clean, is_upper_text
from parsers.labels import NO_LABEL, Label, parse_bare_label, parse_label
from parsers.placeholders import strip_placeholders
from parsers.vietnamese import fold

PREAMBLE, CLOSING = "preamble", "closing"
PLACEHOLDER = "placeholder"  # an unfilled form field: no text, but the section under it was left blank


@dataclass
class Unit:
    idx: int
    text: str  # as a reader sees it, label included
    label: Label = NO_LABEL
    title: str = ""  # text after the label
    level: int | None = None
    bold: bool = False
    bold_prefix: int = 0  # leading bold characters of `title`
    upper: bool = False
    size: float | None = None
    page: int | None = None
    cells: list[str] | None = None
    table: int | None = None
    role: str = ""
    extra: dict = field(default_factory=dict)


_HEADER_TABLE = re.compile(r"cộng hòa xã hội|cộng hoà xã hội|độc lập\s*[-–—]\s*tự do|^số\s*:", re.M)
_SIGNATURE = re.compile(
    r"nơi nhận|^(kt|tm|tl|tuq|q)\.\s*\w|^(phó\s+)?(chủ tịch|bộ trưởng|thứ trưởng|giám đốc|tổng biên tập|"
    r"tổng giám đốc|thủ trưởng|chánh văn phòng|trưởng ban)\b",
    re.M,
)
_PREAMBLE_LINE = re.compile(
    r"^(số\s*:|số\s+\d|v/v\b|kính gửi|cộng hòa xã hội|cộng hoà xã hội|độc lập\s*[-–—]|"
    r"[^\n]{0,40},\s*ngày\s+\S+\s+tháng\s+\S+\s+năm)",
)


def _table_role(rows: list[list[str]], position: int, total: int) -> str:
    text = fold("\n".join(c for r in rows for c in r))
    if _HEADER_TABLE.search(text) and position < total / 2:
        return PREAMBLE
    if _SIGNATURE.search(text) and len(text) < 1500:
        return CLOSING
    return ""


def look_signature(u: Unit) -> str:
    """How a heading is set out ("roman.|B": "I." in bold or capitals): headings of one depth share it."""
    look = "S" if u.level is not None else ("B" if (u.bold or u.upper or u.bold_prefix) else "")
    return f"{u.label.signature}|{look}" if u.cells is None else "row"


def to_units(blocks: list[Block]) -> list[Unit]:
    units: list[Unit] = []
    for pos, b in enumerate(blocks):
        if b.kind == TABLE:
            role = _table_role(b.rows, pos, len(blocks))
            for row in b.rows:
                raw = [clean(c) for c in row]
                cells = [strip_placeholders(c) for c in raw]
                if any(cells):
                    units.append(_row_unit(len(units), cells, pos, role, b.page))
                elif any(raw):
                    units.append(Unit(len(units), "", role=PLACEHOLDER, page=b.page))
            continue
        raw = clean(b.text)
        text = strip_placeholders(raw)  # an unfilled form field counts as empty
        if b.placeholder or (raw and not text and not b.numbering):
            units.append(Unit(len(units), "", role=PLACEHOLDER, page=b.page))
            continue
        if not text and not b.numbering:
            continue
        units.append(_para_unit(len(units), b, text))
    _mark_preamble(units)
    return units


def _row_unit(idx: int, cells: list[str], table: int, role: str, page: int | None) -> Unit:
    # Merged cells repeat their text across the grid: keep one copy. Figures are kept each,
    # so equal values of two years ("28 | 28") stay in their columns.
    dedup: list[str] = []
    for c in cells:
        if not dedup or c != dedup[-1] or not c or not any(ch.isalpha() for ch in c):
            dedup.append(c)
    label = parse_bare_label(dedup[0]) if dedup else None
    return Unit(
        idx=idx, text=" | ".join(dedup), label=label or NO_LABEL, title="",
        cells=dedup, table=table, role=role, page=page,
    )


def _para_unit(idx: int, b: Block, text: str) -> Unit:
    bold_prefix = b.bold_prefix
    if b.numbering:
        label, _ = parse_label(b.numbering.strip() + " x")
        title = text
        shown = f"{b.numbering.strip()} {text}".strip()
    else:
        label, title = parse_label(text)
        bold_prefix = max(0, bold_prefix - (len(text) - len(title)))
        shown = text
    return Unit(
        idx=idx, text=shown, label=label, title=title.strip(), level=b.level,
        bold=b.bold, bold_prefix=bold_prefix, upper=is_upper_text(title),
        size=b.font_size, page=b.page,
    )


def _mark_preamble(units: list[Unit]) -> None:
    """Tag letterhead lines and the report title that precede the body."""
    for i, u in enumerate(units[:60]):
        if u.cells is not None:
            continue
        if u.label.kind not in ("", "bullet") or len(u.text) > 250:
            return  # the body has begun
        f = fold(u.text)
        if _PREAMBLE_LINE.match(f):
            u.role = PREAMBLE
        elif f.strip(" :") in ("báo cáo", "báo cáo tóm tắt"):
            u.role = PREAMBLE
            # The report's title follows on up to three short lines.
            for nxt in units[i + 1:i + 4]:
                nf = fold(nxt.text)
                if nxt.label.kind or len(nxt.text) > 250 or nf.startswith("kính gửi"):
                    break
                nxt.role = PREAMBLE
