"""A scanned PDF is read by OCR within the parse's page and time limits; pages left
unread are said in the warnings, not dropped silently."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

import parsers
from parsers.limits import Limits
from parsers.ocr import has_tesseract
from parsers.pdf import ocr_budget_s

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")  # has every Vietnamese glyph
PAGES = [
    ["I. Tình hình chuyển đổi số của cơ quan báo chí trực thuộc",
     "Cơ quan đã ban hành kế hoạch chuyển đổi số năm 2023."],
    ["II. Kết quả thực hiện chuyển đổi số",
     "Doanh thu từ sản phẩm báo chí số đạt 45,6 tỷ đồng."],
]

needs_tesseract = pytest.mark.skipif(not has_tesseract(), reason="tesseract with Vietnamese data not installed")


def scanned_pdf(pages: list[list[str]]) -> bytes:
    """An image-only PDF (no text layer), one 300 dpi page per list of lines."""
    if not FONT.exists():
        pytest.skip("DejaVu Serif font not installed (fonts-dejavu-core)")
    font = ImageFont.truetype(str(FONT), 46)
    images = []
    for lines in pages:
        image = Image.new("L", (2480, 200 + len(lines) * 110), 255)
        pen = ImageDraw.Draw(image)
        for i, line in enumerate(lines):
            pen.text((200, 100 + i * 110), line, font=font, fill=0)
        images.append(image)
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=300, save_all=True, append_images=images[1:])
    return buf.getvalue()


def test_ocr_budget_leaves_room_inside_the_sandbox_timeout():
    for timeout in (5.0, 60.0, 300.0):
        assert 0 < ocr_budget_s(Limits(timeout_s=timeout)) < timeout


@needs_tesseract
def test_every_page_of_a_scanned_pdf_is_read_within_the_limits(outline):
    r = parsers.parse_bytes(scanned_pdf(PAGES), "scan.pdf", outline)
    assert r.ocr and r.pages == 2
    assert r.section("I").found and r.section("II").found
    assert not any("OCR read only" in w for w in r.warnings), r.warnings


@needs_tesseract
def test_pages_left_unread_at_the_time_limit_are_reported(outline):
    pdf = scanned_pdf(PAGES * 2)
    r = parsers.parse_bytes(pdf, "scan.pdf", outline, limits=Limits(timeout_s=0.01))
    found = [re.search(r"OCR read only (\d+) of 4 scanned pages", w) for w in r.warnings]
    counts = [int(m.group(1)) for m in found if m]
    assert r.ocr and r.pages == 4 and counts and 1 <= counts[0] < 4, r.warnings
    assert r.section("I").found  # what was read is kept
