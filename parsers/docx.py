"""DOCX → blocks, straight from the package XML.

python-docx misses text in content controls, text boxes, tracked insertions and
fields, and refuses Strict OOXML and non-standard part names, all of which
agencies send. So we read word/document.xml (located through the package
relationships) with a hardened lxml parser, compute Word auto-numbering labels,
and keep the layout clues outline matching needs (style level, bold, size).
"""
from __future__ import annotations

import re
import zipfile

from parsers.blocks import Block
from parsers.docx_body import body_blocks
from parsers.docx_numbering import W
from parsers.docx_package import DocxError, Package, open_package, parse_xml
from parsers.limits import Limits

__all__ = ["read_docx", "DocxError"]


def read_docx(data: bytes, limits: Limits) -> tuple[list[Block], str | None, int | None]:
    """Blocks of a DOCX, the legacy encoding decoded (if any), and its page count."""
    pkg = open_package(data, limits)
    main = pkg.read(pkg.main)
    if not main:
        raise DocxError("the main document part is empty")
    root = parse_xml(main)
    body = root.find(W + "body")
    if body is None:
        body = root
    blocks = body_blocks(pkg, body)
    return blocks, pkg.encoding, _page_count(pkg)


def _page_count(pkg: Package) -> int | None:
    try:
        data = pkg.zf.read("docProps/app.xml")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return None
    m = re.search(rb"<(?:\w+:)?Pages>(\d+)<", data)
    return int(m.group(1)) if m else None
