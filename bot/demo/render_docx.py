"""Draw a `docspec.Doc` as DOCX: heading styles or bold runs, Word auto-numbering (numbering.xml),
sub-items as table rows, Decree 30 letterhead and signature tables.

The WordprocessingML is written directly into python-docx's default template (its styles,
theme and settings are kept), which is some fifty times faster than building the document
through python-docx's object model — a demo writes about a hundred of them before it starts.
"""
from __future__ import annotations

import io
import re
import zipfile
from functools import lru_cache
from xml.sax.saxutils import escape

from bot.demo.docspec import Doc, Item

DOCUMENT, NUMBERING = "word/document.xml", "word/numbering.xml"
_LVL_TEXT = {"upperRoman": ("upperRoman", "%1."), "decimal": ("decimal", "%1."), "phan": ("upperRoman", "Phần %1.")}
_SUB_TEXT = {"decimal": ("decimal", "%2."), "multi": ("decimal", "%1.%2."), "lowerLetter": ("lowerLetter", "%2)"),
             "bullet": ("bullet", "-")}
_FONT = ('<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman"/>'
         '<w:sz w:val="26"/><w:szCs w:val="26"/>')
NUM_ID = "90"
TEXT_WIDTH_TWIPS = 9000  # ≈ 15.9 cm: fits the template's Letter page and A4 with Decree 30 margins


@lru_cache(maxsize=1)
def _template() -> tuple[bytes, str, str, str]:
    """(the default template without document.xml and numbering.xml, zipped once;
    document.xml's head up to <w:body>; its sectPr; numbering.xml)."""
    import docx  # noqa: PLC0415 - heavy; loaded only when this runs

    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(buf)
    base = io.BytesIO()
    with zipfile.ZipFile(base, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename not in (DOCUMENT, NUMBERING):
                z.writestr(info.filename, src.read(info.filename))
    document = src.read(DOCUMENT).decode("utf-8")
    head = document[:document.index("<w:body>") + len("<w:body>")]
    sect = re.search(r"<w:sectPr.*</w:sectPr>", document, re.DOTALL).group(0)
    return base.getvalue(), head, sect, src.read(NUMBERING).decode("utf-8")


def _run(text: str, bold: bool = False) -> str:
    props = _FONT + ("<w:b/><w:bCs/>" if bold else "")
    return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _p(runs: str, *, style: str = "", center: bool = False, num: tuple[str, int] | None = None) -> str:
    ppr = (f'<w:pStyle w:val="{style}"/>' if style else "")
    ppr += (f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>' if num else "")
    ppr += '<w:jc w:val="center"/>' if center else ""
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{runs}</w:p>"


def _table(rows: list[list[list[str]]], *, grid: bool, bold_first: bool = False) -> str:
    """rows of cells of lines; a Decree 30 table has no borders and a bold first line per cell."""
    cols = len(rows[0])
    width = TEXT_WIDTH_TWIPS // cols  # the columns share the text width: a wider table is cut off in print
    style = '<w:tblStyle w:val="TableGrid"/>' if grid else ""
    out = [f'<w:tbl><w:tblPr>{style}<w:tblW w:w="{width * cols}" w:type="dxa"/></w:tblPr><w:tblGrid>'
           + f'<w:gridCol w:w="{width}"/>' * cols + "</w:tblGrid>"]
    for row in rows:
        out.append("<w:tr>")
        for lines in row:
            paras = "".join(_p(_run(line, bold=bold_first and i == 0)) for i, line in enumerate(lines or [""]))
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{paras}</w:tc>')
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _preamble(doc: Doc) -> list[str]:
    r = doc.report
    if doc.shape.decree30:
        out = [_table([[r.letterhead, list(r.NATIONAL) + [r.place_date]]], grid=False, bold_first=True)]
    else:
        out = [_p(_run(x, bold=x.isupper()), center=True) for x in r.letterhead + list(r.NATIONAL) + [r.place_date]]
    out += [_p(_run(x, bold=True), center=True) for x in r.preamble_title]
    return out + [_p(_run(r.to), center=True), _p(_run(r.opening))]


def _closing(doc: Doc) -> list[str]:
    r = doc.report
    out = [_p(_run(r.closing_sentence))]
    if doc.shape.decree30:
        return out + [_table([[r.recipients, r.signature]], grid=False, bold_first=True)]
    return out + [_p(_run(x)) for x in r.recipients] + [_p(_run(x, bold=True), center=True) for x in r.signature]


def _item(it: Item, doc: Doc, auto: bool) -> str:
    shape = doc.shape
    if it.kind == "para":
        return _p(_run(it.text))
    if it.kind == "table":
        return _table([[[cell] for cell in row] for row in it.rows], grid=True)
    if it.kind == "label":
        return _p(_run("" if auto else it.label, bold=True), center=True, num=(NUM_ID, 0) if auto else None)
    numbered = auto and bool(it.label)
    prefix = "" if numbered else (it.label + " " if it.label else "")
    style = f"Heading{it.depth + 1}" if shape.look == "style" else ""
    if it.head:
        runs = _run(prefix + it.head + ":", bold=True) + _run(it.text[len(it.head) + 1:])
    else:
        runs = _run(prefix + it.text, bold=shape.look in ("bold", "style"))
    return _p(runs, style=style, num=(NUM_ID, it.depth) if numbered else None)


def _numbering(doc: Doc, numbering: str) -> str:
    top_fmt = next(it.fmt for it in doc.items if it.depth == 0 and it.fmt)
    sub_fmt = next((it.fmt for it in doc.items if it.depth == 1 and it.fmt), "decimal")
    f0, t0 = _LVL_TEXT[top_fmt]
    f1, t1 = _SUB_TEXT[sub_fmt]
    if doc.shape.sub == "paren":
        t1 = "%2)"
    abstract = (f'<w:abstractNum w:abstractNumId="{NUM_ID}"><w:multiLevelType w:val="hybridMultilevel"/>'
                f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{f0}"/><w:lvlText w:val="{t0}"/></w:lvl>'
                f'<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="{f1}"/><w:lvlText w:val="{t1}"/></w:lvl>'
                "</w:abstractNum>")
    num = f'<w:num w:numId="{NUM_ID}"><w:abstractNumId w:val="{NUM_ID}"/></w:num>'
    open_end = numbering.index(">", numbering.index("<w:numbering")) + 1
    close = numbering.rindex("</w:numbering>")
    return numbering[:open_end] + abstract + numbering[open_end:close] + num + numbering[close:]


def render_docx(doc: Doc) -> bytes:
    base, head, sect, numbering = _template()
    auto = doc.shape.auto
    body = _preamble(doc) + [_item(it, doc, auto) for it in doc.items] + _closing(doc)
    buf = io.BytesIO(base)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr(DOCUMENT, head + "".join(body) + sect + "</w:body></w:document>")
        z.writestr(NUMBERING, _numbering(doc, numbering) if auto else numbering)
    return buf.getvalue()
