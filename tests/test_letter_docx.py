"""The campaign's DOCX documents: the 5422 letter and the blank report form.

Both are rendered from the real campaign file, reopened with python-docx and
read back the way a recipient's word processor (or our own DOCX parser) would.
"""
from __future__ import annotations

import io
import tomllib
import unicodedata
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from bot.campaigns.letter_docx import render_letter_docx, render_report_form_docx
from parsers.model import Outline, OutlineNode

CAMPAIGN = Path(__file__).resolve().parents[1] / "campaigns" / "5422-BTTTT-CBC.toml"
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


@pytest.fixture(scope="module")
def campaign() -> dict:
    with CAMPAIGN.open("rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="module")
def outline(campaign) -> Outline:
    nodes = tuple(
        OutlineNode(id=n["id"], title=n["title"], required=n.get("required", True),
                    aliases=tuple(n.get("aliases", ())), metrics=tuple(n.get("metrics", ())),
                    description=n.get("description", ""))
        for n in campaign["outline"])
    return Outline(code=campaign["campaign"]["code"], nodes=nodes)


@pytest.fixture(scope="module")
def letter(campaign, outline):
    data = render_letter_docx(campaign["letter"], outline, campaign["campaign"]["title"])
    return docx.Document(io.BytesIO(data))


@pytest.fixture(scope="module")
def form(campaign, outline):
    c = campaign["campaign"]
    return docx.Document(io.BytesIO(render_report_form_docx(outline, c["title"], c["code"])))


def blocks(doc) -> list[Paragraph]:
    """Every paragraph in reading order, table cells included (row by row)."""
    out: list[Paragraph] = []
    for item in doc.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                for cell in row.cells:
                    out.extend(cell.paragraphs)
        else:
            out.append(item)
    return out


def full_text(doc) -> str:
    return "\n".join(p.text for p in blocks(doc))


def expected_label(node: OutlineNode) -> str:
    """Independent of the renderer: the label is spelled by the node's id."""
    last = node.id.split(".")[-1]
    return f"{last}." if node.depth == 0 else f"{int(last)}."


def run_with(doc, text: str):
    for p in blocks(doc):
        for run in p.runs:
            if run.text == text:
                return run
    raise AssertionError(f"no run {text!r}")


# ---------------------------------------------------------------- the letter

def test_letter_page_is_a4_with_decree_30_margins(letter):
    s = letter.sections[0]
    mm = [round(length.mm, 1) for length in (s.page_width, s.page_height, s.top_margin,
                                             s.bottom_margin, s.left_margin, s.right_margin)]
    assert mm == [210, 297, 20, 20, 30, 15]  # DOCX stores twips: compare in whole mm
    normal = letter.styles["Normal"].font
    assert normal.name == "Times New Roman"
    assert Pt(13) <= normal.size <= Pt(14)


def test_letter_carries_number_recipients_deadline_and_signer(letter, campaign):
    text = full_text(letter)
    spec = campaign["letter"]
    assert "5422/BTTTT-CBC" in text
    deadline_sentence = next(b for b in spec["body"] if "30/12/2024" in b)
    assert deadline_sentence in text
    assert "Kính gửi" in text
    for recipient in spec["recipients"]:
        assert recipient in text
    assert "Nơi nhận" in text
    for copy in spec["copies"]:
        assert f"- {copy}" in text
    assert spec["signer"] in text
    assert text.index("Kính gửi") < text.index(deadline_sentence) < text.index("Nơi nhận")


def test_letter_header_is_a_borderless_two_column_table(letter, campaign):
    header = letter.tables[0]
    left, right = header.rows[0].cells
    assert campaign["letter"]["authority"] in left.text
    assert campaign["letter"]["subject"] in left.text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right.text
    assert "Độc lập - Tự do - Hạnh phúc" in right.text
    assert run_with(letter, campaign["letter"]["place_date"]).italic
    assert run_with(letter, campaign["letter"]["authority"]).bold
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    assert {el.get(qn("w:val")) for el in borders} == {"nil"}


def test_letter_closing_block_formats(letter, campaign):
    nhan = run_with(letter, "Nơi nhận:")
    assert nhan.bold and nhan.italic
    assert run_with(letter, f"- {campaign['letter']['copies'][0]}").font.size == Pt(11)
    assert run_with(letter, campaign["letter"]["signer"]).bold
    for title in campaign["letter"]["signature_titles"]:
        assert run_with(letter, title).bold


def test_letter_body_is_justified_with_first_line_indent(letter, campaign):
    body = {p.text: p for p in letter.paragraphs}
    for sentence in campaign["letter"]["body"]:
        p = body[sentence]
        assert p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert p.paragraph_format.first_line_indent and p.paragraph_format.first_line_indent > 0


def test_letter_annex_lists_outline_in_order_after_a_page_break(letter, campaign, outline):
    text = full_text(letter)
    spec = campaign["letter"]
    breaks = letter.element.body.findall(".//" + qn("w:br"))
    assert any(br.get(qn("w:type")) == "page" for br in breaks)
    annex_at = text.index(spec["outline_title"])
    assert annex_at > text.index(spec["signer"])
    assert spec["outline_note"] in text
    pos = annex_at
    for node in outline.nodes:
        line = f"{expected_label(node)} {node.title}"
        found = text.find(line, pos)
        assert found > pos, f"{node.id} missing or out of order"
        pos = found
    description = outline.node("II").description
    assert text.index(description) > text.index(outline.node("II").title)


def test_letter_rejects_a_missing_key(campaign, outline):
    spec = {k: v for k, v in campaign["letter"].items() if k != "signer"}
    with pytest.raises(ValueError, match="signer"):
        render_letter_docx(spec, outline, campaign["campaign"]["title"])


def test_letter_text_is_nfc_even_from_decomposed_input(campaign, outline):
    spec = {k: ([unicodedata.normalize("NFD", x) for x in v] if isinstance(v, list)
                else unicodedata.normalize("NFD", v)) for k, v in campaign["letter"].items()}
    doc = docx.Document(io.BytesIO(render_letter_docx(spec, outline, "Tiêu đề")))
    text = full_text(doc)
    assert text == unicodedata.normalize("NFC", text)
    assert campaign["letter"]["signer"] in text


# ---------------------------------------------------------------- the form

def test_form_has_one_real_heading_per_outline_node_in_order(form, outline):
    headings = [(p.style.name, p.text) for p in form.paragraphs
                if p.style.name.startswith("Heading")]
    expected = [(f"Heading {n.depth + 1}", f"{expected_label(n)} {n.title}")
                for n in outline.nodes]
    assert headings == expected


def test_form_heading_styles_are_builtin_outline_levels(form):
    # A parser may read the style id or the outline level, not only the name.
    for p in form.paragraphs:
        if p.style.name.startswith("Heading"):
            assert p.style.style_id == p.style.name.replace(" ", "")
            assert p.style.builtin
            # Theme fonts would override the name in Word: official documents are Times New Roman.
            assert p.style.font.name == "Times New Roman"
            rfonts = p.style.element.rPr.find(qn("w:rFonts"))
            assert not any("Theme" in k or "theme" in k for k in rfonts.attrib)


def test_form_each_heading_is_followed_by_an_italic_hint(form, outline):
    paragraphs = form.paragraphs
    for i, p in enumerate(paragraphs):
        if not p.style.name.startswith("Heading"):
            continue
        hint = paragraphs[i + 1]
        assert hint.style.name == "Normal"
        assert hint.text.startswith("(") and hint.text.endswith(")")
        assert all(r.italic for r in hint.runs)
    text = full_text(form)
    assert outline.node("II").description.rstrip(".") in text
    assert "lượt tương tác" in text  # I.5 asks for its metrics


def test_form_letterhead_addressee_and_closing(form, campaign):
    header_left, header_right = form.tables[0].rows[0].cells
    assert "TÊN CƠ QUAN, ĐƠN VỊ" in header_left.text
    assert "Số:" in header_left.text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header_right.text
    text = full_text(form)
    assert "BÁO CÁO" in text
    assert "Chiến lược chuyển đổi số báo chí đến năm 2025, định hướng đến năm 2030" in text
    assert "Kính gửi: Bộ Thông tin và Truyền thông (Cục Báo chí)" in text
    assert campaign["campaign"]["code"] in text
    closing_left, closing_right = form.tables[-1].rows[0].cells
    assert closing_left.text.startswith("Nơi nhận:")
    assert "Họ và tên" in closing_right.text
    headings_end = max(i for i, p in enumerate(form.paragraphs) if p.style.name.startswith("Heading"))
    assert form.element.body.index(form.tables[-1]._tbl) > headings_end


def test_form_text_is_nfc(form):
    text = full_text(form)
    assert text == unicodedata.normalize("NFC", text)


def test_form_numbers_deeper_nodes_with_letters():
    outline = Outline("X", (OutlineNode("I", "Một"), OutlineNode("I.1", "Hai"),
                            OutlineNode("I.1.1", "Ba"), OutlineNode("I.1.2", "Bốn"),
                            OutlineNode("II", "Năm")))
    doc = docx.Document(io.BytesIO(render_report_form_docx(outline, "Báo cáo thử", "X")))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [("Heading 1", "I. Một"), ("Heading 2", "1. Hai"), ("Heading 3", "a) Ba"),
                        ("Heading 3", "b) Bốn"), ("Heading 1", "II. Năm")]
