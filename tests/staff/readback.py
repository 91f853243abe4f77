"""Reading generated files back the way staff's tools would: mail parts, HTML, DOCX, PNG."""
from __future__ import annotations

import io
import struct
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser

from docx import Document
from docx.table import Table

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def parse_mail(msg: EmailMessage) -> EmailMessage:
    """The message as a receiver sees it: serialised, then parsed."""
    return message_from_bytes(msg.as_bytes(), policy=policy.default)


class Html(HTMLParser):
    """Start tags (with attributes) and the text, as a browser would see them."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.chunks: list[str] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk; fails on anything that is not a PNG."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


def docx_sections(data: bytes) -> tuple[list[str], dict[str, list[str]]]:
    """(headings in order, heading -> the lines below it up to the next heading).

    Paragraph texts and table rows (cells joined by " | ") become lines."""
    doc = Document(io.BytesIO(data))
    headings: list[str] = []
    under: dict[str, list[str]] = {}
    current = None
    for block in doc.iter_inner_content():
        if isinstance(block, Table):
            lines = [" | ".join(c.text for c in row.cells) for row in block.rows]
        elif block.style.name.startswith("Heading"):
            current = block.text
            headings.append(current)
            under[current] = []
            continue
        else:
            lines = [block.text]
        if current is not None:
            under[current].extend(lines)
    return headings, under


def docx_lines(data: bytes) -> list[str]:
    doc = Document(io.BytesIO(data))
    out = []
    for block in doc.iter_inner_content():
        if isinstance(block, Table):
            out += [" | ".join(c.text for c in row.cells) for row in block.rows]
        else:
            out.append(block.text)
    return out
