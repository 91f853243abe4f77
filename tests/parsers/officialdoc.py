"""Official documents (Decree 30/2020 layout) built at test time: DOCX with python-docx, PDF with reportlab.

The letterhead and the signature block are two-column tables, as agencies lay them out.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from docx import Document
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

from bot.demo.render_flat import font_dir

MOTTO = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]


@dataclass
class Letter:
    issuer: list[str] = field(default_factory=lambda: ["ỦY BAN NHÂN DÂN", "TỈNH THÁI BÌNH"])
    number: str = "Số: 123/BC-UBND"
    place_date: str = "Thái Bình, ngày 25 tháng 12 năm 2024"
    type_line: str = "BÁO CÁO"
    subject: list[str] = field(default_factory=lambda: ["Kết quả thực hiện Chiến lược chuyển đổi số báo chí",
                                                        "đến năm 2025, định hướng đến năm 2030"])
    body: list[str] = field(default_factory=lambda: [
        "Kính gửi: Bộ Thông tin và Truyền thông.",
        "Thực hiện Công văn số 5422/BTTTT-CBC ngày 19/12/2024 của Bộ Thông tin và Truyền thông, "
        "Ủy ban nhân dân tỉnh báo cáo như sau:",
        "I. TÌNH HÌNH CHUYỂN ĐỔI SỐ",
        "Ngày 20/3/2023, Báo Thái Bình ban hành Kế hoạch số 12/KH-BTB; thực hiện Quyết định 348/QĐ-TTg.",
        "Trên đây là báo cáo của Ủy ban nhân dân tỉnh./.",
    ])
    recipients: list[str] = field(default_factory=lambda: ["Nơi nhận:", "- Như trên;", "- Lưu: VT."])
    signature: list[str] = field(default_factory=lambda: ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH",
                                                          "(Đã ký)", "Nguyễn Văn An"])


def letter_docx(letter: Letter) -> bytes:
    doc = Document()
    head = doc.add_table(rows=1, cols=2)
    _cell(head.cell(0, 0), [*letter.issuer, "_______", letter.number])
    _cell(head.cell(0, 1), [*MOTTO, "_______________", letter.place_date])
    doc.add_paragraph(letter.type_line).runs[0].bold = True
    for line in letter.subject:
        doc.add_paragraph(line)
    for line in letter.body:
        doc.add_paragraph(line)
    tail = doc.add_table(rows=1, cols=2)
    _cell(tail.cell(0, 0), letter.recipients)
    _cell(tail.cell(0, 1), letter.signature)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _cell(cell, lines: list[str]) -> None:
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def letter_pdf(letter: Letter) -> bytes:
    if "OfficialSerif" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("OfficialSerif", str(font_dir() / "DejaVuSerif.ttf")))
    style = ParagraphStyle("p", fontName="OfficialSerif", fontSize=11, leading=14, spaceAfter=4)
    small = ParagraphStyle("s", parent=style, fontSize=10, leading=12, alignment=1)

    def column(lines: list[str]) -> list[Paragraph]:
        return [Paragraph(line, small) for line in lines]

    story = [Table([[column([*letter.issuer, "_______", letter.number]),
                     column([*MOTTO, "_______________", letter.place_date])]], colWidths=[200, 280]),
             Paragraph(letter.type_line, ParagraphStyle("t", parent=small, fontSize=13, spaceBefore=12)),
             *[Paragraph(line, small) for line in letter.subject],
             *[Paragraph(line, style) for line in letter.body],
             Table([[column(letter.recipients), column(letter.signature)]], colWidths=[200, 280])]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build(story)
    return buf.getvalue()
