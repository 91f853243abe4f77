"""Text that Office files can hold, and the two run-level steps every DOCX we write takes:
the letter, the report form, the formal reminder (campaigns/letter_docx.py) and the export
(staff/export.py), so they all write text the same way."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from docx.shared import Pt

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: Any) -> str:
    """NFC text without the characters XML 1.0 cannot hold (CR LF becomes LF)."""
    s = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub("", s)


def add_run(p, text: str, *, bold=False, italic=False, size=None):
    """A run of (untrusted, hence cleaned) text in paragraph `p`."""
    run = p.add_run(xml_safe(text))
    run.bold, run.italic = bold or None, italic or None
    if size:
        run.font.size = Pt(size)
    return run


def set_spacing(p, before: float, after: float) -> None:
    p.paragraph_format.space_before, p.paragraph_format.space_after = Pt(before), Pt(after)
