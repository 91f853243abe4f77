"""The `document` facts of a parse: number, date, place, type, subject, issuer, cites, signer.

Read from the report's own letterhead and signature block only; what is not there is null,
and a number or date in the body is never taken for the report's.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from officialdoc import Letter, letter_docx, letter_pdf

import parsers
from parsers.blocks import PARAGRAPH, TABLE, Block
from parsers.document import document_facts
from parsers.document_text import cited_numbers, own_number, place_date
from parsers.model import Outline
from parsers.text import text_blocks

NO_OUTLINE = Outline(code="x", nodes=())
CORPUS_VI = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "vi"

PROVINCE_TEXT = """ỦY BAN NHÂN DÂN                CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH THÁI BÌNH                       Độc lập - Tự do - Hạnh phúc
Số: 123/BC-UBND                 Thái Bình, ngày 25 tháng 12 năm 2024

BÁO CÁO
Kết quả thực hiện Chiến lược chuyển đổi số báo chí
đến năm 2025, định hướng đến năm 2030

Kính gửi: Bộ Thông tin và Truyền thông.

Thực hiện Công văn số 5422/BTTTT-CBC ngày 19/12/2024 của Bộ Thông tin và Truyền thông, UBND tỉnh báo cáo:

I. TÌNH HÌNH CHUNG
Ngày 20/12/2024, Báo Thái Bình triển khai theo Kế hoạch số 12/KH-UBND và Quyết định 348/QĐ-TTg.

Nơi nhận:
- Như trên;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Nguyễn Văn A
"""


def facts(text: str):
    return document_facts(text_blocks(text))


def table(*rows: list[str]) -> Block:
    return Block(TABLE, rows=[list(r) for r in rows])


def para(text: str) -> Block:
    return Block(PARAGRAPH, text=text)


def test_province_report_in_plain_text_gives_every_fact():
    doc = facts(PROVINCE_TEXT).to_json()
    assert doc == {
        "number": "123/BC-UBND", "date": "2024-12-25", "place": "Thái Bình", "type": "Báo cáo",
        "subject": "Kết quả thực hiện Chiến lược chuyển đổi số báo chí đến năm 2025, định hướng đến năm 2030",
        "issuer": "ỦY BAN NHÂN DÂN TỈNH THÁI BÌNH", "cites": ["5422/BTTTT-CBC", "12/KH-UBND", "348/QĐ-TTg"],
        "signer": {"name": "Nguyễn Văn A", "position": "PHÓ CHỦ TỊCH", "authority": "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH"},
        "signatures": [],
    }


def test_ministry_unit_letterhead_in_a_table_with_a_numeric_date():
    blocks = [table(["BỘ Y TẾ\nVỤ KẾ HOẠCH - TÀI CHÍNH\n_____\nSố: 45/BC-KHTC",
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nHà Nội, ngày 05/01/2025"]),
              para("BÁO CÁO"), para("Về việc thực hiện chuyển đổi số báo chí ngành y tế"),
              para("Căn cứ Nghị định số 30/2020/NĐ-CP;"), para("Nội dung báo cáo."),
              table(["Nơi nhận:\n- Như trên;\n- Lưu: VT, KHTC.", "TL. BỘ TRƯỞNG\nVỤ TRƯỞNG\n(Đã ký)\nTrần Thị Bích Ngọc"])]
    doc = document_facts(blocks)
    assert (doc.number, doc.date, doc.place, doc.type) == ("45/BC-KHTC", "2025-01-05", "Hà Nội", "Báo cáo")
    assert doc.subject == "Về việc thực hiện chuyển đổi số báo chí ngành y tế"
    assert doc.issuer == "BỘ Y TẾ / VỤ KẾ HOẠCH - TÀI CHÍNH"
    assert doc.cites == ["30/2020/NĐ-CP"]
    assert doc.signer.to_json() == {"name": "Trần Thị Bích Ngọc", "position": "VỤ TRƯỞNG", "authority": "TL. BỘ TRƯỞNG"}


def test_department_under_its_province_and_a_number_without_so():
    blocks = [table(["UBND TỈNH QUẢNG NINH\nSỞ THÔNG TIN VÀ TRUYỀN THÔNG\n45/BC-STTTT",
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                     "Quảng Ninh, ngày 3 tháng 1 năm 2025"]),
              para("BÁO CÁO Tình hình chuyển đổi số báo chí năm 2024"), para("Thực hiện Công văn số 5422/BTTTT-CBC.")]
    doc = document_facts(blocks)
    assert doc.issuer == "UBND TỈNH QUẢNG NINH / SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
    assert (doc.number, doc.date, doc.place) == ("45/BC-STTTT", "2025-01-03", "Quảng Ninh")
    assert (doc.type, doc.subject) == ("Báo cáo", "Tình hình chuyển đổi số báo chí năm 2024")


def test_cong_van_has_its_subject_under_the_number_and_no_type_line():
    blocks = [table(["ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HỒ CHÍ MINH\nSố: 321/UBND-VX\nV/v báo cáo kết quả thực hiện\n"
                     "Chiến lược chuyển đổi số báo chí",
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                     "Thành phố Hồ Chí Minh, ngày 27 tháng 12 năm 2024"]),
              para("Kính gửi: Cục Báo chí."), para("Phúc đáp Công văn số 5422/BTTTT-CBC, Ủy ban nhân dân Thành phố báo cáo.")]
    doc = document_facts(blocks)
    assert (doc.type, doc.number, doc.place) == ("Công văn", "321/UBND-VX", "Thành phố Hồ Chí Minh")
    assert doc.subject == "V/v báo cáo kết quả thực hiện Chiến lược chuyển đổi số báo chí"
    assert doc.issuer == "ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH"


def test_mail_body_without_letterhead_gives_nulls_and_only_its_cites():
    doc = facts("Kính gửi Cục Báo chí,\n\nNgày 20/12/2024, Sở đã ban hành theo Kế hoạch số 12/KH-UBND ngày "
                "15/3/2024 của Ủy ban nhân dân tỉnh. Báo cáo chi tiết xin gửi kèm.\n\nTrân trọng.\n")
    assert doc.to_json() == {"number": None, "date": None, "place": None, "type": None, "subject": None,
                             "issuer": None, "cites": ["12/KH-UBND"], "signer": None, "signatures": []}


def test_body_dates_and_numbers_are_not_the_documents():
    doc = facts("BÁO CÁO\nTình hình năm 2024\n\nThực hiện Kế hoạch số 12/KH-UBND ngày 25/12/2024, Sở báo cáo.\n"
                "Hà Nội, ngày 1 tháng 1 năm 2025 là ngày tổ chức hội nghị.\n")
    assert (doc.number, doc.date, doc.place) == (None, None, None)
    assert doc.type == "Báo cáo" and doc.cites == ["12/KH-UBND"]


@pytest.mark.parametrize(("line", "place", "iso"), [
    ("Hà Nội, ngày 25 tháng 12 năm 2024", "Hà Nội", "2024-12-25"),
    ("TP. Hồ Chí Minh, ngày 3 tháng 1 năm 2025", "TP. Hồ Chí Minh", "2025-01-03"),
    ("Bà Rịa - Vũng Tàu, ngày 09/01/2025", "Bà Rịa - Vũng Tàu", "2025-01-09"),
    ("Đắk Lắk, ngày 30.12.2024", "Đắk Lắk", "2024-12-30"),
    ("Ngày 26 tháng 12 năm 2024", None, "2024-12-26"),
    ("Số: 12/BC-UBND Thái Bình, ngày 25 tháng 12 năm 2024", "Thái Bình", "2024-12-25"),
])
def test_place_and_date_lines(line, place, iso):
    found = place_date(line)
    assert (found.place, found.date) == (place, iso)


@pytest.mark.parametrize("line", [
    "Hà Nội, ngày 31 tháng 2 năm 2024",  # no such day
    "Hà Nội, ngày    tháng   năm 2024",  # left blank for the signing day
    "Thực hiện Công văn số 5422/BTTTT-CBC ngày 19/12/2024 của Bộ",
    "Ngày 20/12/2024, Sở đã tổ chức hội nghị",
])
def test_not_a_document_date(line):
    assert place_date(line) is None


def test_number_left_blank_for_the_signing_system_keeps_its_symbol():
    assert own_number("Số:      /BC-UBND") == "/BC-UBND"
    assert own_number("Số: 49/2026/NĐ-CP") == "49/2026/NĐ-CP"
    assert own_number("Số 123 / BC-UBND") == "123/BC-UBND"
    assert own_number("Số lượt xem đạt 1/3 kế hoạch") is None


def test_cites_take_every_numbered_symbol_but_no_date_or_fraction():
    text = ("Căn cứ Quyết định số 348/QĐ-TTg ngày 06/4/2023, Nghị định 30/2020/NĐ-CP, Thông tư 01/2024/TT-BTTTT "
            "và Tờ trình số 7/TTr-UBND; đạt 1/3 kế hoạch, ngày 19/12/2024, tỷ lệ 45/100.")
    assert cited_numbers(text) == ["348/QĐ-TTg", "30/2020/NĐ-CP", "01/2024/TT-BTTTT", "7/TTr-UBND"]


def test_cites_are_listed_once_and_exclude_the_reports_own_number():
    doc = facts(PROVINCE_TEXT + "\nPHỤ LỤC\n(Kèm theo Báo cáo số 123/BC-UBND; Công văn số 5422/BTTTT-CBC)\n")
    assert doc.cites == ["5422/BTTTT-CBC", "12/KH-UBND", "348/QĐ-TTg"]


def test_signature_without_authority_needs_a_name():
    signed = facts("BÁO CÁO\nVề chuyển đổi số\n\nNội dung.\n\nTrên đây là báo cáo./.\n\nGIÁM ĐỐC\n\nLê Thị Hoa\n")
    assert signed.signer.to_json() == {"name": "Lê Thị Hoa", "position": "GIÁM ĐỐC", "authority": None}
    annex = facts("BÁO CÁO\nVề chuyển đổi số\n\nNội dung.\n\nTrên đây là báo cáo./.\n\nPHỤ LỤC\n\nBảng số liệu\n")
    assert annex.signer is None


def test_pdf_run_together_authorities_are_split():
    blocks = [para("Nội dung báo cáo dài."), para("TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH"),
              table(["Nơi nhận:", "PHÓ CHỦ TỊCH"]), table(["- Như trên;", "(Đã ký)"]), table(["- Lưu: VT.", "Phạm Văn Bình"])]
    assert document_facts(blocks).signer.to_json() == {
        "name": "Phạm Văn Bình", "position": "PHÓ CHỦ TỊCH", "authority": "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH"}


def test_decomposed_input_gives_nfc_facts():
    doc = facts(unicodedata.normalize("NFD", PROVINCE_TEXT)).to_json()
    strings = [doc["place"], doc["issuer"], doc["subject"], doc["signer"]["name"], *doc["cites"]]
    assert all(unicodedata.is_normalized("NFC", s) for s in strings)
    assert doc["place"] == "Thái Bình" and doc["cites"][0] == "5422/BTTTT-CBC"


EXPECTED_LETTER = {
    "number": "123/BC-UBND", "date": "2024-12-25", "place": "Thái Bình", "type": "Báo cáo",
    "subject": "Kết quả thực hiện Chiến lược chuyển đổi số báo chí đến năm 2025, định hướng đến năm 2030",
    "issuer": "ỦY BAN NHÂN DÂN TỈNH THÁI BÌNH", "cites": ["5422/BTTTT-CBC", "12/KH-BTB", "348/QĐ-TTg"],
    "signer": {"name": "Nguyễn Văn An", "position": "PHÓ CHỦ TỊCH", "authority": "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH"},
    "signatures": [],
}


@pytest.mark.parametrize("build", [letter_docx, letter_pdf], ids=["docx_tables", "reportlab_pdf"])
def test_two_column_letterhead_and_signature_tables(build):
    result = parsers.parse_bytes(build(Letter()), "bao-cao", NO_OUTLINE).to_json()
    assert result["document"] == EXPECTED_LETTER


def test_docx_letter_with_missing_pieces_gives_nulls():
    letter = Letter(number="", place_date="", type_line="Kính gửi: Cục Báo chí.", subject=[], signature=[""])
    doc = parsers.parse_bytes(letter_docx(letter), "thieu.docx", NO_OUTLINE).to_json()["document"]
    assert (doc["number"], doc["date"], doc["place"], doc["type"], doc["subject"], doc["signer"]) == (None,) * 6
    assert doc["issuer"] == "ỦY BAN NHÂN DÂN TỈNH THÁI BÌNH"  # the motto says it is a letterhead


def test_unreadable_file_still_has_an_empty_document():
    doc = parsers.parse_bytes(b"%PDF-1.4 garbage", "x.pdf", NO_OUTLINE).to_json()["document"]
    assert doc == {"number": None, "date": None, "place": None, "type": None, "subject": None, "issuer": None,
                   "cites": [], "signer": None, "signatures": []}


# --- real documents -------------------------------------------------------------------
KNOWN = {
    "vanbanplus__30_2020_ND_CP.docx": {"number": "30/2020/NĐ-CP", "date": "2020-03-05", "place": "Hà Nội",
                                       "type": "Nghị định", "issuer": "CHÍNH PHỦ", "signer_name": "Nguyễn Xuân Phúc"},
    "diepxuan__49-2026-ND-CP.pdf": {"number": "49/2026/NĐ-CP", "date": "2026-01-31", "place": "Hà Nội",
                                    "type": "Nghị định", "issuer": "CHÍNH PHỦ", "signer_name": "Trần Hồng Hà"},
    "diepxuan__WEBHD_INTERNET_UM_v1.0.docx": {"number": None, "date": None, "place": None, "type": None,
                                              "issuer": None, "signer_name": None},
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_corpus_documents_give_their_facts(name):
    path = CORPUS_VI / name
    if not path.exists():
        pytest.skip("the shared corpus is not here")
    doc = parsers.parse_bytes(path.read_bytes(), name, NO_OUTLINE).to_json()["document"]
    want = dict(KNOWN[name])
    assert (doc["signer"] or {}).get("name") == want.pop("signer_name")
    assert {k: doc[k] for k in want} == want
    assert all("/" in c and unicodedata.is_normalized("NFC", c) for c in doc["cites"])
