"""parsers.vietnamese: NFC, matching folds, and TCVN3/VNI decoding of real documents.

The corpus documents (../shared/corpus/vi/viparse__*) are government papers typed
in TCVN3 or VNI; vi/ground-truth/<name>.txt is their correct Unicode transcript.
"""
from __future__ import annotations

import io
import shutil
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree
from rapidfuzz.distance import Levenshtein

from parsers.detect import detect_kind
from parsers.legacy import convert_to_docx
from parsers.vietnamese import (
    TCVN3,
    VNI,
    decode_legacy,
    decode_run,
    decode_runs,
    fold,
    font_encoding,
    is_caps_font,
    nfc,
    strip_marks,
)

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
VI = CORPUS / "vi"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# --- nfc / fold / strip_marks ---------------------------------------------------
def test_nfc_composes_decomposed_input():
    nfd = unicodedata.normalize("NFD", "Kết quả chuyển đổi số")
    assert nfd != "Kết quả chuyển đổi số"
    assert nfc(nfd) == "Kết quả chuyển đổi số"


def test_nfc_composes_tone_mark_typed_after_precomposed_vowel():
    # "ê" + combining acute, as Windows-1258 keyboards produce
    assert nfc("K\u00ea\u0301t qua\u0309") == "Kết quả"


def test_nfc_repairs_icelandic_eth_used_for_d_stroke():
    assert nfc("\u00d0iều 1") == "Điều 1"


@pytest.mark.parametrize("old, new", [
    ("hòa", "hoà"), ("Hòa Bình", "Hoà Bình"), ("thủy lợi", "thuỷ lợi"), ("khỏe", "khoẻ"),
    ("THỦY", "thuỷ"), ("lòe loẹt", "loè loẹt"), ("Khánh Hòa", "khánh hoà"),
])
def test_fold_makes_old_and_new_tone_placement_equal(old, new):
    assert fold(old) == fold(new)


def test_fold_keeps_tone_of_closed_syllables_where_it_is():
    assert fold("hoàn thành") == "hoàn thành"


@pytest.mark.parametrize("word", ["của", "múa", "lúa", "chùa", "Của", "thuở", "quý", "khuya"])
def test_fold_leaves_words_without_placement_variants_alone(word):
    """Regression: "ua" was once treated like "oa", turning "của" into "cuả"."""
    assert fold(word) == word.casefold()


def test_fold_distinguishes_different_words():
    assert fold("hòa") != fold("họa")
    assert fold("thủy") != fold("thùy")


def test_fold_casefolds_and_collapses_whitespace_of_decomposed_input():
    raw = unicodedata.normalize("NFD", "  TÌNH HÌNH\tchuyển   đổi\nSỐ ")
    assert fold(raw) == "tình hình chuyển đổi số"


def test_strip_marks_removes_every_diacritic():
    assert strip_marks("Đề xuất, kiến nghị của Sở Thông tin và Truyền thông") == \
        "De xuat, kien nghi cua So Thong tin va Truyen thong"
    assert strip_marks(unicodedata.normalize("NFD", "Đường Hồ Chí Minh")) == "Duong Ho Chi Minh"


# --- legacy decoding -------------------------------------------------------------
def test_tcvn3_text_is_detected_and_decoded():
    text, enc = decode_legacy("Hµ Néi, ngµy 22 th¸ng 11 n¨m 2002 cña Bé Tµi chÝnh ®­îc")
    assert enc == TCVN3
    assert text == "Hà Nội, ngày 22 tháng 11 năm 2002 của Bộ Tài chính được"


def test_vni_text_is_detected_and_decoded():
    text, enc = decode_legacy("Haø Noäi, ngaøy 22 thaùng 11 naêm 2002 cuûa Boä Taøi chính ñöôïc. COÄNG HOØA")
    assert enc == VNI
    assert text == "Hà Nội, ngày 22 tháng 11 năm 2002 của Bộ Tài chính được. CỘNG HÒA"


def test_unicode_vietnamese_is_left_alone():
    original = "Báo cáo kết quả: bé, kém, Hà Nội, ủy ban, được"
    assert decode_legacy(original) == (original, None)
    assert decode_legacy("Plain ASCII report, 12,5%") == ("Plain ASCII report, 12,5%", None)


def test_unicode_lines_survive_in_a_mostly_tcvn3_text():
    text, enc = decode_legacy("Hµ Néi, ngµy 22 th¸ng 11\nBáo cáo kết quả về việc\nn¨m 2002 cña Bé")
    assert enc == TCVN3
    assert text.splitlines() == ["Hà Nội, ngày 22 tháng 11", "Báo cáo kết quả về việc", "năm 2002 của Bộ"]


def test_tcvn3_capitals_font_is_upper_cased():
    assert decode_run("bé tµi chÝnh", ".VnTimeH") == ("BỘ TÀI CHÍNH", TCVN3)
    assert decode_run("céng hoµ x· héi chñ nghÜa ViÖt Nam", ".VnArialH") == \
        ("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", TCVN3)
    assert is_caps_font(".VnTimeH") and is_caps_font(".VnArialH Bold")
    assert not is_caps_font(".VnTime") and not is_caps_font("VNI-Helve")


def test_font_names_decide_the_encoding():
    assert font_encoding(".VnTime") == TCVN3
    assert font_encoding(".VnCentury Schoolbook") == TCVN3
    assert font_encoding("VNI-Times") == VNI
    assert font_encoding("Times New Roman") is None
    # one marker is too little for statistics, the font settles it
    assert decode_run("Sè", ".VnTime") == ("Số", TCVN3)
    assert decode_run("Sè", None, doc_encoding=TCVN3) == ("Số", TCVN3)


def test_run_retyped_in_unicode_keeps_its_text_despite_legacy_font():
    assert decode_run("Kết quả đạt được", ".VnTime") == ("Kết quả đạt được", None)


def test_runs_of_mixed_fonts_join_into_one_paragraph():
    text, enc = decode_runs([("III. ", "Times New Roman"), ("KÕt qu¶ ", ".VnTime"), ("®¹t ®­îc", ".VnTime")])
    assert (text, enc) == ("III. Kết quả đạt được", TCVN3)


def test_pdf_glyph_substitutes_of_tcvn3_bytes_are_decoded():
    # Acrobat Distiller turns 0xAD into U+2212 and 0xB7 into U+2219
    text, enc = decode_legacy("cña Thñ t\u2212íng ChÝnh phñ vÒ Quü b¶o l\u2219nh tÝn dông")
    assert enc == TCVN3
    assert text == "của Thủ tướng Chính phủ về Quỹ bảo lãnh tín dụng"


# --- real documents against their ground truth ------------------------------------
def _font(rpr) -> str | None:
    fonts = rpr.find(W + "rFonts") if rpr is not None else None
    return None if fonts is None else fonts.get(W + "ascii") or fonts.get(W + "hAnsi")


def _style_fonts(styles_xml: bytes):
    root = etree.fromstring(styles_xml)
    default = _font(root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr"))
    table = {}
    for style in root.iter(W + "style"):
        based = style.find(W + "basedOn")
        table[style.get(W + "styleId")] = (_font(style.find(W + "rPr")), based.get(W + "val") if based is not None else None)

    def resolve(style_id: str | None) -> str | None:
        for _ in range(20):  # basedOn chains are short; a cycle must not hang
            font, based = table.get(style_id, (None, None))
            if font or based is None:
                return font
            style_id = based
        return None
    return resolve, default


def docx_paragraph_runs(data: bytes) -> list[list[tuple[str, str | None]]]:
    """Each paragraph's (text, effective font) runs; soft hyphens kept as U+00AD."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    resolve, default = _style_fonts(zf.read("word/styles.xml"))
    paragraphs = []
    for p in etree.fromstring(zf.read("word/document.xml")).iter(W + "p"):
        pstyle = p.find(f"{W}pPr/{W}pStyle")
        pfont = resolve(pstyle.get(W + "val") if pstyle is not None else "Normal") or resolve("Normal") or default
        runs = []
        for r in p.iter(W + "r"):
            rpr = r.find(W + "rPr")
            rstyle = rpr.find(W + "rStyle") if rpr is not None else None
            font = _font(rpr) or (resolve(rstyle.get(W + "val")) if rstyle is not None else None) or pfont
            text = "".join((e.text or "") if e.tag == W + "t" else "\u00ad" if e.tag == W + "softHyphen"
                           else "\t" if e.tag == W + "tab" else "" for e in r)
            runs.append((text, font))
        paragraphs.append(runs)
    return paragraphs


def _legacy_docs() -> list[Path]:
    return sorted(VI.glob("viparse__*")) if VI.is_dir() else []


def _expected_encoding(name: str) -> str:
    manifest = (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8")
    line = next(x for x in manifest.splitlines() if x.startswith(f"vi/{name}\t"))
    return VNI if " VNI" in line else TCVN3


@pytest.fixture(scope="module")
def extracted() -> dict[str, tuple[str, object]]:
    """name -> ("pdf", raw text) or ("docx", paragraph runs); conversions run two at a time."""
    docs = _legacy_docs()
    if not docs:
        pytest.skip("corpus not present")
    if any(detect_kind(p.read_bytes()) != "pdf" for p in docs) and not shutil.which("soffice"):
        pytest.skip("LibreOffice not installed")

    def extract(path: Path):
        data = path.read_bytes()
        kind = detect_kind(data)
        if kind == "pdf":
            import pypdfium2 as pdfium
            pdf = pdfium.PdfDocument(data)
            pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
            return path.name, ("pdf", "\n".join(pages).replace("\r\n", "\n"))
        if kind != "docx":
            data = convert_to_docx(data, kind)
        return path.name, ("docx", docx_paragraph_runs(data))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(extract, docs))


def _accuracy(decoded: str, truth: str) -> float:
    # The ground truth keeps text typed in ".VnTimeH" capitals fonts lower-case (it was
    # decoded without font information), so case is left out of the comparison;
    # test_vntimeh_heading_comes_out_in_capitals checks the case separately.
    a, b = " ".join(decoded.split()).casefold(), " ".join(truth.split()).casefold()
    return Levenshtein.normalized_similarity(a, b)


def _truth(doc_name: str) -> str:
    stem = doc_name.split("__", 1)[1].rsplit(".", 1)[0]
    return (VI / "ground-truth" / f"{stem}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("doc", [p.name for p in _legacy_docs()] or ["corpus-absent"])
def test_corpus_document_decodes_to_its_ground_truth(doc, extracted):
    kind, content = extracted[doc]
    if kind == "pdf":
        text, enc = decode_legacy(content)
        encodings = {enc}
    else:
        paragraphs = [decode_runs(runs) for runs in content]
        text = "\n".join(t for t, _ in paragraphs)
        encodings = {e for _, e in paragraphs} - {None}
    assert _expected_encoding(doc) in encodings
    assert _accuracy(text, _truth(doc)) >= 0.99


@pytest.mark.parametrize("doc", [p.name for p in _legacy_docs() if p.suffix != ".pdf"] or ["corpus-absent"])
def test_corpus_document_decodes_by_statistics_alone(doc, extracted):
    """A reader that lost the font names still gets the text right."""
    _, content = extracted[doc]
    raw = "\n".join("".join(t for t, _ in runs) for runs in content)
    text, enc = decode_legacy(raw)
    assert enc == _expected_encoding(doc)
    assert _accuracy(text, _truth(doc)) >= 0.99


@pytest.mark.parametrize("doc", [p.name for p in sorted(VI.glob("vanbanplus__*.docx")) + sorted(VI.glob("diepxuan__*"))]
                         if VI.is_dir() else ["corpus-absent"])
def test_unicode_corpus_document_is_not_taken_for_legacy(doc):
    """Regression: "hoá", "xoá" in Unicode text once counted as VNI evidence,
    and a real soft hyphen beside a .VnTime run became "ư"."""
    if not VI.is_dir():
        pytest.skip("corpus not present")
    data = (VI / doc).read_bytes()
    if doc.endswith(".pdf"):
        import pypdfium2 as pdfium
        pdf = pdfium.PdfDocument(data)
        text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        assert decode_legacy(text) == (nfc(text), None)
        return
    paragraphs = docx_paragraph_runs(data)
    assert [decode_runs(runs) for runs in paragraphs if decode_runs(runs)[1]] == []
    raw = "\n".join("".join(t for t, _ in runs) for runs in paragraphs)
    assert decode_legacy(raw)[1] is None


def test_vntimeh_heading_comes_out_in_capitals(extracted):
    _, content = extracted["viparse__2003-02144qd.doc"]
    lines = [decode_runs(runs)[0] for runs in content]
    lines = [" ".join(line.split()) for line in lines]
    assert any("BỘ TÀI CHÍNH" in line and "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" in line for line in lines)
    assert any("QUYẾT ĐỊNH CỦA BỘ TRƯỞNG BỘ TÀI CHÍNH" in line for line in lines)
