"""Draw a `docspec.Doc` as a mail body (plain text or HTML), as a text PDF (reportlab), or as a
scanned PDF (page images only, no text layer — what a scanner sends).

Fonts: the DejaVu faces matplotlib ships (a dependency already), so nothing outside the
installed packages is needed and Vietnamese diacritics render.
"""
from __future__ import annotations

import html
import io
import random
from functools import lru_cache
from pathlib import Path

from bot.demo.docspec import Doc, lines


@lru_cache(maxsize=1)
def font_dir() -> Path:
    import matplotlib  # noqa: PLC0415 - heavy; loaded only when this runs

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def render_text(doc: Doc) -> str:
    return "\n\n".join(t for _, t in lines(doc))


def render_html(doc: Doc) -> str:
    parts = ["<html><body>"]
    for kind, t in lines(doc):
        e = html.escape(t)
        if kind.startswith("head"):
            parts.append(f"<p><b>{e}</b></p>")
        elif kind == "row":
            parts.append(f"<div>{e}</div>")
        else:
            parts.append(f"<p>{e}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415 - heavy; loaded only when this runs
    from reportlab.pdfbase.ttfonts import TTFont  # noqa: PLC0415 - heavy; loaded only when this runs

    if "DemoSerif" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DemoSerif", str(font_dir() / "DejaVuSerif.ttf")))
        pdfmetrics.registerFont(TTFont("DemoSerif-Bold", str(font_dir() / "DejaVuSerif-Bold.ttf")))


def render_pdf(doc: Doc) -> bytes:
    """A text PDF: headings bold and larger, a running header and page numbers."""
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415 - heavy; loaded only when this runs
    from reportlab.lib.styles import ParagraphStyle  # noqa: PLC0415 - heavy; loaded only when this runs
    from reportlab.platypus import Paragraph, SimpleDocTemplate  # noqa: PLC0415 - heavy; loaded only when this runs

    _register_fonts()
    body = ParagraphStyle("b", fontName="DemoSerif", fontSize=11, leading=14, spaceAfter=4)
    h1 = ParagraphStyle("h1", parent=body, fontName="DemoSerif-Bold", fontSize=12.5, leading=16, spaceBefore=6)
    h2 = ParagraphStyle("h2", parent=body, fontName="DemoSerif-Bold", fontSize=11.5)
    flow = [Paragraph(html.escape(t), {"head1": h1, "head2": h2}.get(kind, body)) for kind, t in lines(doc)]
    running = f"{doc.report.issuer.name} - Báo cáo chuyển đổi số báo chí"

    def decorate(canvas, _doc):
        canvas.setFont("DemoSerif", 8)
        canvas.drawString(72, 810, running)
        canvas.drawString(290, 30, str(canvas.getPageNumber()))

    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title="Báo cáo").build(flow, onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()


def _wrap(text: str, font, width: int) -> list[str]:
    out, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if font.getlength(candidate) <= width or not line:
            line = candidate
        else:
            out.append(line)
            line = word
    return out + ([line] if line else [])


def render_scan(doc: Doc, seed: int = 0, dpi: int = 110) -> bytes:
    """An image-only PDF: each A4 page drawn as a greyish bitmap, slightly skewed."""
    from PIL import Image, ImageDraw, ImageFont  # noqa: PLC0415 - heavy; loaded only when this runs

    rng = random.Random(seed)
    w, h = int(8.27 * dpi), int(11.69 * dpi)
    size = max(12, dpi // 7)
    regular = ImageFont.truetype(str(font_dir() / "DejaVuSerif.ttf"), size)
    bold = ImageFont.truetype(str(font_dir() / "DejaVuSerif-Bold.ttf"), size)
    margin, step = dpi, int(size * 1.45)
    pages, y, page = [], margin, None
    for kind, text in lines(doc):
        font = bold if kind.startswith("head") else regular
        for ln in _wrap(text, font, w - 2 * margin) + [""]:
            if page is None or y > h - margin:
                page = Image.new("L", (w, h), 246)
                pages.append(page)
                y = margin
            ImageDraw.Draw(page).text((margin, y), ln, fill=rng.randint(20, 50), font=font)
            y += step if ln else step // 2
    skewed = [p.rotate(rng.uniform(-0.6, 0.6), fillcolor=246) for p in pages]
    buf = io.BytesIO()
    skewed[0].save(buf, "PDF", save_all=True, append_images=skewed[1:], resolution=float(dpi))
    return buf.getvalue()
