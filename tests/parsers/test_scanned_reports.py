"""Scanned reports: a development-set report printed, scanned (200 dpi grey, a little
skewed, noisy and soft) into a PDF without a text layer, parsed through OCR.

`scan_pdf` is also bench/parse.py's scanner (`--scans`)."""
from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageChops, ImageFilter

import parsers
from parsers.ocr import fix_ocr_text, has_tesseract, pdf_has_text_layer

PAPER = 242  # a scanner's white is a light grey


def scan_page(page: Image.Image, rng: random.Random) -> Image.Image:
    """One rendered page as a flatbed scanner gives it back: grey, turned 0.5–1°, soft, grainy."""
    grey = page.convert("L").point(lambda v: PAPER * v // 255)
    angle = rng.choice((-1, 1)) * rng.uniform(0.5, 1.0)
    turned = grey.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=PAPER)
    soft = turned.filter(ImageFilter.GaussianBlur(0.6))
    grain = Image.frombytes("L", soft.size, rng.randbytes(soft.width * soft.height)).point(lambda v: v // 8)
    return ImageChops.add(soft, grain, scale=1.0, offset=-16)


def scan_pdf(pdf: bytes, seed: int = 0, dpi: int = 200, max_pages: int | None = None) -> bytes:
    """An image-only PDF (JPEG pages, as scanners write them) of each page of `pdf`."""
    import pypdfium2 as pdfium

    rng = random.Random(seed)
    doc = pdfium.PdfDocument(pdf)
    try:
        pages = []
        for i in range(min(len(doc), max_pages or len(doc))):
            bitmap = doc[i].render(scale=dpi / 72, grayscale=True)
            pages.append(scan_page(bitmap.to_pil(), rng))
    finally:
        doc.close()
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=float(dpi))
    return buf.getvalue()



# ---- what OCR of the scanned development set got wrong (bench/parse.py --scans) ----------

@pytest.mark.parametrize("raw, fixed", [
    ("04 nhiệm vụ đang triển khai đúng tiến đỘ.", "04 nhiệm vụ đang triển khai đúng tiến độ."),
    ("nền tảng số đạt trên 90% tổng sỐ tin", "nền tảng số đạt trên 90% tổng số tin"),
    ("ứng dụng trí tuỆ nhân tạo", "ứng dụng trí tuệ nhân tạo"),
])
def test_marked_capital_inside_a_lower_case_word_is_lowered(raw, fixed):
    assert fix_ocr_text(raw) == fixed


@pytest.mark.parametrize("raw, fixed", [
    ("HỆ thống lưu trữ dữ liệu", "Hệ thống lưu trữ dữ liệu"),
    ("TỶ lệ tin bài được xuất bản", "Tỷ lệ tin bài được xuất bản"),
    ("Theo BỘ chỉ số tại Quyết định", "Theo Bộ chỉ số tại Quyết định"),
    ("kính gửi BỘ Thông tin và Truyền thông", "kính gửi Bộ Thông tin và Truyền thông"),
    ("thực hiện Chiến lược chuyển đổi SỐ", "thực hiện Chiến lược chuyển đổi số"),
])
def test_all_capital_word_read_among_lower_case_words_is_lowered(raw, fixed):
    assert fix_ocr_text(raw) == fixed


@pytest.mark.parametrize("raw, fixed", [
    ("Tạp chí Văn hóa N ghệ An.", "Tạp chí Văn hóa Nghệ An."),
    ("N gày 15/3/2023, Báo Nghệ An", "Ngày 15/3/2023, Báo Nghệ An"),
    ("đạt trên 90% trên nền tẳng số", "đạt trên 90% trên nền tảng số"),
])
def test_split_initial_ng_and_misread_tang_are_repaired(raw, fixed):
    assert fix_ocr_text(raw) == fixed


@pytest.mark.parametrize("text", ["chẳng hạn, đường thẳng", "điểm N, cực N và trục N-S", "mã QĐ-N gồm", "tầng, tăng"])
def test_words_like_the_ng_and_tang_misreads_are_left_alone(text):
    assert fix_ocr_text(text) == text


@pytest.mark.parametrize("text", [
    "I. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CƠ QUAN BÁO CHÍ",
    "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN",
    "Nơi nhận: TM. ỦY BAN NHÂN DÂN",
    "- Chủ tịch, các PCT UBND tỉnh; PHÓ CHỦ TỊCH",
    "Số: 1234/BC-UBND ngày 27/12/2024 của UBND tỉnh",
    "Báo VnExpress và TikTok, YouTube",
])
def test_capitals_of_headings_letterheads_and_acronyms_stay(text):
    assert fix_ocr_text(text) == text


@pytest.mark.parametrize("raw, fixed", [
    ("HI. Kết quả triển khai Kế hoạch", "III. Kết quả triển khai Kế hoạch"),
    ("1, Việc ban hành Kế hoạch", "1. Việc ban hành Kế hoạch"),
    ("2... Đầu tư trang thiết bị", "2. Đầu tư trang thiết bị"),
    ("4. __ Bài học kinh nghiệm", "4. Bài học kinh nghiệm"),
    ("ø) Đánh giá mức độ trưởng thành", "g) Đánh giá mức độ trưởng thành"),
    ("c) Hạn chế và nguyên nhân\nd Bài học kinh nghiệm: Người", "c) Hạn chế và nguyên nhân\nd) Bài học kinh nghiệm: Người"),
    ("a. Kết quả triển khai\nb Ưu điểm, thuận lợi", "a. Kết quả triển khai\nb. Ưu điểm, thuận lợi"),
    ("c) Hạn chế\nđd) Bài học kinh nghiệm", "c) Hạn chế\nd) Bài học kinh nghiệm"),
    ("d) Ứng dụng công nghệ\nxây dựng\ndđ) Kết quả phản hồi", "d) Ứng dụng công nghệ\nxây dựng\nđ) Kết quả phản hồi"),
])
def test_ocr_noise_in_heading_labels_is_repaired(raw, fixed):
    assert fix_ocr_text(raw) == fixed


@pytest.mark.parametrize("text", ["1, 2 và 3 là các nhiệm vụ", "3, ưu điểm", "H. Nguyễn Văn A", "l) mục cuối",
                                  "2. Đầu tư", "Phần H. Kết",
                                  "y tế cơ sở", "a\nb"])
def test_numbers_and_letters_that_are_no_ocr_noise_are_left_alone(text):
    assert fix_ocr_text(text) == text


def test_letter_label_g_read_as_o_slash_still_starts_section_i7(outline):
    text = ("I. Tình hình chuyển đổi số của cơ quan báo chí trực thuộc\n\n"
            "e) Kết quả tăng trưởng doanh thu từ sản phẩm báo chí số: Doanh thu đạt 45,6 tỷ đồng.\n\n"
            "ø) Đánh giá mức độ trưởng thành chuyển đổi số báo chí: Báo tự đánh giá đạt 72/100 điểm.\n\n"
            "II. Kết quả thực hiện nhiệm vụ được giao tại Chiến lược chuyển đổi số báo chí\n")
    report = parsers.parse_text(fix_ocr_text(text), outline)
    assert report.section("I.7").found and "72/100 điểm" in report.section("I.7").text
    assert "72/100" not in report.section("I.6").text


# ---- a report printed, scanned and parsed (OCR: slow, so two short documents) -----------

SCANNED_SHAPES = ("bold_normal", "letter_runin")  # roman + "1." headings; "a)" run-in headings


def _ws(s: str) -> str:
    return " ".join(s.split())


@pytest.fixture(scope="module")
def scanned(outline):
    """Each shape as a two-page report (one key sentence per section) drawn by reportlab,
    scanned, parsed as the sandbox parses an attachment: (doc, scan bytes, report)."""
    if not has_tesseract():
        pytest.skip("tesseract with Vietnamese data not installed")
    from dataclasses import replace

    from gen import SHAPES
    from gen.content import REPORT

    from bot.demo.docspec import build
    from bot.demo.render_flat import render_pdf

    short = replace(REPORT, body={node: sentences[:1] for node, sentences in REPORT.body.items()})
    by_name = {s.name: s for s in SHAPES}
    out = []
    for seed, name in enumerate(SCANNED_SHAPES):
        doc = build(replace(by_name[name], body_lists=False), short, outline)
        scan = scan_pdf(render_pdf(doc), seed=seed, max_pages=2)
        out.append((doc, scan, parsers.parse_bytes(scan, f"{name}.scan.pdf", outline)))
    return out


def test_scan_has_no_text_layer_and_is_read_by_ocr(scanned):
    for doc, scan, report in scanned:
        assert not pdf_has_text_layer(scan)
        assert report.ocr and report.pages == 2 and not report.warnings, (doc.shape.name, report.warnings)


def test_scanned_report_finds_every_top_level_section(scanned, outline):
    for doc, _, report in scanned:
        tops = [n.id for n in outline.children(None)]
        assert [i for i in tops if not report.section(i).found] == [], doc.shape.name
        assert report.completeness >= 0.9, (doc.shape.name, report.missing)


def test_scanned_report_places_key_sentences_in_their_sections(scanned):
    for doc, _, report in scanned:
        texts = {s.id: _ws(s.text) for s in report.sections}
        wrong = []
        for sentence, ids in doc.expected.items():
            where = {sid for sid, t in texts.items() if _ws(sentence) in t}
            if not (where and where <= ids):
                wrong.append((sorted(ids), sorted(where), sentence[:50]))
        assert len(wrong) <= 0.1 * len(doc.expected), (doc.shape.name, wrong)


def test_scanned_letterhead_and_signature_land_in_no_section(scanned):
    from gen.content import CLOSING, PREAMBLE, REPORT

    for doc, _, report in scanned:
        body = " ".join(_ws(s.text) for s in report.sections)
        assert [line for line in PREAMBLE + CLOSING if _ws(line) in body] == [], doc.shape.name
        for word in ("Nơi nhận", "Kính gửi", "Độc lập - Tự do", REPORT.issuer.signer):
            assert word not in body, (doc.shape.name, word)
