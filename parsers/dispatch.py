"""Bytes → the backend for their kind → ParsedReport; the parse entry points.

The type is decided by content, never by the file name. Bad input never raises:
the result carries the reason in `warnings` and every section `found: false`.
"""
from __future__ import annotations

import logging

from parsers.build import build_report
from parsers.detect import LEGACY_KINDS, decode_text, detect_kind, is_image, report_format
from parsers.docx import DocxError, read_docx
from parsers.errors import ParseFailed
from parsers.legacy import convert_to_docx
from parsers.limits import Limits, RefusedInput, check_size, check_zip
from parsers.model import Outline
from parsers.ocr import ocr_image
from parsers.pdf import parse_pdf
from parsers.report import ParsedReport, empty_report
from parsers.text import html_blocks, text_blocks
from parsers.vietnamese import decode_if_vietnamese
from parsers.xlsx import read_xlsx

log = logging.getLogger(__name__)


def parse_bytes(data: bytes, filename: str, outline: Outline, *, limits: Limits | None = None) -> ParsedReport:
    """Parse one attachment. Never raises for bad input."""
    limits = limits or Limits()
    kind = detect_kind(data)
    fmt = report_format(kind)
    try:
        check_size(data, limits)
        report = _parse_kind(data, kind, filename, outline, limits)
    except (RefusedInput, ParseFailed) as e:
        return empty_report(filename, fmt, outline, [f"{filename}: {getattr(e, 'reason', None) or e}"])
    except MemoryError:
        return empty_report(filename, fmt, outline, [f"{filename}: out of memory while parsing ({kind})"])
    except Exception as e:  # noqa: BLE001 - hostile files break libraries in unforeseeable ways
        log.warning("parse of %s failed", filename, exc_info=True)
        return empty_report(filename, fmt, outline, [f"{filename}: cannot parse {kind} file ({type(e).__name__}: {e})"])
    return report


def parse_text(text: str, outline: Outline, *, html: bool = False, source: str = "body") -> ParsedReport:
    """Parse a report typed into a mail body (plain text or HTML)."""
    text, enc = decode_if_vietnamese(text)
    blocks = html_blocks(text) if html else text_blocks(text)
    return build_report(blocks, outline, source=source, fmt="html" if html else "text", encoding=enc)


def _parse_kind(data: bytes, kind: str, filename: str, outline: Outline, limits: Limits) -> ParsedReport:
    if kind == "docx":
        return _parse_docx(data, filename, outline, limits, fmt="docx")
    if kind == "pdf":
        return parse_pdf(data, filename, outline, limits)
    if kind == "xlsx":
        blocks, warnings = read_xlsx(data, limits)
        return build_report(blocks, outline, source=filename, fmt="xlsx", warnings=warnings)
    if kind in LEGACY_KINDS or kind == "ole":  # an OLE file of no known kind: Word may still open it
        return _parse_legacy(data, report_format(kind), filename, outline, limits)
    if is_image(kind):
        return build_report(text_blocks(ocr_image(data)), outline, source=filename, fmt="image", ocr=True)
    if kind in ("text", "html", "xml", "vcard"):
        text, enc = decode_if_vietnamese(decode_text(data))
        blocks = html_blocks(text) if kind == "html" else text_blocks(text)
        return build_report(blocks, outline, source=filename, fmt=report_format(kind), encoding=enc)
    if kind == "encrypted":
        raise ParseFailed("the document is encrypted (password-protected); ask the agency for an unprotected copy")
    if kind == "empty":
        raise ParseFailed("the file is empty")
    raise ParseFailed(f"unsupported file type ({kind}); expected DOCX, DOC, ODT, RTF, PDF, XLSX, image or text")


def _parse_docx(data: bytes, filename: str, outline: Outline, limits: Limits, fmt: str,
                conversion: str | None = None) -> ParsedReport:
    check_zip(data, limits)
    try:
        blocks, enc, pages = read_docx(data, limits)
    except DocxError as e:
        raise ParseFailed(str(e)) from None
    if pages and pages > limits.max_pages:
        raise ParseFailed(f"the document has {pages} pages, over the limit of {limits.max_pages}")
    return build_report(blocks, outline, source=filename, fmt=fmt, encoding=enc, pages=pages,
                        conversion=conversion)


def _parse_legacy(data: bytes, kind: str, filename: str, outline: Outline, limits: Limits) -> ParsedReport:
    try:
        docx = convert_to_docx(data, kind, limits)
    except Exception as e:  # noqa: BLE001 - ConversionFailed or a sandbox error
        raise ParseFailed(f"cannot convert .{kind} to DOCX: {getattr(e, 'reason', None) or e}") from None
    return _parse_docx(docx, filename, outline, limits, fmt=kind, conversion=f"{kind}→docx (LibreOffice)")
