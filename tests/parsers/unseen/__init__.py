"""Report shapes the parser was not written against, drawn at test time.

A report is a list of items: headings (`H`), paragraphs (`P`) and tables (`T`).
What each paragraph and table must become follows from where it stands: the
section of the last heading above it (a heading with sid "-" starts a part that
is no outline section: its text must land nowhere), or nowhere in the preamble
and closing. The figures a report states are listed beside it (`Report.metrics`).

Renderers: DOCX (python-docx, with Word footnotes and content controls written
into the package XML), plain text, HTML and XLSX (openpyxl).
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from docx import Document
from docx.oxml import parse_xml
from openpyxl import Workbook
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

from bot.demo.render_flat import _register_fonts  # the demo's Vietnamese fonts

NOWHERE = "-"


@dataclass(frozen=True)
class H:
    text: str
    sid: str  # outline node id, or NOWHERE for a part that is no section
    look: str = "bold"  # bold | plain | italic | h1 | h2 | h3


@dataclass(frozen=True)
class P:
    text: str
    footnote: str = ""  # a Word footnote referenced at the end of the paragraph
    placeholder: bool = False  # the paragraph is an unfilled content control (counts as empty)


@dataclass(frozen=True)
class T:
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Frame:
    """Letterhead, preamble and closing of one agency's report."""

    issuer: str
    number: str
    place_date: str
    opening: str
    authority: str
    position: str
    signer: str


@dataclass
class Report:
    name: str
    fmt: str  # docx | text | html | xlsx
    frame: Frame
    body: list
    metrics: list[tuple[str, float]]
    xlsx_layout: str = "columns"  # columns (A label/heading, B content) | rows (heading rows, content rows)
    year: int = 2024
    missing: frozenset = field(default_factory=frozenset)  # sections the report leaves out

    def expected(self) -> list[tuple[str, str]]:
        """(key text, section id or NOWHERE) for every paragraph and table row."""
        out, sid = [], NOWHERE
        for it in self.body:
            if isinstance(it, H):
                sid = it.sid
            elif isinstance(it, P) and not it.placeholder:
                out.append((it.text, sid))
                if it.footnote:
                    out.append((it.footnote, sid))
            elif isinstance(it, T):
                out += [(" | ".join(r), sid) for r in it.rows[1:]]
        return out + [(x, NOWHERE) for x in self.frame_lines()]

    def frame_lines(self) -> list[str]:
        f = self.frame
        return [f.number, f.opening, "Nơi nhận:", f.signer]

    def placeholders(self) -> list[str]:
        """Sections whose only content is an unfilled content control."""
        out, sid, filled = [], NOWHERE, {}
        for it in self.body:
            if isinstance(it, H):
                sid = it.sid
                filled.setdefault(sid, False)
            elif isinstance(it, P) and it.placeholder:
                out.append(sid)
            elif isinstance(it, (P, T)):
                filled[sid] = True
        return [s for s in out if not filled.get(s)]


def render(report: Report) -> bytes:
    if report.fmt == "docx":
        return render_docx(report)
    if report.fmt == "xlsx":
        return render_xlsx(report)
    if report.fmt == "html":
        return render_html(report).encode("utf-8")
    if report.fmt == "pdf":
        return render_pdf(report)
    return render_text(report).encode("utf-8")


# ---- text and HTML -------------------------------------------------------------------

def _closing(f: Frame) -> list[str]:
    return ["Trên đây là báo cáo kết quả thực hiện Chiến lược chuyển đổi số báo chí, kính gửi Bộ Thông tin và "
            "Truyền thông tổng hợp./.", "Nơi nhận:", "- Như trên;", "- Lưu: VT.", f.authority, f.position, f.signer]


def _preamble(f: Frame) -> list[str]:
    return [f.issuer, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", f.number, f.place_date,
            "BÁO CÁO", "Kết quả thực hiện Chiến lược chuyển đổi số báo chí đến năm 2025, định hướng đến năm 2030",
            "Kính gửi: Bộ Thông tin và Truyền thông.", f.opening]


def render_text(report: Report) -> str:
    lines = list(_preamble(report.frame))
    for it in report.body:
        if isinstance(it, H):
            lines.append(it.text)
        elif isinstance(it, P):
            text = PLACEHOLDER_TEXT_EN if it.placeholder else it.text
            lines.append(text + (f" ({it.footnote})" if it.footnote else ""))
        else:
            lines += [" | ".join(r) for r in it.rows]
    return "\n\n".join(lines + _closing(report.frame)) + "\n"


def render_html(report: Report) -> str:
    out = [f"<p>{escape(x)}</p>" for x in _preamble(report.frame)]
    for it in report.body:
        if isinstance(it, H):
            tag = it.look if it.look in ("h1", "h2", "h3") else "p"
            inner = f"<b>{escape(it.text)}</b>" if it.look == "bold" else escape(it.text)
            out.append(f"<{tag}>{inner}</{tag}>")
        elif isinstance(it, P):
            out.append(f"<p>{escape(it.text)}</p>")
        else:
            cells = ["<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in it.rows]
            out.append("<table>" + "".join(cells) + "</table>")
    out += [f"<p>{escape(x)}</p>" for x in _closing(report.frame)]
    return "<html><body>" + "\n".join(out) + "</body></html>"


def render_pdf(report: Report) -> bytes:
    """A text PDF (reportlab): headings bold, tables as rows of cells."""

    _register_fonts()
    body = ParagraphStyle("b", fontName="DemoSerif", fontSize=11, leading=14, spaceAfter=4)
    bold = ParagraphStyle("h", parent=body, fontName="DemoSerif-Bold")
    flow = [Paragraph(escape(x), body) for x in _preamble(report.frame)]
    for it in report.body:
        if isinstance(it, H):
            flow.append(Paragraph(escape(it.text), bold if it.look != "plain" else body))
        elif isinstance(it, P):
            flow.append(Paragraph(escape(PLACEHOLDER_TEXT_EN if it.placeholder else it.text), body))
        else:
            flow.append(Table([list(r) for r in it.rows], style=[("FONTNAME", (0, 0), (-1, -1), "DemoSerif"),
                                                                  ("GRID", (0, 0), (-1, -1), 0.5, "black")]))
    flow += [Paragraph(escape(x), body) for x in _closing(report.frame)]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build(flow)
    return buf.getvalue()


# ---- DOCX ------------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PLACEHOLDER_TEXT = "Bấm hoặc nhấn vào đây để nhập văn bản."
PLACEHOLDER_TEXT_EN = "Click or tap here to enter text."  # what a form's prompt reads once copied as text


def render_docx(report: Report) -> bytes:

    f = report.frame
    doc = Document()
    head = doc.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): f.issuer, (0, 1): "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
                         (1, 0): f.number, (1, 1): f.place_date}.items():
        head.cell(r, c).text = text
    for line in _preamble(f)[5:]:
        doc.add_paragraph(line)
    notes = []
    for it in report.body:
        if isinstance(it, H):
            if it.look in ("h1", "h2", "h3"):
                doc.add_heading(it.text, level=int(it.look[1]))
                continue
            run = doc.add_paragraph().add_run(it.text)
            run.bold = it.look == "bold"
            run.italic = it.look == "italic"
        elif isinstance(it, P) and it.placeholder:
            doc.element.body.find(f"{{{W_NS}}}sectPr").addprevious(parse_xml(_placeholder_sdt()))
        elif isinstance(it, P):
            p = doc.add_paragraph(it.text)
            if it.footnote:
                notes.append(it.footnote)
                p._p.append(parse_xml(
                    f'<w:r xmlns:w="{W_NS}"><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                    f'<w:footnoteReference w:id="{len(notes)}"/></w:r>'))
        else:
            table = doc.add_table(rows=len(it.rows), cols=len(it.rows[0]))
            for r, row in enumerate(it.rows):
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
    for line in _closing(f)[:4]:
        doc.add_paragraph(line)
    sign = doc.add_table(rows=1, cols=2)
    sign.cell(0, 1).text = "\n".join(_closing(f)[4:])
    buf = io.BytesIO()
    doc.save(buf)
    return _add_footnotes(buf.getvalue(), notes) if notes else buf.getvalue()


def _placeholder_sdt() -> str:
    return (f'<w:sdt xmlns:w="{W_NS}"><w:sdtPr><w:showingPlcHdr/><w:text/></w:sdtPr><w:sdtContent>'
            f'<w:p><w:r><w:rPr><w:rStyle w:val="PlaceholderText"/></w:rPr><w:t>{PLACEHOLDER_TEXT}</w:t></w:r>'
            f'</w:p></w:sdtContent></w:sdt>')


def _add_footnotes(data: bytes, notes: list[str]) -> bytes:
    """Add word/footnotes.xml (separators, then one note per text) with its relationship and type."""
    sep = ('<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
           '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
           '</w:p></w:footnote>')
    body = "".join(f'<w:footnote w:id="{i}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                   f'<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {escape(t)}</w:t></w:r></w:p></w:footnote>'
                   for i, t in enumerate(notes, 1))
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{W_NS}">{sep}{body}</w:footnotes>'
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            part = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                part = part.replace(b"</Types>", b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>')
            elif item.filename == "word/_rels/document.xml.rels":
                part = part.replace(b"</Relationships>", b'<Relationship Id="rIdFn1" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/footnotes" '
                                    b'Target="footnotes.xml"/></Relationships>')
            z.writestr(item, part)
        z.writestr("word/footnotes.xml", xml.encode("utf-8"))
    return out.getvalue()


# ---- XLSX ------------------------------------------------------------------------------

def render_xlsx(report: Report) -> bytes:
    """The outline filled in a sheet: "columns" puts each heading in A and its content in B
    (further paragraphs on the rows below, A empty); "rows" puts headings and contents each
    on a row of their own, all in column A."""

    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    f = report.frame
    for line in (f.issuer, f"{f.number}     {f.place_date}", "BÁO CÁO KẾT QUẢ THỰC HIỆN CHIẾN LƯỢC CHUYỂN ĐỔI SỐ BÁO CHÍ"):
        ws.append([line])
    if report.xlsx_layout == "numbered":
        _numbered_sheet(ws, report)
    columns = report.xlsx_layout == "columns"
    if report.xlsx_layout == "numbered":
        pass
    elif columns:
        ws.append(["Nội dung theo Đề cương", "Kết quả thực hiện"])
    heading: str | None = None
    for it in report.body if report.xlsx_layout != "numbered" else ():
        if isinstance(it, H):
            if heading is not None:
                ws.append([heading])
            heading = it.text if columns else None
            if not columns:
                ws.append([it.text])
            continue
        if isinstance(it, T):  # a table: one sheet row per table row, from column B (A in "rows")
            if heading is not None:
                ws.append([heading])
            for r in it.rows:
                ws.append(["", *r] if columns else list(r))
        else:
            ws.append([heading or "", it.text] if columns else [it.text])
        heading = None
    if heading is not None:
        ws.append([heading])
    ws.append([])
    for line in (f.authority, f.position, f.signer):
        ws.append(["", line])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _numbered_sheet(ws, report: Report) -> None:
    """"STT | Nội dung | Kết quả thực hiện": the label in A, the heading in B, its content in C."""
    ws.append(["STT", "Nội dung", "Kết quả thực hiện"])
    row: list[str] | None = None
    for it in report.body:
        if isinstance(it, H):
            if row is not None:
                ws.append(row)
            label, _, title = it.text.partition(" ")
            row = [label, title]
        elif row is not None and len(row) == 2:
            row.append(it.text)
        else:
            if row is not None:
                ws.append(row)
            row = None
            ws.append(["", "", it.text])
    if row is not None:
        ws.append(row)
