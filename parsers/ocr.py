"""OCR of scanned reports: images and image-only PDFs, through Tesseract (vie).

Tesseract runs as a subprocess per page (stdin → stdout), so a crash or a hang
costs one page, not the service; pages are rendered one at a time so memory
stays bounded whatever the page count. Pure otherwise: bytes in, text out.
"""
from __future__ import annotations

import functools
import io
import os
import re
import shutil
import subprocess
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

import pypdfium2 as pdfium
from PIL import Image

from parsers.vietnamese import nfc

DPI = 300
LANG = "vie"
# Page segmentation 3 (automatic, columns allowed) suits letter-style reports,
# whose Decree 30 header sits in two columns.
PSM = "3"
MAX_PIXELS = 60_000_000  # ~ A3 at 300 dpi; larger pages are rendered smaller
PAGE_TIMEOUT_S = 120.0
# Measured here: one A4 page takes 2.1 s with one OpenMP thread and 11 s with
# two (thread contention), so each Tesseract gets one thread and two pages run
# side by side instead.
PARALLEL_PAGES = 2


class OcrFailed(Exception):
    """Tesseract is missing or failed on a page; `reason` says why, in English."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@functools.lru_cache(maxsize=1)
def has_tesseract(lang: str = LANG) -> bool:
    """True when the tesseract binary and its `lang` model are installed."""
    exe = shutil.which("tesseract")
    if not exe:
        return False
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return lang in out.stdout.split()


def _tesseract(png: bytes, timeout_s: float) -> str:
    if not has_tesseract():
        raise OcrFailed("OCR unavailable: tesseract with Vietnamese (vie) data is not installed")
    try:
        done = subprocess.run(["tesseract", "stdin", "stdout", "-l", LANG, "--psm", PSM],
                              input=png, capture_output=True, timeout=timeout_s,
                              env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    except subprocess.TimeoutExpired:
        raise OcrFailed(f"OCR of a page did not finish within {timeout_s:.0f} s") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise OcrFailed(f"tesseract failed on a page (exit {done.returncode}) {detail[0][:200]}".strip())
    return fix_ocr_text(done.stdout.decode("utf-8", "replace"))


def _png(image: Image.Image) -> bytes:
    gray = image.convert("L")
    if gray.width * gray.height > MAX_PIXELS:
        scale = (MAX_PIXELS / (gray.width * gray.height)) ** 0.5
        gray = gray.resize((max(1, int(gray.width * scale)), max(1, int(gray.height * scale))))
    buf = io.BytesIO()
    gray.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def ocr_image(data: bytes, max_pages: int = 50, timeout_s: float = PAGE_TIMEOUT_S) -> str:
    """OCR an image file (PNG, JPEG, TIFF — every frame of a multi-page TIFF)."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS * 4  # refuse decompression bombs outright
    try:
        image = Image.open(io.BytesIO(data))
        texts = []
        for frame in range(min(getattr(image, "n_frames", 1), max_pages)):
            image.seek(frame)
            texts.append(_tesseract(_png(image), timeout_s))
    except (Image.DecompressionBombError, OSError, ValueError, SyntaxError) as exc:
        raise OcrFailed(f"cannot read the image ({exc})") from None
    return "\n\n".join(texts)


def _open_pdf(data: bytes):
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise OcrFailed(f"cannot open the PDF ({exc})") from None


def _render_png(pdf, index: int) -> bytes:
    page = pdf[index]
    try:
        width, height = page.get_size()
        scale = DPI / 72
        pixels = width * height * scale * scale
        if pixels > MAX_PIXELS:
            scale *= (MAX_PIXELS / pixels) ** 0.5
        bitmap = page.render(scale=scale, grayscale=True)
        try:
            return _png(bitmap.to_pil())
        finally:
            bitmap.close()
    finally:
        page.close()


def ocr_pdf(data: bytes, max_pages: int = 50, timeout_s: float = PAGE_TIMEOUT_S,
            budget_s: float | None = None) -> list[str]:
    """OCR each page of a (scanned) PDF; returns one text per page, at most max_pages.

    Pages are rendered one at a time (PDFium is not thread-safe) while up to
    PARALLEL_PAGES Tesseract processes read the previous ones. With `budget_s`
    no new page is started once that many seconds have passed: the caller
    gets the pages read so far (fewer texts than pages) instead of nothing.
    """
    pdf = _open_pdf(data)
    started = time.monotonic()
    texts: list[str] = []
    pending: deque[Future[str]] = deque()
    try:
        with ThreadPoolExecutor(max_workers=PARALLEL_PAGES) as pool:
            for index in range(min(len(pdf), max_pages)):
                if budget_s is not None and time.monotonic() - started > budget_s:
                    break
                if len(pending) >= PARALLEL_PAGES:
                    texts.append(pending.popleft().result())
                pending.append(pool.submit(_tesseract, _render_png(pdf, index), timeout_s))
            while pending:
                texts.append(pending.popleft().result())
    finally:
        for future in pending:
            future.cancel()
        pdf.close()
    return texts


def pdf_has_text_layer(data: bytes, sample_pages: int = 5, min_chars_per_page: int = 50) -> bool:
    """False for a scanned PDF: its first pages carry (almost) no text.

    A signed scan often carries only the signature stamp as text, hence the
    per-page threshold rather than "any text at all".
    """
    pdf = _open_pdf(data)
    try:
        pages = min(len(pdf), sample_pages)
        if pages == 0:
            return False
        chars = 0
        for index in range(pages):
            page = pdf[index]
            textpage = page.get_textpage()
            chars += sum(1 for c in textpage.get_text_range() if not c.isspace())
            textpage.close()
            page.close()
        return chars >= min_chars_per_page * pages / 2
    finally:
        pdf.close()


# "II." read as "IL.", "Il.", "I1.", "ll.", "HI." — Roman numerals of outline headings.
_ROMAN_LIKE = re.compile(r"^(\s*(?:Phần|PHẦN|Mục|MỤC)?\s*)([IVXLl1|H]{2,5})(?=[.):]\s)", re.MULTILINE)
_ROMAN = re.compile(r"^(?:X|IX|IV|V?I{0,3})$")
# A heading's arabic number with OCR noise: "1, Việc", "2... Đầu tư", "4. __ Bài học".
_NUMBER_NOISE = re.compile(r"^(\s*\d{1,2})(?:,|\.{2,}|\.\s*[_~]+)(\s+)(?=(\w))", re.MULTILINE)
# A letter label's "g)" read as "ø)".
_LETTER_NOISE = re.compile(r"^(\s*)ø(?=\)\s)", re.MULTILINE)
# A letter label whose ")" OCR dropped: "d Bài học kinh nghiệm" (no Vietnamese word is one
# lower-case ASCII letter, so a line never starts so but for a label).
_BARE_LETTER = re.compile(r"^(\s*[a-zđ])(\s+)(?=(\w))", re.MULTILINE)
_LETTER_SEP = re.compile(r"^\s*[a-zđ]([).])\s", re.MULTILINE)
# "d)" or "đ)" read with both letters: "đd)"; which one, the label before it tells.
_D_STROKE = re.compile(r"^(\s*)(?:đd|dđ)(?=\)\s)")
_LETTER_AT = re.compile(r"^\s*([a-zđ])\)\s")
# The initial "Ng" split ("N ghệ An", "N gày"): no Vietnamese word is a lone "N".
_SPLIT_NG = re.compile(r"(?<![\w.-])N (g\w)")
# Syllables the vie model misreads that no Vietnamese word has: "nền tẳng" is "nền tảng".
_NON_WORDS = re.compile(r"\b(t)ẳng\b", re.IGNORECASE)
_WORD = re.compile(r"(\W*)(\w+)(\W*)")
_END = (".", "!", "?", ":", ";")


def _roman(m: re.Match[str]) -> str:
    token = m.group(2)
    if _ROMAN.match(token) or token.isdigit():
        return m.group(0)
    fixed = re.sub(r"[Ll1|]", "I", token.replace("H", "II"))
    return m.group(1) + fixed if _ROMAN.match(fixed) else m.group(0)


def _number(m: re.Match[str]) -> str:
    return m.group(1) + "." + m.group(2) if m.group(3).isupper() else m.group(0)


def _letter_labels(text: str) -> str:
    """Give bare letter labels back the separator the text's other letter labels use."""
    seps = _LETTER_SEP.findall(text)
    sep = "." if seps.count(".") > seps.count(")") else ")"
    return _BARE_LETTER.sub(lambda m: m.group(1) + sep + m.group(2) if m.group(3).isupper() else m.group(0), text)


def _d_or_stroke_d(text: str) -> str:
    lines, prev = text.split("\n"), ""
    for i, line in enumerate(lines):
        m = _D_STROKE.match(line)
        if m:
            lines[i] = line = m.group(1) + ("đ" if prev == "d" else "d") + line[m.end():]
        prev = (_LETTER_AT.match(line) or [None, prev])[1]
    return "\n".join(lines)


def _marked_capital(word: str) -> bool:
    """A capital vowel with a Vietnamese mark (Ố, Ệ, Ỷ …): the vie model's favourite slip."""
    return any(c.isupper() and not c.isascii() and c != "Đ" for c in word)


def _caps_word(word: str) -> bool:
    return len(word) > 1 and word.isupper()


def _fix_case(line: str) -> str:
    """Capitals the vie model puts into lower-case text: "sỐ" → "số", "HỆ thống" → "Hệ thống".

    Only capitals carrying a Vietnamese mark are touched (no brand or acronym writes
    "VnExpress" with them), and an all-capital word only among lower-case words, so
    headings and letterheads in capitals stay as they are."""
    parts = re.split(r"(\s+)", line)
    words = [_WORD.fullmatch(p) for p in parts]
    for i, m in enumerate(words):
        if not m or not _marked_capital(w := m.group(2)):
            continue
        if any(c.islower() for c in w):  # "sỐ", "tuỆ", "đỘ"
            w = w[0] + w[1:].lower()
        else:
            prev = next((x for x in reversed(words[:i]) if x), None)
            nxt = next((x for x in words[i + 1:] if x), None)
            around = [x.group(2) for x in (prev, nxt) if x]
            if not any(c.islower() for a in around for c in a) or any(_caps_word(a) for a in around):
                continue
            lower = (prev and prev.group(2)[0].islower() and not prev.group(0).endswith(_END)
                     and not (nxt and nxt.group(2)[0].isupper()))
            w = w.lower() if lower else w[0] + w[1:].lower()
        parts[i] = m.group(1) + w + m.group(3)
    return "".join(parts)


def fix_ocr_text(text: str) -> str:
    """NFC; heading numbers and labels repaired from common OCR confusions; stray capitals
    inside lower-case text lowered."""
    text = _ROMAN_LIKE.sub(_roman, nfc(text))
    text = _letter_labels(_d_or_stroke_d(_LETTER_NOISE.sub(r"\1g", _NUMBER_NOISE.sub(_number, text))))
    text = _NON_WORDS.sub(lambda m: m.group(1) + "ảng", _SPLIT_NG.sub(r"N\1", text))
    return "\n".join(_fix_case(line) if _marked_capital(line) else line for line in text.split("\n"))
