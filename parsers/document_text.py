"""The wordings of an official document's own parts (Decree 30/2020/NĐ-CP), line by line.

Pure recognisers over one line of text: a document number and symbol, a place and
date line, a type line, the national motto, a signature's authority, position and
name. `document.py` decides where in a document each may be looked for.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from parsers.vietnamese import fold

# "5422/BTTTT-CBC", "49/2026/NĐ-CP", "348/QĐ-TTg", "12/KH-UBND", "/BC-UBND" (not yet numbered)
_SYMBOL_PART = r"[A-ZĐ][A-Za-zĐđ0-9]*"
_NUMBER = (r"(?P<num>(?P<n>\d{1,6}[a-z]?)?\s?/\s?(?:(?:19|20)\d{2}\s?/\s?)?"
           rf"(?P<sym>{_SYMBOL_PART}(?:\s?[-–]\s?{_SYMBOL_PART})*))(?![\w/])")
_CITED = re.compile(rf"(?<![\w/.,]){_NUMBER}")
_OWN_NUMBER = re.compile(rf"^\s*số\s*[:.]?\s*{_NUMBER}", re.IGNORECASE)
_BARE_NUMBER = re.compile(rf"^\s*{_NUMBER}\s*$")
_SPACES = re.compile(r"\s+")

_DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_DATE_DIGITS = re.compile(r"(?:ngày\s+)?(?<!\d)(\d{1,2})\s?[/.-]\s?(\d{1,2})\s?[/.-]\s?(\d{4})(?!\d)", re.IGNORECASE)
# A place is a name in capitals: "Hà Nội", "Bà Rịa - Vũng Tàu", "TP. Hồ Chí Minh"; these
# lower-case words may sit inside it ("Thành phố Hồ Chí Minh").
_PLACE_LOWER = frozenset({"phố", "xã", "trấn", "huyện", "tỉnh", "thị", "-"})
_PLACE_MAX_WORDS = 7

_MOTTO = re.compile(r"(cộng hòa|cộng hoà) xã hội chủ nghĩa việt nam|độc lập\s*[-–]\s*tự do\s*[-–]\s*hạnh phúc")
_SEPARATOR = re.compile(r"^[\s_\-–—=*~.]*$")

# Type line (in capitals) → the type as the contract names it.
DOCUMENT_TYPES = {
    "BÁO CÁO": "Báo cáo", "TỜ TRÌNH": "Tờ trình", "CÔNG VĂN": "Công văn", "KẾ HOẠCH": "Kế hoạch",
    "QUYẾT ĐỊNH": "Quyết định", "NGHỊ ĐỊNH": "Nghị định", "NGHỊ QUYẾT": "Nghị quyết", "CHỈ THỊ": "Chỉ thị",
    "THÔNG TƯ": "Thông tư", "THÔNG BÁO": "Thông báo", "HƯỚNG DẪN": "Hướng dẫn", "CHƯƠNG TRÌNH": "Chương trình",
    "ĐỀ ÁN": "Đề án", "PHƯƠNG ÁN": "Phương án", "QUY CHẾ": "Quy chế", "QUY ĐỊNH": "Quy định",
    "GIẤY MỜI": "Giấy mời", "BIÊN BẢN": "Biên bản", "CÔNG ĐIỆN": "Công điện", "THÔNG CÁO": "Thông cáo",
}
_TYPE_LINE = re.compile(r"^(" + "|".join(sorted(DOCUMENT_TYPES, key=len, reverse=True)) + r")(?![\w])\s*[:.]?\s*(.*)$")
CONG_VAN = "Công văn"
_SUBJECT_OF_LETTER = re.compile(r"^(V/v|V/V|v/v)\b\.?\s*\S")

# "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "TL. BỘ TRƯỞNG", "TUQ. GIÁM ĐỐC", "Q. GIÁM ĐỐC"
_AUTHORITY = re.compile(r"^(TM|KT|TL|TUQ|Q|PP)\s?\.\s*\S")
_SIGNATURE_NOTE = re.compile(r"^[(\[].*[)\]]$|^(đã ký|ký bởi|ký thay|chữ ký)\b", re.IGNORECASE)
_RECIPIENT = re.compile(r"^(nơi nhận|[-+•*]|lưu\b|như trên)", re.IGNORECASE)
# Where the body of a report begins (the end of its letterhead).
_BODY_OPENER = re.compile(
    r"^(thực hiện|căn cứ|theo\b|triển khai|trên cơ sở|tiếp theo|phúc đáp|qua\b|nhằm|để\b|xét\b|ngày \d)",
    re.IGNORECASE)
_CLOSING = re.compile(r"^(trên đây là|trân trọng)", re.IGNORECASE)


@dataclass(frozen=True)
class PlaceDate:
    place: str | None
    date: str  # ISO 8601


def compact(number: str) -> str:
    """A document number as written, without the spaces some put around '/' and '-'."""
    return _SPACES.sub("", number)


def _symbol_ok(sym: str) -> bool:
    return sum(1 for c in sym if c.isupper()) >= 2


def own_number(line: str) -> str | None:
    """The number on a 'Số: 123/BC-UBND' line (the number may be blank: 'Số: /BC-UBND')."""
    m = _OWN_NUMBER.match(line)
    if m and _symbol_ok(m.group("sym")):
        return compact(m.group("num"))
    return None


def bare_number(line: str) -> str | None:
    """A line that is nothing but a number and symbol (a letterhead without 'Số:')."""
    m = _BARE_NUMBER.match(line)
    if m and m.group("n") and _symbol_ok(m.group("sym")):
        return compact(m.group("num"))
    return None


def cited_numbers(text: str) -> list[str]:
    """Every document number with a symbol in the text, as written."""
    return [compact(m.group("num")) for m in _CITED.finditer(text) if m.group("n") and _symbol_ok(m.group("sym"))]


def _iso(day: str, month: str, year: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _place(prefix: str) -> str | None | bool:
    """The place before a date: a name, None when there is none, False when the prefix is prose."""
    text = prefix.strip().rstrip(",").strip()
    if not text:
        return None
    words = text.split()
    if len(words) > _PLACE_MAX_WORDS or any(c.isdigit() or c in ":;/" for c in text):
        return False
    if not all(w[0].isupper() or w.lower() in _PLACE_LOWER for w in words):
        return False
    return text


def place_date(line: str) -> PlaceDate | None:
    """'Hà Nội, ngày 25 tháng 12 năm 2024' or 'Thái Bình, ngày 25/12/2024' (place optional).

    The date must be all the line holds after its place: a date inside a sentence
    ("Công văn số 5422/BTTTT-CBC ngày 19/12/2024", "Ngày 20/12, Sở đã …") is not the document's.
    """
    line = _after_letterhead_parts(line)
    for pattern in (_DATE_WORDS, _DATE_DIGITS):
        m = pattern.search(line)
        if not m:
            continue
        place = _place(line[: m.start()])
        iso = _iso(*m.groups())
        if place is not False and iso and not line[m.end():].strip(" .,;:/"):
            return PlaceDate(place, iso)
    return None


def _after_letterhead_parts(line: str) -> str:
    """What follows the number or the motto on a line where OCR or plain text ran the
    two columns of the letterhead together ('Số: 12/BC-UBND  Thái Bình, ngày …')."""
    m = _OWN_NUMBER.match(line)
    if m:
        line = line[m.end():]
    motto = list(_MOTTO.finditer(fold(line)))
    if motto:
        line = line[motto[-1].end():]
    return line


def is_motto(line: str) -> bool:
    return bool(_MOTTO.search(fold(line)))


def before_motto(line: str) -> str:
    """The left column of a line where the national motto was run into it."""
    m = _MOTTO.search(fold(line))
    return line[: m.start()].strip() if m else line


def is_separator(line: str) -> bool:
    return bool(_SEPARATOR.match(line))


def type_line(line: str) -> tuple[str, str] | None:
    """(type, rest of the line) for a type line in capitals: 'BÁO CÁO', 'TỜ TRÌNH Về việc …'."""
    m = _TYPE_LINE.match(line.strip())
    if not m:
        return None
    return DOCUMENT_TYPES[m.group(1)], m.group(2).strip()


def is_letter_subject(line: str) -> bool:
    """'V/v báo cáo kết quả …': the subject a công văn carries under its number."""
    return bool(_SUBJECT_OF_LETTER.match(line.strip()))


_NEXT_AUTHORITY = re.compile(r"\s+(?=(?:TM|KT|TL|TUQ|Q|PP)\s?\.\s*[A-ZĐ])")
_ADDRESSEE = re.compile(r"\bkính gửi\b", re.IGNORECASE)


def split_authorities(line: str) -> list[str]:
    """'TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH' (lines a PDF ran together) → one authority each."""
    return _NEXT_AUTHORITY.split(line) if _AUTHORITY.match(line) else [line]


def cut_addressee(line: str) -> tuple[str, bool]:
    """A subject line without the 'Kính gửi: …' a PDF may have run into it; True when cut."""
    m = _ADDRESSEE.search(line)
    return (line[: m.start()].strip(), True) if m else (line, False)


def is_authority(line: str) -> bool:
    return bool(_AUTHORITY.match(line)) and is_caps(line[line.index(".") + 1:])


def is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def is_position(line: str) -> bool:
    """'PHÓ CHỦ TỊCH', 'GIÁM ĐỐC': a short line in capitals, letters only."""
    words = line.split()
    return (1 <= len(words) <= 8 and is_caps(line) and all(w.replace("-", "").isalpha() for w in words)
            and not is_motto(line))


def is_person_name(line: str) -> bool:
    """'Nguyễn Văn A': two to six capitalised words of letters."""
    words = line.split()
    return 2 <= len(words) <= 6 and all(w.isalpha() and w[0].isupper() and (len(w) == 1 or w[1:].islower())
                                        for w in words)


def is_signature_note(line: str) -> bool:
    return bool(_SIGNATURE_NOTE.match(line.strip()))


def is_recipient_line(line: str) -> bool:
    return bool(_RECIPIENT.match(line.strip()))


def opens_body(line: str) -> bool:
    return bool(_BODY_OPENER.match(line.lstrip(" \t\"“”'‘’(-–")))


def is_closing(line: str) -> bool:
    return bool(_CLOSING.match(line.strip()))
