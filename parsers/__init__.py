"""parsers: any report an agency sends → the campaign outline, with metrics.

Pure: bytes in, `ParsedReport` out. The type is decided by content, never by
the file name. Bad input never raises: the result carries the reason in
`warnings` and every section `found: false`.

    parse_bytes(data, filename, outline, limits=None) -> ParsedReport
    parse_text(text, outline, html=False, source="body") -> ParsedReport
"""
from __future__ import annotations

import io
import logging

from parsers.blocks import Block, decode_legacy
from parsers.detect import LEGACY_KINDS, decode_text, detect_kind, is_image
from parsers.limits import Limits, RefusedInput, check_size, check_zip
from parsers.metrics import extract_metrics
from parsers.model import Outline
from parsers.outline import match_blocks
from parsers.report import ParsedReport, empty_report, format_text
from parsers.text import html_blocks, text_blocks

__all__ = ["parse_bytes", "parse_text", "ParsedReport", "Limits", "format_text", "detect_kind", "report_format"]

log = logging.getLogger(__name__)


# what a result's `format` says for a detected kind that a backend reads as another
_FORMATS = {"ole": "doc", "xml": "text", "vcard": "text"}


class ParseFailed(Exception):
    """A file could not be read; `str()` is the reason shown in `warnings`."""


def report_format(kind: str) -> str:
    """The `format` of a parse result for a kind from `detect_kind` ("image" for any picture)."""
    return "image" if is_image(kind) else _FORMATS.get(kind, kind)


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
    text, enc = decode_legacy(text)
    blocks = html_blocks(text) if html else text_blocks(text)
    return build_report(blocks, outline, source=source, fmt="html" if html else "text", encoding=enc)


def build_report(blocks: list[Block], outline: Outline, *, source: str, fmt: str, encoding: str | None = None,
                 ocr: bool = False, pages: int | None = None, warnings: list[str] | None = None,
                 conversion: str | None = None) -> ParsedReport:
    sections = match_blocks(blocks, outline)
    report = ParsedReport(
        source=source, format=fmt, outline=outline.code, sections=sections, ocr=ocr,
        encoding_fixed=encoding, warnings=list(warnings or []),
        required=tuple(n.id for n in outline.nodes if n.required), pages=pages, conversion=conversion,
    )
    report.metrics = extract_metrics(sections, outline)
    if not any(s.found for s in sections):
        if not any(b.full_text.strip() for b in blocks):
            report.warnings.append(f"{source}: no text found in the document")
        else:
            report.warnings.append(f"{source}: no heading of the outline {outline.code} recognised")
    return report


def _parse_kind(data: bytes, kind: str, filename: str, outline: Outline, limits: Limits) -> ParsedReport:
    if kind == "docx":
        return _parse_docx(data, filename, outline, limits, fmt="docx")
    if kind == "pdf":
        from parsers.pdf import parse_pdf  # noqa: PLC0415

        return parse_pdf(data, filename, outline, limits)
    if kind in LEGACY_KINDS or kind == "ole":  # an OLE file of no known kind: Word may still open it
        return _parse_legacy(data, report_format(kind), filename, outline, limits)
    if is_image(kind):
        return _parse_image(data, filename, outline)
    if kind in ("text", "html", "xml", "vcard"):
        text, enc = decode_legacy(decode_text(data))
        blocks = html_blocks(text) if kind == "html" else text_blocks(text)
        return build_report(blocks, outline, source=filename, fmt=report_format(kind), encoding=enc)
    if kind == "encrypted":
        raise ParseFailed("the document is encrypted (password-protected); ask the agency for an unprotected copy")
    if kind == "empty":
        raise ParseFailed("the file is empty")
    raise ParseFailed(f"unsupported file type ({kind}); expected DOCX, DOC, ODT, RTF, PDF, image or text")


def _parse_docx(data: bytes, filename: str, outline: Outline, limits: Limits, fmt: str,
                conversion: str | None = None) -> ParsedReport:
    from parsers.docx import DocxError, read_docx  # noqa: PLC0415

    check_zip(data, limits)
    try:
        blocks, enc, pages = read_docx(io.BytesIO(data), limits.max_uncompressed_bytes)
    except DocxError as e:
        raise ParseFailed(str(e)) from None
    if pages and pages > limits.max_pages:
        raise ParseFailed(f"the document has {pages} pages, over the limit of {limits.max_pages}")
    return build_report(blocks, outline, source=filename, fmt=fmt, encoding=enc, pages=pages,
                        conversion=conversion)


def _parse_legacy(data: bytes, kind: str, filename: str, outline: Outline, limits: Limits) -> ParsedReport:
    try:
        from parsers.legacy import convert_to_docx  # noqa: PLC0415
    except ImportError:
        raise ParseFailed(f"legacy conversion unavailable: cannot read .{kind} files here") from None
    try:
        docx = convert_to_docx(data, kind, limits)
    except Exception as e:  # noqa: BLE001 - ConversionFailed or a sandbox error
        raise ParseFailed(f"cannot convert .{kind} to DOCX: {getattr(e, 'reason', None) or e}") from None
    return _parse_docx(docx, filename, outline, limits, fmt=kind, conversion=f"{kind}→docx (LibreOffice)")


def _parse_image(data: bytes, filename: str, outline: Outline) -> ParsedReport:
    try:
        from parsers.ocr import ocr_image  # noqa: PLC0415
    except ImportError:
        raise ParseFailed("OCR unavailable: cannot read an image") from None
    text = ocr_image(data)
    return build_report(text_blocks(text), outline, source=filename, fmt="image", ocr=True)
