"""The common block model every backend produces, and the text helpers they share.

A backend (docx, pdf, text, ...) turns a document into a flat list of `Block`s in
reading order. `outline.py` then decides which blocks are headings of which
outline node. Blocks carry the layout clues that decide that: style level,
bold, font size, the auto-numbering label, the page.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

HEADING, PARAGRAPH, TABLE = "heading", "paragraph", "table"


@dataclass
class Block:
    """One paragraph, heading or table of a document, in reading order."""

    kind: str  # HEADING | PARAGRAPH | TABLE
    text: str = ""
    level: int | None = None  # heading/outline level from the style (1 = top), if any
    style: str = ""
    bold: bool = False  # the whole text is bold
    bold_prefix: int = 0  # length of the leading bold run(s) in `text` (run-in headings)
    font_size: float | None = None
    numbering: str = ""  # auto-numbering label computed from numbering.xml, e.g. "I.", "1."
    page: int | None = None
    centered: bool = False
    rows: list[list[str]] = field(default_factory=list)  # TABLE only

    @property
    def full_text(self) -> str:
        """The text as a reader sees it: auto-numbering label included."""
        if self.kind == TABLE:
            return table_text(self.rows)
        if self.numbering:
            return f"{self.numbering} {self.text}".strip()
        return self.text


def table_text(rows: Iterable[Iterable[str]]) -> str:
    """Contract form of a table: cells joined by ' | ', rows by newlines."""
    return "\n".join(" | ".join(c for c in row) for row in rows)


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\u00ad]")
_CONTROL_KEEP_SHY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]")


_VN: list = []


def _vn():
    """parsers.vietnamese (NFC, folding, legacy decoding); None if it cannot be imported."""
    if not _VN:
        try:
            from parsers import vietnamese  # noqa: PLC0415
        except Exception:  # pragma: no cover - depends on the other module's state
            vietnamese = None
        _VN.append(vietnamese)
    return _VN[0]


def nfc(s: str) -> str:
    vn = _vn()
    if vn is not None and hasattr(vn, "nfc"):
        return vn.nfc(s)
    return unicodedata.normalize("NFC", s)


def clean(s: str, keep_shy: bool = False) -> str:
    """NFC, control characters dropped, runs of spaces collapsed, trimmed.

    keep_shy: keep U+00AD, which in TCVN3 text not yet decoded is the letter "ư".
    """
    s = (_CONTROL_KEEP_SHY if keep_shy else _CONTROL).sub("", nfc(s))
    return _SPACES.sub(" ", s).strip()


# Tone placement variants: old style (hòa, thủy) vs new style (hoà, thuỷ).
_TONE_FOLD = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
_TONE_RE = re.compile("|".join(_TONE_FOLD))


def fold(s: str) -> str:
    """NFC + lowercase + tone-placement folding, for matching only."""
    vn = _vn()
    if vn is not None and hasattr(vn, "fold"):
        return vn.fold(s)
    s = unicodedata.normalize("NFC", s).lower()
    return _TONE_RE.sub(lambda m: _TONE_FOLD[m.group(0)], s)


def strip_marks(s: str) -> str:
    """All diacritics removed, đ → d (OCR-tolerant matching)."""
    vn = _vn()
    if vn is not None and hasattr(vn, "strip_marks"):
        return vn.strip_marks(s)
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return s.replace("đ", "d").replace("Đ", "D")


_VI_LETTERS = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


def vietnamese_ratio(s: str) -> float:
    """Share of letters that only Vietnamese uses (0 for English or Russian text)."""
    letters = [c for c in s.lower() if c.isalpha()]
    return sum(1 for c in letters if c in _VI_LETTERS) / len(letters) if letters else 0.0


def decode_legacy(text: str, fonts: Iterable[str] = ()) -> tuple[str, str | None]:
    """TCVN3/VNI text → Unicode via parsers.vietnamese; unchanged when unavailable.

    Without a legacy font name, statistics alone decide; we accept their verdict
    only when the result reads as Vietnamese, so English or Russian text that
    happens to contain TCVN3-like bytes is left alone.
    """
    vn = _vn()
    if vn is None or not hasattr(vn, "decode_legacy"):
        return text, None
    fonts = [f for f in fonts if f]
    try:
        out, enc = vn.decode_legacy(text, fonts)
    except Exception:  # a decoder bug must not lose the document
        return text, None
    if enc and not fonts and vietnamese_ratio(out) < max(0.08, vietnamese_ratio(text) + 0.05):
        return nfc(text), None
    return out, enc


def decode_run(text: str, font: str | None, doc_encoding: str | None = None) -> tuple[str, str | None]:
    """One run whose font is known (TCVN3/VNI fonts decide the encoding)."""
    vn = _vn()
    if vn is not None and hasattr(vn, "decode_run"):
        try:
            return vn.decode_run(text, font, doc_encoding)
        except Exception:  # a decoder bug must not lose the document
            return text, None
    return decode_legacy(text, [font] if font else [])


def is_upper_text(s: str) -> bool:
    """True when the letters of `s` are (nearly) all capitals: 'TÌNH HÌNH ...'."""
    letters = [c for c in s if c.isalpha()]
    if len(letters) < 4:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper >= 0.9 * len(letters)
