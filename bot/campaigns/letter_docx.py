"""DOCX documents of a campaign: the official letter and a blank report form.

Pure: inputs in, DOCX bytes out (python-docx, no file or clock access).
The letter follows the layout of Decree 30/2020/NĐ-CP (A4; margins top/bottom
20 mm, left 30 mm, right 15 mm; Times New Roman; header and signature blocks as
borderless two-column tables). The report form gives every outline node a real
Word heading style ("Heading 1" for "I.", "Heading 2" for "1.", ...) so that the
DOCX parser, which reads styles, finds the sections of a filled-in form.
"""
from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from bot.core.office_text import add_run, set_spacing
from bot.core.vn_format import lower_first, vn_date
from parsers.model import Outline, OutlineNode

FONT = "Times New Roman"
BODY_PT = 14
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
FORM_HINT = "(Nội dung báo cáo)"
FORM_ADDRESSEE = "Bộ Thông tin và Truyền thông (Cục Báo chí)"
LETTER_KEYS = ("authority", "number", "place_date", "subject", "recipients", "body",
               "copies", "signature_titles", "signer")
# What each known metric asks for, so the form tells agencies which figures to give.
METRIC_HINTS = {
    "views": "tổng lượt xem, lượt truy cập trong kỳ",
    "interactions": "lượt tương tác",
    "reader_growth_pct": "tỷ lệ tăng trưởng độc giả (%)",
    "digital_revenue_vnd": "doanh thu từ sản phẩm báo chí số (đồng)",
    "digital_revenue_growth_pct": "tỷ lệ tăng trưởng doanh thu (%)",
    "digital_revenue_share_pct": "tỷ lệ doanh thu sản phẩm báo chí số/tổng doanh thu (%)",
    "maturity_score": "điểm đánh giá mức độ trưởng thành",
    "maturity_level": "mức độ trưởng thành đạt được",
}
_HEADING_PT = {1: 14, 2: 14, 3: 14}
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


# ---------------------------------------------------------------- public API

def render_letter_docx(letter: Mapping, outline: Outline, title: str) -> bytes:
    """The official letter from a campaign's `[letter]` table, with the outline annexed.

    Raises ValueError naming the first missing `[letter]` key.
    """
    missing = [k for k in LETTER_KEYS if not letter.get(k)]
    if missing:
        raise ValueError(f"[letter]: missing key {missing[0]!r}")
    doc = _new_document(title, subject=str(letter["subject"]))
    left, right = _two_columns(doc, (Mm(62), Mm(103)))
    _lines(left, [(letter["authority"], dict(bold=True, size=13)),
                  (letter["number"], dict(size=13)),
                  (letter["subject"], dict(size=12))])
    _national_title(right, letter["place_date"])
    _recipients(doc, _as_list(letter["recipients"]))
    for text in _as_list(letter["body"]):
        _body(doc, text)
    left, right = _two_columns(doc, (Mm(80), Mm(85)))
    _copies(left, _as_list(letter["copies"]))
    _signature(right, _as_list(letter["signature_titles"]), str(letter["signer"]))
    doc.add_page_break()
    _letter_annex(doc, letter, outline, title)
    return _to_bytes(doc)


@dataclass(frozen=True)
class FormalReminder:
    """What a "công văn đôn đốc" says: to whom, about which letter, by when (all local dates)."""

    campaign_code: str
    campaign_title: str
    issued: date
    deadline: date
    agency_name: str
    agency_category: str
    reply_to: str
    respond_days: int  # working days the agency is given from receiving it


# Who heads an agency of each category, as a formal letter addresses them (Decree 30: "Kính gửi").
HEAD_TITLES = {"ministry": "Bộ trưởng", "province": "Chủ tịch", "gov_agency": "Thủ trưởng",
               "press_body": "Thủ trưởng", "other": "Thủ trưởng"}


def formal_addressee(agency_name: str, category: str) -> str:
    """"Bộ Y tế" → "Bộ trưởng Bộ Y tế"; "Ủy ban nhân dân tỉnh Nghệ An" → "Chủ tịch Ủy ban nhân dân
    tỉnh Nghệ An"; other agencies: "Thủ trưởng …"."""
    return _nfc(f"{HEAD_TITLES.get(category, 'Thủ trưởng')} {agency_name.strip()}")


def render_formal_reminder_docx(letter: Mapping, r: FormalReminder) -> bytes:
    """A formal reminder letter ("công văn đôn đốc") in the Decree 30 layout, from the campaign's
    `[letter]` table (authority, signature), addressed to the agency's head, with its number and
    date left blank for the department's clerk: ready to be signed and issued."""
    missing = [k for k in ("authority", "signature_titles", "signer") if not letter.get(k)]
    if missing:
        raise ValueError(f"[letter]: missing key {missing[0]!r}")
    symbol = r.campaign_code.split("/", 1)[1] if "/" in r.campaign_code else r.campaign_code
    subject = f"V/v đôn đốc gửi báo cáo theo Công văn số {r.campaign_code}"
    doc = _new_document(f"Công văn đôn đốc - {r.agency_name}", subject=subject)
    left, right = _two_columns(doc, (Mm(62), Mm(103)))
    _lines(left, [(letter["authority"], dict(bold=True, size=13)),
                  (f"Số: ……/{symbol}", dict(size=13)),
                  (subject, dict(size=12))])
    _national_title(right, "Hà Nội, ngày …… tháng …… năm 20……")
    _recipients(doc, [formal_addressee(r.agency_name, r.agency_category)])
    for text in (
        f"Ngày {vn_date(r.issued)}, Bộ Thông tin và Truyền thông có Công văn số {r.campaign_code} đề nghị "
        f"các cơ quan, đơn vị {lower_first(_nfc(r.campaign_title).strip())}, gửi về Bộ Thông tin và Truyền thông (qua Cục "
        f"Báo chí) trước ngày {vn_date(r.deadline)}.",
        f"Đến nay, Bộ Thông tin và Truyền thông chưa nhận được báo cáo của {r.agency_name}. Để bảo đảm tiến độ "
        "tổng hợp, báo cáo Thủ tướng Chính phủ, Bộ Thông tin và Truyền thông đề nghị "
        f"{r.agency_name} quan tâm, chỉ đạo khẩn trương hoàn thành báo cáo theo Đề cương gửi kèm Công văn số "
        f"{r.campaign_code}, gửi về Bộ Thông tin và Truyền thông (qua Cục Báo chí) trong thời hạn "
        f"{r.respond_days:02d} ngày làm việc kể từ ngày nhận được văn bản này; bản điện tử gửi qua thư điện tử "
        f"{r.reply_to}.",
        "Trân trọng./.",
    ):
        _body(doc, text)
    left, right = _two_columns(doc, (Mm(80), Mm(85)))
    _copies(left, ["Như trên;", "Lưu: VT, CBC."])
    _signature(right, _as_list(letter["signature_titles"]), str(letter["signer"]))
    return _to_bytes(doc)


def render_report_form_docx(outline: Outline, campaign_title: str, campaign_code: str) -> bytes:
    """A blank report form: letterhead to fill in, one real heading per outline node."""
    doc = _new_document(f"Báo cáo - {campaign_title}", subject=campaign_code)
    left, right = _two_columns(doc, (Mm(62), Mm(103)))
    _lines(left, [("TÊN CƠ QUAN, ĐƠN VỊ", dict(bold=True, size=13)),
                  ("Số: ……/BC-……", dict(size=13))])
    _national_title(right, "……, ngày …… tháng …… năm 20……")
    _para(doc, "BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=12)
    _para(doc, _form_subtitle(campaign_title), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    _para(doc, f"Kính gửi: {FORM_ADDRESSEE}", align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    _body(doc, f"Thực hiện Công văn số {campaign_code} của Bộ Thông tin và Truyền thông, "
               "(tên cơ quan, đơn vị) báo cáo như sau:")
    labels = outline_labels(outline)
    for node in outline.nodes:
        level = min(node.depth + 1, 9)
        doc.add_paragraph(_nfc(f"{labels[node.id]} {node.title}"), style=f"Heading {level}")
        _body(doc, form_hint(node), italic=True)
    left, right = _two_columns(doc, (Mm(80), Mm(85)))
    _copies(left, ["Như trên;", "Lưu: VT, …"])
    _signature(right, ["QUYỀN HẠN, CHỨC VỤ CỦA NGƯỜI KÝ"], "Họ và tên",
               note="(Chữ ký của người có thẩm quyền, dấu/chữ ký số của cơ quan, đơn vị)")
    return _to_bytes(doc)


def outline_labels(outline: Outline) -> dict[str, str]:
    """Display label of each node by its position among siblings: "I.", "1.", "a)"."""
    labels: dict[str, str] = {}
    for node in outline.nodes:
        siblings = [n.id for n in outline.children(node.parent_id)]
        labels[node.id] = _label(node.depth, siblings.index(node.id) + 1)
    return labels


def form_hint(node: OutlineNode) -> str:
    """The italic hint placed under a node's heading in the report form."""
    if node.description:
        return _nfc(f"({node.description.rstrip('.')})")
    asks = [METRIC_HINTS[m] for m in node.metrics if m in METRIC_HINTS]
    if asks:
        return _nfc(f"(Nội dung báo cáo; nêu số liệu: {', '.join(asks)})")
    return FORM_HINT


# ---------------------------------------------------------------- document parts

def _form_subtitle(campaign_title: str) -> str:
    """"Báo cáo thực hiện X" under the word "BÁO CÁO" reads "Thực hiện X"."""
    title = _nfc(campaign_title).strip()
    if title.lower().startswith("báo cáo ") and len(title) > len("báo cáo "):
        rest = title[len("báo cáo "):]
        return rest[0].upper() + rest[1:]
    return title


def _recipients(doc, recipients: list[str]) -> None:
    if len(recipients) == 1:
        _para(doc, f"Kính gửi: {recipients[0]}", align=WD_ALIGN_PARAGRAPH.CENTER,
              before=12, after=12)
        return
    _para(doc, "Kính gửi:", left=Mm(20), before=12)
    for i, name in enumerate(recipients):
        _para(doc, f"- {name}", left=Mm(40), after=12 if i == len(recipients) - 1 else 0)


def _letter_annex(doc, letter: Mapping, outline: Outline, title: str) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, letter.get("outline_title") or "ĐỀ CƯƠNG BÁO CÁO", bold=True, align=center)
    _para(doc, letter.get("outline_subtitle") or title.upper(), bold=True, align=center)
    if letter.get("outline_note"):
        _para(doc, letter["outline_note"], italic=True, align=center)
    _para(doc, "")
    labels = outline_labels(outline)
    for node in outline.nodes:
        _body(doc, f"{labels[node.id]} {node.title}", bold=node.depth == 0)
        if node.description:
            _body(doc, node.description)


def _national_title(cell, place_date: str) -> None:
    _lines(cell, [(NATIONAL_TITLE, dict(bold=True, size=12)),
                  (MOTTO, dict(bold=True, size=13)),
                  ("", dict(size=6)),
                  (place_date, dict(italic=True, size=13))])


def _copies(cell, copies: Iterable[str]) -> None:
    first = cell.paragraphs[0]
    set_spacing(first, 0, 0)
    add_run(first, "Nơi nhận:", bold=True, italic=True, size=12)
    for item in copies:
        p = cell.add_paragraph()
        add_run(p, f"- {item}", size=11)
        set_spacing(p, 0, 0)


def _signature(cell, titles: list[str], signer: str, note: str = "") -> None:
    lines = [(t, dict(bold=True, size=13)) for t in titles]
    if note:
        lines.append((note, dict(italic=True, size=12)))
    lines += [("", {})] * 4 + [(signer, dict(bold=True, size=BODY_PT))]
    _lines(cell, lines)


# ---------------------------------------------------------------- building blocks

def _new_document(title: str, subject: str = ""):
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    _plain_fonts(doc)
    props = doc.core_properties
    props.title, props.subject, props.author = _nfc(title), _nfc(subject), ""
    props.comments, props.last_modified_by = "", ""
    return doc


def _plain_fonts(doc) -> None:
    """Times New Roman everywhere, headings black: drop the template's theme fonts."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        for rfonts in defaults.iter(qn("w:rFonts")):
            _fix_rfonts(rfonts)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _style_font(normal)
    for level, size in _HEADING_PT.items():
        style = doc.styles[f"Heading {level}"]
        style.font.size, style.font.bold, style.font.italic = Pt(size), True, level == 3
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(6), Pt(6)
        _style_font(style)


def _style_font(style) -> None:
    style.font.name = FONT
    _fix_rfonts(style.element.get_or_add_rPr().get_or_add_rFonts())


def _fix_rfonts(rfonts) -> None:
    # Theme attributes win over explicit names in Word, so they must go.
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{attr}"), FONT)


def _two_columns(doc, widths):
    """A borderless one-row, two-column layout table; returns its two cells."""
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)
    for column, cell, width in zip(table.columns, table.rows[0].cells, widths):
        column.width = cell.width = width
    return table.rows[0].cells


def _lines(cell, lines) -> None:
    """Centered lines in a table cell, each a paragraph with its own run format."""
    for i, (text, fmt) in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_spacing(p, 0, 0)
        add_run(p, text, **fmt)


def _para(doc, text: str, *, bold=False, italic=False, align=None, left=None,
          before=0, after=6):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if left is not None:
        p.paragraph_format.left_indent = left
    set_spacing(p, before, after)
    add_run(p, text, bold=bold, italic=italic)
    return p


def _body(doc, text: str, *, bold=False, italic=False):
    """A body paragraph: justified, first line indented 1.27 cm (Decree 30)."""
    p = _para(doc, text, bold=bold, italic=italic, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    p.paragraph_format.first_line_indent = Mm(12.7)
    return p




def _label(depth: int, position: int) -> str:
    if depth == 0:
        return f"{_roman(position)}."
    if depth == 1:
        return f"{position}."
    if depth == 2 and position <= 26:
        return f"{chr(ord('a') + position - 1)})"
    return "-"


def _roman(n: int) -> str:
    out = []
    for value, numeral in _ROMAN:
        count, n = divmod(n, value)
        out.append(numeral * count)
    return "".join(out)


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", str(text))


def _to_bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
