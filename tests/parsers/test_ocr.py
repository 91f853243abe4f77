"""parsers.ocr: Tesseract (vie) on report pages drawn here, and on a real scanned decree."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from parsers.ocr import OcrFailed, fix_ocr_text, has_tesseract, ocr_image, ocr_pdf, pdf_has_text_layer

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")  # has every Vietnamese glyph
HEADINGS = [
    "I. Tình hình chuyển đổi số của cơ quan báo chí",
    "II. Kết quả thực hiện các nhiệm vụ",
    "III. Khó khăn, vướng mắc và nguyên nhân",
    "IV. Đề xuất, kiến nghị",
]
PAGE = [
    "BÁO CÁO",
    "Kết quả thực hiện Chiến lược chuyển đổi số báo chí",
    HEADINGS[0],
    "1. Việc ban hành Kế hoạch chuyển đổi số",
    "Cơ quan đã ban hành kế hoạch số 12/KH-BĐT ngày 15 tháng 3 năm 2024.",
    HEADINGS[1],
    "Doanh thu từ sản phẩm báo chí số đạt 45,6 tỷ đồng, tăng 12,5%.",
    "Lượt truy cập trong năm đạt 1.234.567 lượt, lượt tương tác 350 nghìn.",
    HEADINGS[2],
    "Nguồn nhân lực số còn thiếu; hạ tầng kỹ thuật chưa đồng bộ.",
    HEADINGS[3],
    "Đề nghị Bộ Thông tin và Truyền thông hỗ trợ đào tạo.",
]

pytestmark = pytest.mark.skipif(not has_tesseract(), reason="tesseract with Vietnamese data not installed")


def draw_page(lines: list[str], size: int = 46) -> Image.Image:
    """An A4-wide page at 300 dpi, ~13 pt text, as a scanner would give it."""
    if not FONT.exists():
        pytest.skip("DejaVu Serif font not installed (fonts-dejavu-core)")
    font = ImageFont.truetype(str(FONT), size)
    image = Image.new("L", (2480, 200 + len(lines) * 110), 255)
    pen = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        pen.text((200, 100 + i * 110), line, font=font, fill=0)
    return image


def encode(image: Image.Image, fmt: str, **opts) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **opts)
    return buf.getvalue()


def accuracy(found: str, expected: str) -> float:
    return Levenshtein.normalized_similarity(" ".join(found.split()), " ".join(expected.split()))


def assert_headings_read(text: str) -> None:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for heading in HEADINGS:
        best = max(fuzz.ratio(heading, line) for line in lines)
        assert best >= 90, (heading, lines)


@pytest.fixture(scope="module")
def page_png() -> bytes:
    return encode(draw_page(PAGE), "PNG")


def test_image_ocr_recovers_vietnamese_report_text(page_png):
    text = ocr_image(page_png)
    assert accuracy(text, "\n".join(PAGE)) >= 0.90
    assert_headings_read(text)
    assert "Kết quả thực hiện các nhiệm vụ" in text


def test_scanned_pdf_has_no_text_layer_and_is_read_by_ocr(page_png):
    pdf = encode(Image.open(io.BytesIO(page_png)), "PDF", resolution=300)
    assert not pdf_has_text_layer(pdf)
    pages = ocr_pdf(pdf, max_pages=5)
    assert len(pages) == 1
    assert accuracy(pages[0], "\n".join(PAGE)) >= 0.90
    assert_headings_read(pages[0])


def test_ocr_pdf_stops_at_max_pages():
    small = draw_page(["Trang một"], size=60)
    pdf = encode(small, "PDF", resolution=300, save_all=True, append_images=[small.copy(), small.copy()])
    assert len(ocr_pdf(pdf, max_pages=2)) == 2


def test_multipage_tiff_is_read_frame_by_frame():
    first, second = draw_page(["Trang một"], 60), draw_page(["Trang hai"], 60)
    text = ocr_image(encode(first, "TIFF", save_all=True, append_images=[second]))
    assert "một" in text and "hai" in text


def test_unreadable_image_fails_with_a_reason():
    with pytest.raises(OcrFailed, match="cannot read the image"):
        ocr_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)


def test_text_pdf_from_word_has_a_text_layer():
    path = CORPUS / "vi" / "diepxuan__49-2026-ND-CP.pdf"
    if not path.exists():
        pytest.skip("corpus not present")
    assert pdf_has_text_layer(path.read_bytes())


def test_signed_scan_with_only_a_stamp_as_text_is_read_by_ocr():
    path = CORPUS / "vi" / "diepxuan__199-ndcp.signed.pdf"
    if not path.exists():
        pytest.skip("corpus not present")
    data = path.read_bytes()
    assert not pdf_has_text_layer(data)
    first = ocr_pdf(data, max_pages=1)[0]
    for phrase in ("CHÍNH PHỦ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                   "NGHỊ ĐỊNH", "Điều 1. Phạm vi điều chỉnh"):
        assert phrase in first


@pytest.mark.parametrize("raw, fixed", [
    ("IL. Kết quả thực hiện", "II. Kết quả thực hiện"),
    ("Il. Kết quả", "II. Kết quả"),
    ("lII. Khó khăn", "III. Khó khăn"),
    ("Ill. Khó khăn", "III. Khó khăn"),
    ("I1) Nội dung", "II) Nội dung"),
    ("PHẦN lI. KẾT QUẢ", "PHẦN II. KẾT QUẢ"),
])
def test_ocr_confusions_in_roman_heading_numbers_are_repaired(raw, fixed):
    assert fix_ocr_text(raw) == fixed


@pytest.mark.parametrize("text", ["1. Việc ban hành", "11. Nhiệm vụ", "IV. Đề xuất", "XL. nothing", "Illinois. Ok"])
def test_real_numbers_and_words_are_left_alone(text):
    assert fix_ocr_text(text) == text
