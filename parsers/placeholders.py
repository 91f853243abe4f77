"""Word's content-control prompts ("Click or tap here to enter text.") are not content.

A form sent out as DOCX keeps the prompt of every field an agency left unfilled. The
DOCX reader skips controls flagged as showing their placeholder; this list catches the
prompt text wherever the flag was lost (a PDF or a copy-paste of the form, a DOC
converted by LibreOffice). Texts as Word writes them in English and Vietnamese.
"""
from __future__ import annotations

import re

from parsers.vietnamese import fold

PLACEHOLDER_TEXTS = (
    "Click or tap here to enter text.",
    "Click here to enter text.",
    "Click or tap to enter a date.",
    "Click here to enter a date.",
    "Choose an item.",
    "Choose a building block.",
    "Click or tap here to enter a picture.",
    "Enter any content that you want to repeat, including other content controls. You can also insert this "
    "control around table rows in order to repeat parts of a table.",
    "Bấm hoặc nhấn vào đây để nhập văn bản.",
    "Bấm vào đây để nhập văn bản.",
    "Nhấp hoặc nhấn vào đây để nhập văn bản.",
    "Nhấn vào đây để nhập văn bản.",
    "Bấm hoặc nhấn để nhập ngày.",
    "Bấm vào đây để nhập ngày.",
    "Chọn một mục.",
    "Chọn một khối dựng sẵn.",
    "[Type text]",
    "[Nhập văn bản]",
)
_PATTERN = re.compile("|".join(re.escape(fold(t)).replace(r"\ ", r"\s+") for t in PLACEHOLDER_TEXTS))


def strip_placeholders(text: str) -> str:
    """`text` without any placeholder prompt; "" when nothing else was written."""
    f = fold(text)
    if not _PATTERN.search(f):
        return text
    if len(f) != len(text):  # folding changed the length (rare characters): judge the whole
        return "" if not _PATTERN.sub("", f).strip(" .:;-–") else text
    out, last = [], 0
    for m in _PATTERN.finditer(f):
        out.append(text[last:m.start()])
        last = m.end()
    out.append(text[last:])
    rest = " ".join("".join(out).split())
    return "" if not rest.strip(" .:;-–") else rest
