"""PDF → blocks: pdfium's text layer (fast), repeated headers/footers and page
numbers removed, lines rejoined into paragraphs (headings broken across lines
or pages included). A PDF without a text layer goes to OCR."""
from __future__ import annotations

import re
from collections import Counter

import pypdfium2 as pdfium

from parsers.blocks import PARAGRAPH, TABLE, Block, clean, is_upper_text
from parsers.build import build_report
from parsers.errors import ParseFailed
from parsers.labels import parse_label
from parsers.limits import Limits
from parsers.model import Outline
from parsers.ocr import ocr_pdf
from parsers.pdf_lines import Line, page_lines
from parsers.report import ParsedReport
from parsers.text import text_blocks
from parsers.vietnamese import decode_if_vietnamese, fold

_PAGE_NO = re.compile(r"^[-–—\s]*(trang|page)?\s*\d{1,4}\s*(/\s*\d{1,4}|của\s*\d+|of\s*\d+)?[-–—\s]*$", re.I)
_LEGACY_FONT = re.compile(r"^\.?vn|^vni[-_ ]", re.I)
_END = (".", ":", ";", "!", "?", "./.")
_SENTENCE_END = (".", "!", "?", "…")
# How a report's closing begins ("Trên đây là báo cáo …", "Nơi nhận:", "Trân trọng."), folded.
_CLOSING_START = re.compile(r"^(trên đây là|nơi nhận\b|trân trọng)")
# Paragraph spacing: a baseline step this much over the line pitch.
_GAP_OVER_PITCH = 1.2
# OCR starts no page later than this before the sandbox's time limit: up to two pages in
# flight (a few seconds each on a busy machine) and building the report must still fit.
_OCR_MARGIN_S = 15.0


class PdfError(ValueError):
    pass


def parse_pdf(data: bytes, filename: str, outline: Outline, limits: Limits) -> ParsedReport:
    try:
        lines, n_pages, fonts = read_lines(data, limits)
    except PdfError as e:
        raise ParseFailed(str(e)) from None
    chars = sum(len(ln.text) for ln in lines)
    if chars < 40 * max(n_pages, 1) and chars < 2000:
        return _ocr(data, filename, outline, n_pages, limits)
    blocks = lines_to_blocks(drop_page_furniture(lines, n_pages))
    enc = _fix_encoding(blocks, fonts)
    return build_report(blocks, outline, source=filename, fmt="pdf", encoding=enc, pages=n_pages)


def read_lines(data: bytes, limits: Limits) -> tuple[list[Line], int, set[str]]:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        msg = str(e).lower()
        if "password" in msg or "security" in msg:
            raise PdfError("the PDF is encrypted (password-protected); ask the agency for an unprotected copy") from None
        raise PdfError(f"not a readable PDF ({e})") from None
    try:
        n = len(pdf)
        if n > limits.max_pages:
            raise PdfError(f"the PDF has {n} pages, over the limit of {limits.max_pages}")
        lines: list[Line] = []
        fonts: set[str] = set()
        for i in range(n):
            page = pdf[i]
            try:
                tp = page.get_textpage()
                try:
                    lines += page_lines(tp, i + 1, fonts)
                finally:
                    tp.close()
            finally:
                page.close()
        return lines, n, fonts
    finally:
        pdf.close()


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


def drop_page_furniture(lines: list[Line], n_pages: int) -> list[Line]:
    """Remove page numbers and lines repeated at the top/bottom of most pages."""
    by_page: dict[int, list[Line]] = {}
    for ln in lines:
        by_page.setdefault(ln.page, []).append(ln)
    edge: Counter = Counter()
    for page_lines_ in by_page.values():
        for ln in page_lines_[:2] + page_lines_[-2:]:
            edge[_furniture_key(ln.text)] += 1
    need = max(2, int(0.5 * n_pages))
    out = []
    for _p, page_lines_ in by_page.items():
        ends = {id(x) for x in page_lines_[:2] + page_lines_[-2:]}
        for ln in page_lines_:
            if id(ln) in ends and (_PAGE_NO.match(ln.text) or (n_pages >= 2 and edge[_furniture_key(ln.text)] >= need)):
                continue
            out.append(ln)
    return out


def _new_paragraph(prev: Line, ln: Line, left: float, right: float, pitch: float | None) -> bool:
    if prev.cells is not None or ln.cells is not None:
        return True
    if parse_label(ln.text)[0].kind:
        return True
    if prev.bold != ln.bold or abs(prev.size - ln.size) > 0.12 * max(prev.size, ln.size):
        return True
    if ln.page == prev.page and _paragraph_gap(prev.y - ln.y, ln.size, pitch):
        return True  # vertical gap: paragraph spacing
    if prev.text.endswith(_END) and prev.x1 < right - 2.5 * max(ln.size, 1):
        return True  # the previous line stopped short after a full stop
    if ln.x0 > left + 1.2 * max(ln.size, 1) and prev.text.endswith(_END):
        return True  # first-line indent
    if prev.text.endswith(_SENTENCE_END) and ln.text[:1].isupper() and (
            _CLOSING_START.match(fold(ln.text)) or is_upper_text(ln.text)):
        # A sentence that filled its line, then the closing or a line in capitals (a heading,
        # a signature title): at the top of a page nothing else shows the break.
        return True
    return False


def _paragraph_gap(step: float, size: float, pitch: float | None) -> bool:
    """A baseline step wider than within a paragraph: about twice the font size, or over
    the document's own line pitch (spacing of less than a line between paragraphs)."""
    return step > 1.9 * max(size, 1) or (pitch is not None and step > _GAP_OVER_PITCH * pitch)


def _line_pitch(lines: list[Line]) -> float | None:
    """Baseline step between the lines of a paragraph: the lower quartile of the steps
    between text lines of one size (paragraph spacing and headings make the others
    larger); None with too few lines to tell."""
    steps = sorted(
        a.y - b.y for a, b in zip(lines, lines[1:])
        if a.page == b.page and a.cells is None and b.cells is None
        and abs(a.size - b.size) <= 0.12 * max(a.size, b.size) and a.y - b.y > 0.5 * max(a.size, 1)
    )
    return steps[len(steps) // 4] if len(steps) >= 4 else None


def lines_to_blocks(lines: list[Line]) -> list[Block]:
    if not lines:
        return []
    left = _mode([round(ln.x0) for ln in lines])
    right = sorted(ln.x1 for ln in lines)[int(0.9 * (len(lines) - 1))]
    pitch = _line_pitch(lines)
    blocks: list[Block] = []
    cur: list[Line] = []
    for ln in lines:
        if cur and _new_paragraph(cur[-1], ln, left, right, pitch):
            blocks.append(_block(cur))
            cur = []
        cur.append(ln)
    if cur:
        blocks.append(_block(cur))
    return blocks


def _mode(xs: list[int]) -> float:
    return Counter(xs).most_common(1)[0][0] if xs else 0.0


def _spaced(s: str) -> str:
    """Runs of white space made one space. Not clean() yet: its NFC turns Ð, which is
    TCVN3's "é", into Đ before _fix_encoding has read it as legacy text."""
    return " ".join(s.split())


def _block(lines: list[Line]) -> Block:
    first = lines[0]
    if first.cells is not None and len(lines) == 1:
        return Block(kind=TABLE, rows=[[_spaced(c) for c in first.cells]], page=first.page)
    text = _spaced(" ".join(ln.text for ln in lines))
    bold = all(ln.bold for ln in lines)
    return Block(
        kind=PARAGRAPH, text=text, bold=bold,
        bold_prefix=len(text) if bold else first.bold_prefix,
        font_size=first.size, page=first.page,
    )


def _fix_encoding(blocks: list[Block], fonts: set[str]) -> str | None:
    legacy = [f for f in fonts if _LEGACY_FONT.match(f)]
    sample = "\n".join(b.full_text for b in blocks[:400])
    _, enc = decode_if_vietnamese(sample, legacy)
    if not enc:
        for b in blocks:
            b.text = clean(b.text)
            b.rows = [[clean(c) for c in r] for r in b.rows]
        return None
    # One pass over the whole text, as for the sample: a block without evidence of its own
    # (a short heading, "13. Quèc phßng") follows the document, as a line of a paragraph does.
    texts = [c for b in blocks for c in ([c for r in b.rows for c in r] if b.kind == TABLE else [b.text])]
    decoded = decode_if_vietnamese("\n".join(texts), legacy)[0].split("\n")
    if len(decoded) != len(texts):  # the decoder made or took a line break: block by block
        decoded = [decode_if_vietnamese(t, legacy)[0] for t in texts]
    out = iter(decoded)
    for b in blocks:
        if b.kind == TABLE:
            b.rows = [[clean(next(out)) for _ in r] for r in b.rows]
        else:
            b.text = clean(next(out))
    return enc


def ocr_budget_s(limits: Limits) -> float:
    """Seconds OCR may go on starting pages: the sandbox's wall clock less room for the
    pages still in flight and for building the report."""
    return max(limits.timeout_s - _OCR_MARGIN_S, limits.timeout_s / 4)


def _ocr(data: bytes, filename: str, outline: Outline, n_pages: int, limits: Limits) -> ParsedReport:
    pages = ocr_pdf(data, max_pages=limits.max_pages, budget_s=ocr_budget_s(limits))
    blocks = text_blocks("\f".join(pages))
    report = build_report(blocks, outline, source=filename, fmt="pdf", ocr=True, pages=n_pages)
    if len(pages) < n_pages:
        report.warnings.append(f"{filename}: OCR read only {len(pages)} of {n_pages} scanned pages within the "
                               f"{limits.timeout_s:g} s time limit; the rest of the document was not read")
    return report
