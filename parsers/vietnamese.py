"""Vietnamese text helpers: NFC, matching folds, and legacy 8-bit encodings.

Old government documents were typed in TCVN3 (ABC: fonts .VnTime, .VnArial,
...) or VNI (fonts VNI-Times, ...). Word keeps those bytes as Windows-1252
characters, so "Hà Nội" arrives as "Hµ Néi" (TCVN3) or "Haø Noäi" (VNI).
This module maps them back. Pure functions, no I/O.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

TCVN3 = "TCVN3"
VNI = "VNI"

# --- TCVN3 (TCVN 5712:1993, VN3 subset used by the ABC fonts) ----------------
# Byte value -> Unicode. VN3 fonts hold only lower-case toned letters; the
# upper-case ones are drawn by the companion "...H" fonts from the same codes.
_TCVN3_BYTES: dict[int, str] = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}
# VN1 capitals that some fonts also carry above 0xA0 (slots unused by VN3).
_TCVN3_VN1_CAPITALS: dict[int, str] = {
    0xAF: "Ằ", 0xBA: "Ẳ", 0xBF: "Ẵ", 0xC0: "Ắ", 0xC1: "Ầ", 0xC2: "Ẩ", 0xC3: "Ẫ",
    0xC4: "Ấ", 0xC5: "Ề", 0xCD: "Ể", 0xD9: "Ễ", 0xDA: "Ế", 0xDB: "Ồ", 0xE0: "Ổ",
    0xF0: "Ỗ", 0xFF: "Ố",
}


def _byte_char(b: int) -> str:
    """The character Word/PDF text shows for byte b of a non-Unicode font."""
    return bytes([b]).decode("latin-1")


_TCVN3_TABLE = {ord(_byte_char(b)): u for b, u in {**_TCVN3_BYTES, **_TCVN3_VN1_CAPITALS}.items()}
# PDF producers (Acrobat Distiller) substitute glyphs for two TCVN3 bytes:
# the soft hyphen 0xAD (ư) becomes a minus sign, 0xB7 (ã) a bullet operator.
_TCVN3_TABLE.update({0x2212: "ư", 0x2219: "ã"})
# Letters that only TCVN3 text shows (0xA1-0xBE: no VNI letter lives there).
_TCVN3_MARKERS = frozenset(_byte_char(b) for b in _TCVN3_BYTES if 0xA1 <= b <= 0xBE) | {"\u2212", "\u2219"}
# TCVN3 lower-case letters at 0xC6-0xDE look like Latin-1 capitals, so they sit
# inside lower-case words ("ChÝnh", "viÖc"), which Unicode Vietnamese never does.
_TCVN3_MIDWORD = re.compile("[a-z\u00df-\u00ff][\u00c6-\u00de]")

# --- VNI (VNI-Windows) ------------------------------------------------------
# A toned vowel is its base letter followed by one mark character; the mark
# characters are Windows-1252 letters (upper-case marks follow capitals).
_GRAVE, _ACUTE, _TILDE, _HOOK, _DOT = "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"
_CIRC, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_VNI_TONES = {"ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}
_VNI_CIRC = {"â": "", "á": _ACUTE, "à": _GRAVE, "å": _HOOK, "ã": _TILDE, "ä": _DOT}
_VNI_BREVE = {"ê": "", "é": _ACUTE, "è": _GRAVE, "ú": _HOOK, "ü": _TILDE, "ë": _DOT}
# Stand-alone characters: letters with horn, đ, and i/y with their own glyphs.
_VNI_SINGLES = {
    "ô": "ơ", "ö": "ư", "ñ": "đ", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ",
    "Ô": "Ơ", "Ö": "Ư", "Ñ": "Đ", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị", "Î": "Ỵ",
}
_VNI_MOD_CHARS = "".join(_VNI_CIRC) + "".join(_VNI_BREVE)
_VNI_MOD_CHARS += _VNI_MOD_CHARS.upper()
_VNI_TONE_CHARS = "".join(_VNI_TONES) + "".join(_VNI_TONES).upper()
_VNI_SYLLABLE = re.compile(
    "([aeouyAEOUYôöÔÖ])([" + _VNI_MOD_CHARS + "])?([" + _VNI_TONE_CHARS + "])?"
)
# VNI pairs that Unicode Vietnamese never contains ("oá" does occur: "hoá").
_VNI_EVIDENCE = re.compile(
    "[aeoAEO][âåäÂÅÄ]|[aeAE][áàãÁÀÃ]|[aA][êéèúüëÊÉÈÚÜË]|[aeouyôöAEOUYÔÖ][ùøûõïÙØÛÕÏ]|[ñÑ][aeiouyöôAEIOUYÖÔ]"
)

# Unicode letters that only genuine Vietnamese Unicode text contains.
_UNICODE_VI = re.compile("[\u1ea0-\u1ef9\u0102\u0103\u0110\u0111\u01a0\u01a1\u01af\u01b0\u0128\u0129\u0168\u0169]")

_TONE_MARKS = _GRAVE + _ACUTE + _TILDE + _HOOK + _DOT
# Old-style placement: tone on the first vowel of an open "oa", "oe", "uy".
# ("ua" in "của", "múa" is not such a pair: its tone stays on the u.)
_OLD_TONE = re.compile(
    "(?:([oO])([" + _TONE_MARKS + "])([aAeE])|([uU])([" + _TONE_MARKS + "])([yY]))(?![\\w\u0300-\u036f])"
)
_SPACE = re.compile(r"\s+")
_ETH = str.maketrans({"Ð": "Đ", "ð": "đ"})


def nfc(s: str) -> str:
    """NFC-normalise, also repairing Đ typed as the look-alike Icelandic Ð."""
    return unicodedata.normalize("NFC", s).translate(_ETH)


def fold(s: str) -> str:
    """A matching key: NFC, casefolded, new-style tone placement, single spaces."""
    d = unicodedata.normalize("NFD", s.translate(_ETH))
    d = _OLD_TONE.sub(lambda m: m.group(1) + m.group(3) + m.group(2) if m.group(1)
                      else m.group(4) + m.group(6) + m.group(5), d)
    folded = unicodedata.normalize("NFC", d.casefold())
    return _SPACE.sub(" ", folded).strip()


def strip_marks(s: str) -> str:
    """Remove every diacritic (đ→d, Đ→D)."""
    d = unicodedata.normalize("NFD", s.translate(_ETH))
    bare = "".join(c for c in d if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D")


# --- legacy decoding ---------------------------------------------------------
_TCVN3_FONT = re.compile(r"^\s*\.?vn(?!i)[a-z]", re.IGNORECASE)
_VNI_FONT = re.compile(r"^\s*vni[-_ ]", re.IGNORECASE)


def font_encoding(font: str | None) -> str | None:
    """The legacy encoding a font name implies: "TCVN3", "VNI" or None."""
    if not font:
        return None
    if _VNI_FONT.match(font):
        return VNI
    if _TCVN3_FONT.match(font):
        return TCVN3
    return None


def is_caps_font(font: str | None) -> bool:
    """TCVN3 "...H" fonts (.VnTimeH, .VnArialH) draw every letter as a capital."""
    if font_encoding(font) != TCVN3:
        return False
    name = re.sub(r"[\s,]*(bold|italic|narrow|\d+)*$", "", font.strip(), flags=re.IGNORECASE)
    return name.endswith("H")


# 0xAD is TCVN3's "ư" but also the soft hyphen (and DOCX <w:softHyphen/>):
# it is a letter only next to another letter.
_LONE_SOFT_HYPHEN = re.compile(r"(?<![^\W\d_])\u00ad(?![^\W\d_])")


_TCVN3_LETTERS_ONLY = {k: v for k, v in _TCVN3_TABLE.items() if k != 0xAD}


def decode_tcvn3(text: str) -> str:
    letters = _LONE_SOFT_HYPHEN.sub("", text.translate(_TCVN3_LETTERS_ONLY))
    return nfc(letters.replace("\u00ad", "ư"))


def _vni_syllable(m: re.Match[str]) -> str:
    base, mod, tone = m.group(1), m.group(2), m.group(3)
    out = _VNI_SINGLES.get(base, base)
    if mod:
        low = mod.lower()
        if base in "aA" and low in _VNI_BREVE:
            out += _BREVE + _VNI_BREVE[low]
        elif base in "aAeEoO" and low in _VNI_CIRC:
            out += _CIRC + _VNI_CIRC[low]
        else:  # not a VNI pair: keep the characters as they were
            return m.group(0)
    if tone:
        out += _VNI_TONES[tone.lower()]
    return out


def decode_vni(text: str) -> str:
    # Singles first would break "ô" bases, so the syllable pass handles ô/ö.
    decoded = _VNI_SYLLABLE.sub(_vni_syllable, text)
    decoded = "".join(_VNI_SINGLES.get(c, c) if c not in "ôöÔÖ" else c for c in decoded)
    return nfc(decoded)


def _scores(text: str) -> tuple[int, int, int]:
    """Evidence counts (unicode, tcvn3, vni) of each reading of the text."""
    uni = len(_UNICODE_VI.findall(text))
    tcvn = sum(1 for c in text if c in _TCVN3_MARKERS) + len(_TCVN3_MIDWORD.findall(text))
    vni = len(_VNI_EVIDENCE.findall(text))
    return uni, tcvn, vni


def detect_legacy(text: str, fonts: Iterable[str] = ()) -> str | None:
    """Which legacy encoding the text is in, by font names then statistics.

    Mixed documents (legacy paragraphs beside re-typed Unicode ones) count as
    legacy when the legacy evidence is not swamped by Unicode Vietnamese.
    """
    by_font = {font_encoding(f) for f in fonts} - {None}
    uni, tcvn, vni = _scores(text)
    legacy = max(tcvn, vni)
    if legacy == 0 or legacy * 10 < uni:
        return None
    if len(by_font) == 1:
        return by_font.pop()
    if tcvn >= 2 and tcvn * 2 >= vni:
        return TCVN3
    if vni >= 2 and vni > tcvn:
        return VNI
    return None


def decode_legacy(text: str, fonts: Iterable[str] = ()) -> tuple[str, str | None]:
    """Decode TCVN3/VNI text to NFC Unicode; returns (text, encoding or None).

    Detection looks at the font names first, then at character statistics.
    Decoding goes line by line: lines that read as Unicode Vietnamese are
    left alone; lines with no evidence either way follow the majority of the
    text. Text in TCVN3 capitals fonts (fonts given all "...H") is upper-cased.
    """
    fonts = list(fonts)
    enc = detect_legacy(text, fonts)
    if enc is None:
        return nfc(text), None
    decoder = decode_tcvn3 if enc == TCVN3 else decode_vni
    uni_all, tcvn_all, vni_all = _scores(text)
    legacy_majority = max(tcvn_all, vni_all) > uni_all
    lines = []
    for line in text.splitlines(keepends=True):
        uni, tcvn, vni = _scores(line)
        legacy = max(tcvn, vni)
        decode = legacy > uni if (legacy or uni) else legacy_majority
        lines.append(decoder(line) if decode else line)
    out = nfc("".join(lines))
    if fonts and all(is_caps_font(f) for f in fonts):
        out = out.upper()
    return out, enc if out != nfc(text.replace("\u00ad", "")) else None


def decode_run(text: str, font: str | None, doc_encoding: str | None = None) -> tuple[str, str | None]:
    """Decode one run of a DOCX/DOC whose font is known (runs mix fonts).

    `font` is the run's effective font (resolve styles first); a TCVN3/VNI
    font decides the encoding outright, unless the run plainly is Unicode
    Vietnamese already (a re-typed run keeps its old font name). A run whose
    font is unknown (None) falls back to `doc_encoding`, the encoding found
    for the whole document; a run in a Unicode font is decoded only on strong
    evidence in its own text. Note for DOCX readers: in a legacy-font run a
    <w:softHyphen/> is the TCVN3 letter ư (byte 0xAD): pass it as U+00AD.
    """
    enc = font_encoding(font) or (doc_encoding if font is None else None)
    if enc is None:
        return decode_legacy(text)
    uni, tcvn, vni = _scores(text)
    if uni and uni >= max(tcvn, vni):
        return nfc(text), None
    out = decode_tcvn3(text) if enc == TCVN3 else decode_vni(text)
    caps = is_caps_font(font)
    if caps:
        out = out.upper()
    plain = nfc(text.replace("\u00ad", ""))
    return out, enc if out != (plain.upper() if caps else plain) else None


def decode_runs(runs: Iterable[tuple[str, str | None]], doc_encoding: str | None = None) -> tuple[str, str | None]:
    """Decode and join a paragraph's (text, font) runs; returns (text, encoding or None)."""
    parts, found = [], None
    for text, font in runs:
        decoded, enc = decode_run(text, font, doc_encoding)
        parts.append(decoded)
        found = found or enc
    return nfc("".join(parts)), found


# Letters only Vietnamese uses among the Latin scripts.
_VI_LETTERS = frozenset("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


def vietnamese_ratio(s: str) -> float:
    """Share of letters that only Vietnamese uses (0 for English or Russian text)."""
    letters = [c for c in s.lower() if c.isalpha()]
    return sum(1 for c in letters if c in _VI_LETTERS) / len(letters) if letters else 0.0


def decode_if_vietnamese(text: str, fonts: Iterable[str] = ()) -> tuple[str, str | None]:
    """`decode_legacy` for a document's text: without a legacy font name, statistics alone
    decide, and their verdict stands only when the result reads as Vietnamese, so English
    or Russian text that happens to hold TCVN3-like bytes is left alone."""
    fonts = [f for f in fonts if f]
    out, enc = decode_legacy(text, fonts)
    if enc and not fonts and vietnamese_ratio(out) < max(0.08, vietnamese_ratio(text) + 0.05):
        return nfc(text), None
    return out, enc
