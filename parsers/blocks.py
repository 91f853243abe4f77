"""The common block model every backend produces, and the text helpers they share.

A backend (docx, pdf, text, ...) turns a document into a flat list of `Block`s in
reading order. `outline.py` then decides which blocks are headings of which
outline node. Blocks carry the layout clues that decide that: style level,
bold, font size, the auto-numbering label, the page.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# `fold` is re-exported for the modules that match on folded text (outline, metrics).
from parsers.vietnamese import fold, nfc

__all__ = ["HEADING", "PARAGRAPH", "TABLE", "Block", "clean", "fold", "is_upper_text", "table_text"]

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
    placeholder: bool = False  # an unfilled form field (Word content control showing its prompt)

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


def clean(s: str, keep_shy: bool = False) -> str:
    """NFC, control characters dropped, runs of spaces collapsed, trimmed.

    keep_shy: keep U+00AD, which in TCVN3 text not yet decoded is the letter "ư".
    """
    s = (_CONTROL_KEEP_SHY if keep_shy else _CONTROL).sub("", nfc(s))
    return _SPACES.sub(" ", s).strip()


def is_upper_text(s: str) -> bool:
    """True when the letters of `s` are (nearly) all capitals: 'TÌNH HÌNH ...'."""
    letters = [c for c in s if c.isalpha()]
    if len(letters) < 4:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper >= 0.9 * len(letters)
