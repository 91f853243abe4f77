"""Figures as Vietnamese reports write them: numbers, multipliers and units.

Vietnamese numbers use "." for thousands and "," for decimals ("1.234.567",
"45,6 tỷ đồng", "1,2 tỷ lượt", "12,5%"). A `Mention` is a number with a unit
(%, đồng, lượt, điểm) found in folded text; which metric it states is for
`metrics.py` to decide from the words around it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

NUM = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
MULT = r"(nghìn tỷ|ngàn tỷ|tỷ|tỉ|triệu|trăm nghìn|nghìn|ngàn)"
# "72/100", "350/500 điểm": a score out of a scale ("14/18 nhiệm vụ" is none)
UNIT = r"(%|phần trăm|đồng|vnđ|vnd|đ\b|lượt|điểm|/\s*\d{2,4}\s*điểm|/\s*(?:10|100|1000)\b)"
_MENTION = re.compile(rf"(?<![\d/.,])({NUM})(?:\s*{MULT})?\s*{UNIT}?")
_MULTS = {"nghìn tỷ": 1e12, "ngàn tỷ": 1e12, "tỷ": 1e9, "tỉ": 1e9, "triệu": 1e6, "nghìn": 1e3, "ngàn": 1e3,
          "trăm nghìn": 1e5}
# A table cell holding one figure: "45,6", "1.200.000", "~ 32%", "45,6 tỷ đồng".
FIGURE_CELL = re.compile(rf"^\s*(?:[~≈<>]|khoảng|trên|gần|hơn)?\s*({NUM})(?:\s*{MULT})?\s*{UNIT}?\s*$")


@dataclass
class Mention:
    value: float
    unit: str  # % | VND | lượt | điểm | điểm/100 ..., or "" for a figure written without its unit
    start: int
    end: int
    scaled: bool = False  # written with a multiplier ("15 triệu")


def parse_number(s: str) -> float:
    """Vietnamese (and stray English) number text → float: "1.234.567" → 1234567, "45,6" → 45.6."""
    s = s.strip()
    dots, commas = s.count("."), s.count(",")
    if dots and commas:  # the later separator is the decimal one
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        th = "." if dec == "," else ","
        return float(s.replace(th, "").replace(dec, "."))
    sep = "." if dots else ("," if commas else "")
    if not sep:
        return float(s)
    groups = s.split(sep)
    if len(groups) > 2 or (sep == "." and len(groups[1]) == 3):
        return float(s.replace(sep, ""))  # thousands separators
    return float(s.replace(sep, "."))


def unit_of(word: str) -> str:
    """The metric unit a unit word stands for ("đồng" → VND, "phần trăm" → %)."""
    if word in ("%", "phần trăm"):
        return "%"
    if word in ("đồng", "vnđ", "vnd", "đ"):
        return "VND"
    if word == "lượt":
        return "lượt"
    return "điểm/" + word.replace("/", "").replace("điểm", "").strip() if word.startswith("/") else "điểm"


# What may follow a figure written without its unit for it still to be one ("đạt hơn 15 triệu.",
# "lượt xem: 12.345.678; …"), rather than a count of something named next ("03 cơ quan").
_BARE_END = re.compile(r"\s*($|[,;.)]|và\b|so với\b|tăng\b|giảm\b|\()")


def mentions(folded: str, bare: bool = False) -> list[Mention]:
    """Every number with a unit in folded text, multipliers applied ("1,2 tỷ lượt" → 1.2e9 lượt).

    bare: also figures without a unit that end a clause (unit ""), for the caller to name.
    """
    out = []
    for m in _MENTION.finditer(folded):
        num, mult, unit = m.group(1), m.group(2), m.group(3)
        if not unit and not (bare and _BARE_END.match(folded, m.end())):
            continue
        try:
            v = parse_number(num) * (_MULTS[mult] if mult else 1)
        except ValueError:
            continue
        if not unit and not mult and (v < 1000 or 1900 <= v <= 2100):
            continue  # a small count, a number of a list, a year: no metric
        out.append(Mention(v, unit_of(unit) if unit else "", m.start(), m.end(), bool(mult)))
    return out


def clean_value(v: float) -> float | int:
    return int(round(v)) if abs(v - round(v)) < 1e-6 else round(v, 4)
