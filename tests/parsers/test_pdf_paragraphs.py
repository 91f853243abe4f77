"""Regression: a paragraph of a LibreOffice PDF came out as its physical lines.

pdfium's loose glyph box in a LibreOffice PDF is the ink box, so the font size read from
it was about 0.6 × the real one, every baseline step looked like paragraph spacing, and
each line became a paragraph of its own: section text broke in mid-sentence. A line's
size is now the font size pdfium reports, scaled by the text matrix. The PDFs are
generated here, as the development set's are.
"""
from __future__ import annotations

import pytest
from gen import SHAPES
from gen.content import CLOSING, OUTLINE, REPORT

import parsers
from bot.demo import office
from bot.demo.docspec import build
from bot.demo.render_docx import render_docx
from parsers.limits import Limits
from parsers.pdf import read_lines

# heading styles: headings told by their style; bold: by bold alone (no styles).
LO_SHAPES = ("heading_styles", "bold_normal")


def _ws(s: str) -> str:
    return " ".join(s.split())


def _paragraphs_by_node(doc) -> dict[str, list[str]]:
    """Each heading's node → the paragraphs written under it, as in the document."""
    out: dict[str, list[str]] = {}
    node = None
    for it in doc.items:
        if it.kind == "heading":
            node = it.node
            out.setdefault(node, [])
        elif it.kind == "para":
            out[node].append(_ws(it.text))
    return out


@pytest.fixture(scope="module")
def lo_pdfs() -> dict[str, tuple[bytes, object]]:
    if not office.available():
        pytest.skip("LibreOffice not installed")
    shapes = {s.name: s for s in SHAPES}
    docs = {name: build(shapes[name], REPORT, OUTLINE) for name in LO_SHAPES}
    pdfs = office.convert_many({name: render_docx(doc) for name, doc in docs.items()}, "pdf")
    assert set(pdfs) == set(LO_SHAPES), "LibreOffice did not convert every document"
    return {name: (pdfs[name], docs[name]) for name in LO_SHAPES}


@pytest.mark.parametrize("shape", LO_SHAPES)
def test_a_libreoffice_pdf_paragraph_is_one_paragraph_not_its_lines(lo_pdfs, shape):
    data, doc = lo_pdfs[shape]
    expected = _paragraphs_by_node(doc)
    # The premise: many paragraphs wrap in this PDF (no single line holds them).
    lines, _, _ = read_lines(data, Limits())
    wrapped = [p for ps in expected.values() for p in ps if not any(p in _ws(ln.text) for ln in lines)]
    assert len(wrapped) >= 10
    report = parsers.parse_bytes(data, f"{shape}.pdf", OUTLINE)
    got = {s.id: [_ws(t) for t in s.text.split("\n") if t.strip()] for s in report.sections}
    # Paragraph for paragraph: nothing split, nothing of a heading or the closing joined.
    assert {nid: got[nid] for nid in expected} == expected


@pytest.mark.parametrize("shape", LO_SHAPES)
def test_a_libreoffice_pdf_heading_is_whole_and_the_closing_stays_out_of_sections(lo_pdfs, shape):
    data, doc = lo_pdfs[shape]
    report = parsers.parse_bytes(data, f"{shape}.pdf", OUTLINE)
    assert report.missing == []
    for it in doc.items:
        if it.kind == "heading":
            s = report.section(it.node)
            assert _ws(s.heading).endswith(_ws(it.text)), (it.node, s.heading)  # wrapped headings rejoined
    texts = " ".join(_ws(s.text) for s in report.sections)
    assert [c for c in CLOSING if _ws(c) in texts] == []
    assert report.section("V").text.split("\n")[-1] == _ws(REPORT.body["V"][-1])


def _one_word_pdf(content: bytes) -> bytes:
    """A one-page PDF (Times-Roman) drawing `content`."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
             b"/Contents 4 0 R >>"),
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)


@pytest.mark.parametrize("content", [
    b"BT /F1 12 Tf 72 700 Td (Paragraph) Tj ET",
    b"BT /F1 1 Tf 12 0 0 12 72 700 Tm (Paragraph) Tj ET",  # the size in the text matrix
    b"q 2 0 0 2 0 0 cm BT /F1 6 Tf 36 350 Td (Paragraph) Tj ET Q",  # half of it in the page's
    b"BT /F1 12 Tf 60 Tz 72 700 Td (Paragraph) Tj ET",  # narrowed glyphs: same height
])
def test_a_line_size_is_the_font_size_however_the_pdf_scales_it(content):
    lines, _, _ = read_lines(_one_word_pdf(content), Limits())
    assert [(ln.text, ln.size) for ln in lines] == [("Paragraph", 12.0)]
