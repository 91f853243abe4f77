"""PDF page → text lines with position, size and boldness, via pdfium's text layer.

Characters are placed by their boxes, not by content-stream order: Word and
LibreOffice write glyphs taken from a fallback font (often the Vietnamese
letters) as separate runs, which pdfium's plain text puts at the end of the line
("S : 1234 ố"). We cluster characters into lines by baseline, sort by x, insert
spaces at gaps, and split a line into cells at wide gaps (tables, two-column
letterheads).
"""
from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass

import pypdfium2.raw as pdfium_c

_BOLD_NAME = ("bold", "black", "heavy", "demi", ",b", "-b")


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    y: float  # baseline, PDF units from the bottom
    size: float  # font size in page units (pdfium's size scaled by the text matrix)
    bold: bool
    bold_prefix: int
    font: str
    page: int
    cells: list[str] | None = None


def page_lines(textpage, page_no: int, fonts: set[str]) -> list[Line]:
    raw = textpage.raw
    text = textpage.get_text_range()
    n = len(text)
    rect = pdfium_c.FS_RECTF()
    rect_p = ctypes.byref(rect)
    rows: list[list] = []  # [bottom, height, [(x0, x1, ch, index, prev_index, space_before, height, bottom)]]
    last = None
    prev_kept, space = -1, False
    for i in range(n):
        ch = text[i]
        if ch in "\r\n \x02":
            space = True  # pdfium's word break (real, or generated from the layout)
            continue
        if ch == "\ufffe" or not pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect_p):
            continue
        h = max(rect.top - rect.bottom, 1.0)
        y = rect.bottom
        row = last if last is not None and abs(last[0] - y) <= 0.45 * max(last[1], h) else None
        if row is None:
            row = next((r for r in rows if abs(r[0] - y) <= 0.45 * max(r[1], h)), None)
        if row is None:
            row = [y, h, []]
            rows.append(row)
        row[2].append((rect.left, rect.right, ch, i, prev_kept, space, h, y))
        last, prev_kept, space = row, i, False
    rows.sort(key=lambda r: -r[0])
    return [ln for r in rows if (ln := _make_line(raw, r, page_no, fonts)) is not None]


def _font(raw, i: int) -> tuple[float, bool, str]:
    size = pdfium_c.FPDFText_GetFontSize(raw, i)
    weight = pdfium_c.FPDFText_GetFontWeight(raw, i)
    buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    pdfium_c.FPDFText_GetFontInfo(raw, i, buf, 128, ctypes.byref(flags))
    name = buf.value.decode("latin-1", "replace")
    name = name.split("+", 1)[-1]
    bold = weight >= 600 or any(b in name.lower() for b in _BOLD_NAME) or bool(flags.value & (1 << 18))
    return size, bold, name


def _make_line(raw, row, page_no: int, fonts: set[str]) -> Line | None:
    chars = sorted(row[2], key=lambda c: c[0])
    if not chars:
        return None
    size, bold, font = _font(raw, chars[0][3])
    fonts.add(font)
    # Glyph scale for the gaps within the line: the median loose box height (glyphs from a
    # fallback font have other heights).
    heights = sorted(c[6] for c in chars)
    h = heights[len(heights) // 2]
    unit = h / 1.15 if h > 1.5 else (size or 10.0)
    em = _em_size(raw, chars, h)
    # Baseline: the median glyph bottom, not the first glyph's (a descender, "q" or "y",
    # would lower it by a fifth of a line and blur the line pitch).
    bottoms = sorted(c[7] for c in chars)
    baseline = bottoms[len(bottoms) // 2]
    cells, cur, prev_x1 = [], [], None
    bold_prefix, prefix_open = 0, bold
    prev_idx = None
    for x0, x1, ch, idx, stream_prev, space_before, _h, _y in chars:
        if prev_x1 is not None:
            gap = x0 - prev_x1
            if gap > 2.2 * unit:
                cells.append("".join(cur).strip())
                cur = []
            elif stream_prev == prev_idx:  # neighbours in the content stream too: trust pdfium
                if space_before:
                    cur.append(" ")
            elif gap > 0.12 * unit:  # glyphs placed out of stream order (fallback fonts)
                cur.append(" ")
        cur.append(ch)
        prev_x1 = max(x1, prev_x1 or x1)
        prev_idx = idx
    cells.append("".join(cur).strip())
    text = " | ".join(c for c in cells if c)
    if bold:
        bold_prefix = _bold_prefix(raw, chars, text)
        prefix_open = bold_prefix >= len(text)
    return Line(
        text=text, x0=chars[0][0], x1=chars[-1][1], y=baseline, size=round(em or unit, 1),
        bold=bold and prefix_open, bold_prefix=bold_prefix, font=font, page=page_no,
        cells=[c for c in cells if c] if len(cells) > 1 else None,
    )


def _em_size(raw, chars, h: float) -> float | None:
    """The line's font size in page units: pdfium's size (Tf) scaled by the glyph's matrix
    (text matrix and page transform; Tf may be 1 with the size there), median of three
    glyphs. Not the loose box: in LibreOffice's PDFs that is the ink box, about 0.6 × the
    size, and every line would look set apart from the next. None when implausible beside
    the box height (a Type 3 font's own matrix can size its glyphs apart from Tf)."""
    m = pdfium_c.FS_MATRIX()
    m_p = ctypes.byref(m)
    ems = []
    for c in (chars[0], chars[len(chars) // 2], chars[-1]):
        fs = pdfium_c.FPDFText_GetFontSize(raw, c[3])
        if fs > 0 and pdfium_c.FPDFText_GetMatrix(raw, c[3], m_p):
            ems.append(fs * math.hypot(m.c, m.d))
    if not ems:
        return None
    em = sorted(ems)[len(ems) // 2]
    return em if 0.3 * em <= h <= 3 * em else None


def _bold_prefix(raw, chars, text: str) -> int:
    """Characters of the line before the first non-bold glyph (run-in headings)."""
    step = max(1, len(chars) // 40)
    for k in range(0, len(chars), step):
        idx = chars[k][3]
        w = pdfium_c.FPDFText_GetFontWeight(raw, idx)
        if w and w < 600:
            _, bold, _ = _font(raw, idx)
            if not bold:
                # back off to the previous sample, then walk forward exactly
                j = max(0, k - step)
                while j < k and _font(raw, chars[j][3])[1]:
                    j += 1
                return _text_len_before(chars, j, text)
    return len(text)


def _text_len_before(chars, j: int, text: str) -> int:
    stripped = sum(1 for c in chars[:j])
    count = 0
    for pos, ch in enumerate(text):
        if ch not in " |":
            count += 1
        if count > stripped:
            return pos
    return len(text)
