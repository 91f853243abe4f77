"""Heading labels ("I.", "Phần II", "PHẦN THỨ NHẤT", "1.", "1)", "1.1.", "a)", "-")
and the similarity of a heading's wording to an outline title.

Pure functions; `outline.py` uses them to score heading candidates.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from parsers.vietnamese import fold, strip_marks

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_ORDINALS = {
    "nhất": 1, "một": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5,
    "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10,
}
_LETTERS = "abcdđefghiklmnopqrstuvxy"


def roman_value(s: str) -> int | None:
    s = s.upper()
    if not s or any(c not in _ROMAN for c in s):
        return None
    total, prev = 0, 0
    for c in reversed(s):
        v = _ROMAN[c]
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total if 0 < total < 40 and to_roman(total) == s else None


def to_roman(n: int) -> str:
    out = []
    for v, sym in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out.append(sym)
            n -= v
    return "".join(out)


@dataclass(frozen=True)
class Label:
    kind: str  # part | roman | multi | arabic | letter | bullet | ""
    nums: tuple[int, ...] = ()
    sep: str = ""  # "." or ")" ... distinguishes "1." from "1)" lists
    raw: str = ""

    @property
    def signature(self) -> str:
        return f"{self.kind}{self.sep}"


NO_LABEL = Label("")

_PART = re.compile(
    r"^(phần|chương|mục)\s+(thứ\s+)?([ivxlc]+|\d{1,2}|nhất|một|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|mười)\b\s*[.:\-–—]?\s*",
    re.IGNORECASE,
)
# Roman numerals, tolerating OCR's "IL." / "Il." / "I1." for "II.".
_ROMAN_RE = re.compile(r"^([IVXLC][IVXLCl1|]{0,4})\s*([.:)\-–—])\s*(?=\S)")
_MULTI = re.compile(r"^(\d{1,2}(?:\s?\.\s?\d{1,2}){1,3})\s*([.):\-–—]?)\s+(?=\D)")
_ARABIC = re.compile(r"^(\d{1,2})\s*([.):/\-–—])\s*(?=[^\d\s.,])")
_LETTER = re.compile(r"^([a-zđ])\s*([).])\s*(?=\S)")
_BULLET = re.compile(r"^([-–—+•*·▪●○◦►✓]+)\s*(?=\S)")


def _ocr_roman(token: str) -> int | None:
    v = roman_value(token)
    if v is None and any(c in "IVX" for c in token):
        v = roman_value(re.sub(r"[l1|L]", "I", token))
    return v


def parse_label(text: str) -> tuple[Label, str]:
    """Split a leading label off `text`: ("III. Kết quả" → roman (3,), "Kết quả")."""
    m = _PART.match(text)
    if m:
        tok = m.group(3).lower()
        n = _ORDINALS.get(tok) or (int(tok) if tok.isdigit() else roman_value(tok.upper()))
        if n:
            return Label("part", (n,), "", m.group(0).strip()), text[m.end():]
    m = _ROMAN_RE.match(text)
    if m:
        v = _ocr_roman(m.group(1))
        if v is not None and not (m.group(1) in ("C", "L") and m.group(2) != "."):
            return Label("roman", (v,), m.group(2) if m.group(2) == ")" else ".", m.group(0).strip()), text[m.end():]
    m = _MULTI.match(text)
    if m:
        nums = tuple(int(x) for x in re.split(r"\s?\.\s?", m.group(1)))
        return Label("multi", nums, ".", m.group(0).strip()), text[m.end():]
    m = _ARABIC.match(text)
    if m:
        sep = ")" if m.group(2) == ")" else "."
        return Label("arabic", (int(m.group(1)),), sep, m.group(0).strip()), text[m.end():]
    m = _LETTER.match(text)
    if m and (m.group(2) == ")" or m.group(1) != "đ"):
        return Label("letter", (_LETTERS.index(m.group(1)) + 1,), m.group(2), m.group(0).strip()), text[m.end():]
    m = _BULLET.match(text)
    if m:
        return Label("bullet", (), m.group(1)[0], m.group(0).strip()), text[m.end():]
    return NO_LABEL, text


def parse_bare_label(cell: str) -> Label | None:
    """A table cell holding only a label: "I", "1", "1.2", "a", "II."."""
    s = cell.strip().rstrip(".)")
    if not s or len(s) > 8:
        return None
    if s.isdigit():
        return Label("arabic", (int(s),), ".", cell.strip())
    if re.fullmatch(r"\d{1,2}(\.\d{1,2}){1,3}", s):
        return Label("multi", tuple(int(x) for x in s.split(".")), ".", cell.strip())
    v = roman_value(s.upper()) if s.isupper() else None
    if v:
        return Label("roman", (v,), ".", cell.strip())
    if len(s) == 1 and s in _LETTERS:
        return Label("letter", (_LETTERS.index(s) + 1,), ")", cell.strip())
    return None


# ---- wording similarity -------------------------------------------------------------

_STOP = frozenset("của các và trong tại về những việc cho với đối là một được có như theo".split())
# Paraphrases agencies use for the outline's words (folded forms).
_SYNONYMS = (
    ("thực trạng", "tình hình"),
    ("tồn tại", "hạn chế"),
    ("kiến nghị", "đề xuất"),
    ("vướng mắc", "khó khăn"),
    ("thuận lợi", "ưu điểm"),
    ("bạn đọc", "độc giả"),
    ("doanh số", "doanh thu"),
    ("cơ sở hạ tầng", "cơ sở vật chất"),
    ("hạ tầng", "cơ sở vật chất"),
    ("kết quả đạt được", "kết quả triển khai"),
    ("kết quả chủ yếu", "kết quả triển khai"),
    ("kết quả nổi bật", "kết quả triển khai"),
    ("xây dựng kế hoạch", "ban hành kế hoạch"),
    ("lập kế hoạch", "ban hành kế hoạch"),
    ("công chúng", "độc giả"),
    ("người xem", "độc giả"),
)
_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[str, ...]:
    """Folded, synonym-normalised, stop-word-free syllables of `text`."""
    s = fold(text)
    for a, b in _SYNONYMS:
        if a in s:
            s = s.replace(a, b)
    return tuple(t for t in _WORD.findall(s) if t not in _STOP and not t.isdigit())


@lru_cache(maxsize=65536)
def plain_tokens(text: str) -> tuple[str, ...]:
    """`tokens` without diacritics (for OCR'd or unaccented typing)."""
    return tuple(strip_marks(t) for t in tokens(text))


class TitleIndex:
    """Token weights over all outline names, so rare words ("hạn chế") count more."""

    def __init__(self, names: list[str]):
        df: dict[str, int] = {}
        for name in names:
            for t in set(tokens(name)):
                df[t] = df.get(t, 0) + 1
        n = max(len(names), 1)
        self.weight = {t: 1.0 + math.log(n / c) for t, c in df.items()}
        self.weight_plain = {strip_marks(t): v for t, v in self.weight.items()}
        self.default = 1.0 + math.log(n)
        self._names: dict[str, tuple] = {}

    def w(self, t: str) -> float:
        return self.weight.get(t, self.default)

    def _name(self, name: str):
        got = self._names.get(name)
        if got is None:
            b, pb = frozenset(tokens(name)), frozenset(plain_tokens(name))
            got = (b, sum(self.w(t) for t in b), pb, sum(self.weight_plain.get(t, self.default) for t in pb))
            self._names[name] = got
        return got

    def similarity(self, text: str, name: str) -> float:
        """0..1: weighted recall of the name's words (60 %) and precision of the text's (40 %)."""
        b, wb, pb, pwb = self._name(name)
        a = frozenset(tokens(text))
        if not a or not b:
            return 0.0
        best = self._score(a, b, wb, self.weight)
        if best < 0.95:  # OCR or typing lost the diacritics
            pa = frozenset(plain_tokens(text))
            best = max(best, 0.92 * self._score(pa, pb, pwb, self.weight_plain))
        return best

    def recall(self, text: str, name: str) -> float:
        """0..1: weighted share of the name's words present in the text."""
        b, wb, _, _ = self._name(name)
        if not wb:
            return 0.0
        return sum(self.w(t) for t in frozenset(tokens(text)) & b) / wb

    def _score(self, a: frozenset, b: frozenset, wb: float, table: dict) -> float:
        d = self.default
        common = a & b
        if not common:
            return 0.0
        wc = sum(table.get(t, d) for t in common)
        wa = sum(table.get(t, d) for t in a)
        return 0.6 * wc / wb + 0.4 * wc / wa
