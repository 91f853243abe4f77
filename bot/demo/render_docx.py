"""Draw a `docspec.Doc` as DOCX with python-docx: heading styles or bold runs, Word
auto-numbering (raw numbering.xml), sub-items as table rows, Decree 30 letterhead tables."""
from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Pt

from bot.demo.docspec import Doc, Item

_LVL_TEXT = {"upperRoman": ("upperRoman", "%1."), "decimal": ("decimal", "%1."), "phan": ("upperRoman", "Phần %1.")}
_SUB_TEXT = {"decimal": ("decimal", "%2."), "multi": ("decimal", "%1.%2."), "lowerLetter": ("lowerLetter", "%2)"),
             "bullet": ("bullet", "-")}


def render_docx(doc: Doc) -> bytes:
    d = Document()
    d.styles["Normal"].font.name = "Times New Roman"
    d.styles["Normal"].font.size = Pt(13)
    num_id = _numbering(d, doc) if doc.shape.auto else None
    _preamble(d, doc)
    for it in doc.items:
        _item(d, it, doc, num_id)
    _closing(d, doc)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _centered(d, text: str, bold: bool = False):
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(text).bold = bold
    return p


def _cell(cell, lines: list[str], bold_first: bool = True) -> None:
    cell.paragraphs[0].add_run(lines[0]).bold = bold_first
    for line in lines[1:]:
        cell.add_paragraph(line)


def _preamble(d, doc: Doc) -> None:
    r = doc.report
    if doc.shape.decree30:
        t = d.add_table(rows=1, cols=2)
        _cell(t.rows[0].cells[0], r.letterhead)
        _cell(t.rows[0].cells[1], list(r.NATIONAL) + [r.place_date])
    else:
        for line in r.letterhead + list(r.NATIONAL) + [r.place_date]:
            _centered(d, line, bold=line.isupper())
    for line in r.preamble_title:
        _centered(d, line, bold=True)
    _centered(d, r.to)
    d.add_paragraph(r.opening)


def _closing(d, doc: Doc) -> None:
    r = doc.report
    d.add_paragraph(r.closing_sentence)
    if doc.shape.decree30:
        t = d.add_table(rows=1, cols=2)
        _cell(t.rows[0].cells[0], r.recipients)
        _cell(t.rows[0].cells[1], r.signature)
    else:
        for line in r.recipients:
            d.add_paragraph(line)
        for line in r.signature:
            _centered(d, line, bold=True)


def _item(d, it: Item, doc: Doc, num_id: str | None) -> None:
    shape = doc.shape
    if it.kind == "para":
        d.add_paragraph(it.text)
        return
    if it.kind == "table":
        t = d.add_table(rows=len(it.rows), cols=len(it.rows[0]))
        t.style = "Table Grid"
        for r, row in enumerate(it.rows):
            for c, val in enumerate(row):
                t.rows[r].cells[c].text = val
        return
    if it.kind == "label":
        p = _centered(d, "" if num_id else it.label, bold=True)
        if num_id:
            _numpr(p, num_id, 0)
        return
    style = f"Heading {it.depth + 1}" if shape.look == "style" else None
    p = d.add_paragraph(style=style)
    auto = num_id is not None and bool(it.label)
    prefix = "" if auto else (it.label + " " if it.label else "")
    bold = shape.look in ("bold", "style")
    if it.head:
        head, rest = it.head + ":", it.text[len(it.head) + 1:]
        p.add_run(prefix + head).bold = True
        p.add_run(rest).bold = False
    else:
        p.add_run(prefix + it.text).bold = bold
    if auto:
        _numpr(p, num_id, it.depth)


def _numpr(p, num_id: str, ilvl: int) -> None:
    ppr = p._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def _numbering(d, doc: Doc) -> str:
    top_fmt = next(it.fmt for it in doc.items if it.depth == 0 and it.fmt)
    sub_fmt = next((it.fmt for it in doc.items if it.depth == 1 and it.fmt), "decimal")
    f0, t0 = _LVL_TEXT[top_fmt]
    f1, t1 = _SUB_TEXT[sub_fmt]
    if doc.shape.sub == "paren":
        t1 = "%2)"
    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        f'<w:multiLevelType w:val="hybridMultilevel"/>'
        f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{f0}"/><w:lvlText w:val="{t0}"/></w:lvl>'
        f'<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="{f1}"/><w:lvlText w:val="{t1}"/></w:lvl>'
        f"</w:abstractNum>"))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"
