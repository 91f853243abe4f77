"""parsers: any report an agency sends → the campaign outline, with metrics.

Pure: bytes in, `ParsedReport` out. A facade: the names below live in their own
modules (`dispatch` picks the backend, `build` makes the report), which backends
import directly; nothing in the package imports this module back.

    parse_bytes(data, filename, outline, limits=None) -> ParsedReport
    parse_text(text, outline, html=False, source="body") -> ParsedReport
"""
from __future__ import annotations

from parsers.build import build_report
from parsers.detect import detect_kind, report_format
from parsers.dispatch import parse_bytes, parse_text
from parsers.errors import ParseFailed
from parsers.limits import Limits
from parsers.report import ParsedReport, format_text

__all__ = ["parse_bytes", "parse_text", "ParsedReport", "Limits", "ParseFailed", "build_report", "format_text",
           "detect_kind", "report_format"]
