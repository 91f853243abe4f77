"""Blocks → ParsedReport: the step every backend ends with (outline, metrics, document facts)."""
from __future__ import annotations

from parsers.blocks import Block
from parsers.document import document_facts
from parsers.metrics import extract_metrics
from parsers.model import Outline
from parsers.outline import match_document
from parsers.report import ParsedReport


def build_report(blocks: list[Block], outline: Outline, *, source: str, fmt: str, encoding: str | None = None,
                 ocr: bool = False, pages: int | None = None, warnings: list[str] | None = None,
                 conversion: str | None = None) -> ParsedReport:
    sections, appendices = match_document(blocks, outline)
    report = ParsedReport(
        source=source, format=fmt, outline=outline.code, sections=sections, ocr=ocr,
        encoding_fixed=encoding, warnings=list(warnings or []),
        required=tuple(n.id for n in outline.nodes if n.required), pages=pages, conversion=conversion,
    )
    report.metrics = extract_metrics(sections, outline, appendices)
    report.document = document_facts(blocks)
    if not any(s.found for s in sections):
        if not any(b.full_text.strip() for b in blocks):
            report.warnings.append(f"{source}: no text found in the document")
        else:
            report.warnings.append(f"{source}: no heading of the outline {outline.code} recognised")
    return report
