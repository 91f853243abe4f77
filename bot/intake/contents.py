"""Extract a message's files and parse its documents (or its body) into the outline.

Pure with respect to the database: takes the parsed message and the outline, returns
what was found. Each document is parsed in the sandbox (a child process with time and
memory limits), so a hostile file cannot take the service down.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage

from bot.intake.attachments import UNOPENED_KINDS, ExtractedFile, Limits, body_text, extract
from parsers import parse_text
from parsers.detect import DOCUMENT_KINDS, is_image
from parsers.model import Outline
from parsers.report import Metric, ParsedReport, Section
from parsers.sandbox import run_parse

# Below this share of the outline a body is a cover note ("giao Sở … thực hiện"), not a report.
BODY_REPORT_MIN_SECTIONS = 2


@dataclass
class ParsedFile:
    file: ExtractedFile
    result: dict | None = None  # the `reportbot parse` JSON contract shape
    problem: str = ""  # why it was not parsed or could not be read
    problem_code: str = ""  # the same as a code: a skip code (attachments.SKIP_CODES), "no_section", "not_a_document"

    @property
    def found_sections(self) -> int:
        return sum(1 for s in (self.result or {}).get("sections", ()) if s.get("found"))


@dataclass
class Contents:
    files: list[ParsedFile] = field(default_factory=list)
    body: dict | None = None  # parse of the mail body, when no document carried the report

    @property
    def reports(self) -> list[dict]:
        found = [p.result for p in self.files if p.result and p.found_sections]
        if not found and self.body is not None:
            found = [self.body]
        return found

    @property
    def has_documents(self) -> bool:
        """Did the agency send files meant as its report (read or not)?"""
        return any((p.file.skipped_reason is None and _is_document(p.file))
                   or p.file.detected_kind in UNOPENED_KINDS for p in self.files)


def _is_document(f: ExtractedFile) -> bool:
    """Sent to the parser. A password-protected document too: the parser names the
    reason ("password-protected"), which staff and the agency then see."""
    return f.detected_kind in DOCUMENT_KINDS or is_image(f.detected_kind) or f.detected_kind == "encrypted"


def parse_document(data: bytes, filename: str, outline: Outline) -> dict:

    return run_parse(data, filename, outline)


def read_contents(msg: EmailMessage, outline: Outline, limits: Limits | None = None) -> Contents:
    contents = Contents()
    for f in extract(msg, limits):
        pf = ParsedFile(f)
        if f.skipped_reason:
            pf.problem, pf.problem_code = f.skipped_reason, f.skipped_code
        elif _is_document(f):
            pf.result = parse_document(f.data, f.filename, outline)
            if not pf.found_sections:
                pf.problem = "; ".join(pf.result.get("warnings") or []) or "no outline section found"
                pf.problem_code = "no_section"  # unreadable, or read without any section of the outline
        else:
            pf.problem, pf.problem_code = f"not a report document ({f.detected_kind})", "not_a_document"
        contents.files.append(pf)
    if not any(p.found_sections for p in contents.files):
        text, is_html = body_text(msg)
        if text.strip():

            body = parse_text(text, outline, html=is_html, source="body").to_json()
            if sum(1 for s in body["sections"] if s["found"]) >= BODY_REPORT_MIN_SECTIONS:
                contents.body = body
    return contents


def merge_reports(reports: list[dict], outline: Outline) -> dict:
    """One report from several documents (a report and its annex): for each node the
    most confident text found, each section saying which file it came from; metrics
    and warnings of all. Missing and completeness are computed as the parser does."""

    best: dict[str, tuple[dict, str]] = {}
    for rep in reports:
        for s in rep["sections"]:
            held = best.get(s["id"])
            if held is None or (s["found"], s["confidence"]) > (held[0]["found"], held[0]["confidence"]):
                best[s["id"]] = (s, rep.get("source") or "")
    merged = ParsedReport(
        source=" + ".join(r.get("source") or "" for r in reports), format="merged", outline=outline.code,
        sections=[Section(**best[n.id][0]) if n.id in best else Section(id=n.id) for n in outline.nodes],
        metrics=[Metric(**m) for rep in reports for m in rep.get("metrics", ())],
        warnings=[w for rep in reports for w in rep.get("warnings", ())],
        required=tuple(n.id for n in outline.nodes if n.required),
    ).to_json()
    for s in merged["sections"]:
        s["source"] = best[s["id"]][1] if s["found"] else None
    # the report's own facts are the main document's (the one with a number), not its annex's
    documents = [r["document"] for r in reports if r.get("document")]
    merged["document"] = next((d for d in documents if d.get("number")), documents[0] if documents else
                              merged["document"])
    return merged
