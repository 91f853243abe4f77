"""Draw a `Doc` as a plain-text or HTML mail body, or as a PDF made by reportlab
(a second PDF engine: headings only bold and larger, no tags)."""
from __future__ import annotations

import html
import io
from pathlib import Path

from gen.content import CLOSING, PREAMBLE
from gen.spec import Doc


def _lines(doc: Doc) -> list[tuple[str, str]]:
    """(kind, text) in reading order; kind is pre | head1 | head2 | para | row | post."""
    out = [("pre", x) for x in PREAMBLE]
    for it in doc.items:
        if it.kind == "table":
            out += [("row", " | ".join(r)) for r in it.rows]
        elif it.kind == "label":
            out.append(("head1", it.label))
        elif it.kind == "heading":
            out.append((f"head{it.depth + 1}", f"{it.label} {it.text}".strip()))
        else:
            out.append(("para", it.text))
    return out + [("post", x) for x in CLOSING]


def render_text(doc: Doc) -> bytes:
    return "\n\n".join(t for _, t in _lines(doc)).encode("utf-8")


def render_html(doc: Doc) -> bytes:
    parts = ["<html><body>"]
    for kind, t in _lines(doc):
        e = html.escape(t)
        if kind.startswith("head"):
            parts.append(f"<p><b>{e}</b></p>")
        elif kind == "row":
            parts.append(f"<div>{e}</div>")
        else:
            parts.append(f"<p>{e}</p>")
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8")


_FONTS = Path("/usr/share/fonts/truetype/dejavu")


def render_reportlab(doc: Doc) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    if "DejaVuSerif" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSerif", str(_FONTS / "DejaVuSerif.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVuSerif-Bold", str(_FONTS / "DejaVuSerif-Bold.ttf")))
    body = ParagraphStyle("b", fontName="DejaVuSerif", fontSize=11, leading=14, spaceAfter=4)
    h1 = ParagraphStyle("h1", parent=body, fontName="DejaVuSerif-Bold", fontSize=13, leading=16, spaceBefore=6)
    h2 = ParagraphStyle("h2", parent=body, fontName="DejaVuSerif-Bold", fontSize=11.5)
    flow = []
    for kind, t in _lines(doc):
        style = {"head1": h1, "head2": h2}.get(kind, body)
        flow.append(Paragraph(html.escape(t), style))
    flow.append(Spacer(1, 12))

    def footer(canvas, _doc):
        canvas.setFont("DejaVuSerif", 9)
        canvas.drawString(72, 810, "UBND tỉnh Nghệ An - Báo cáo chuyển đổi số báo chí")
        canvas.drawString(290, 30, str(canvas.getPageNumber()))

    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build(flow, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
