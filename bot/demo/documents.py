"""The documents every planned reply carries, generated before the clock starts.

DOCX via python-docx; PDF through LibreOffice when it is installed (half of them, the rest
with reportlab), else reportlab; the scanned PDF as page images; the legacy .doc only
through LibreOffice (the scenario plans none without it). Returns `replies.Files` per reply
key, and notes on what was substituted.
"""
from __future__ import annotations

import random
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from bot.demo import content, office
from bot.demo.docspec import build
from bot.demo.render_docx import render_docx
from bot.demo.render_flat import render_html, render_pdf, render_scan, render_text
from bot.demo.replies import Files, zipped
from bot.demo.scenario import Agency, Reply, Scenario, planned_day
from parsers.model import Outline


@dataclass
class Documents:
    files: dict[str, Files] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    expected: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # reply key -> sentence -> nodes


def _names(reply: Reply, a: Agency) -> dict[str, str]:
    day = reply.at.strftime("%Y%m%d")
    return {
        "docx": f"Báo cáo CĐS báo chí - {a.code}.docx",
        "pdf": f"Bao cao chuyen doi so bao chi - {a.code}.pdf",
        "scan": f"Scan_BC_{a.code}_{day}.pdf",
        "doc": f"BC 5422 {a.code}.doc",
        "zip": f"Bao cao 5422 - {a.code}.zip",
        "inner": f"Bao cao CDS bao chi {a.code}.docx",
    }


def make_documents(scenario: Scenario, agencies: dict[str, Agency], outline: Outline, tz: str,
                   seed: int) -> Documents:
    out = Documents()
    lo_jobs: dict[str, dict[str, bytes]] = {"pdf": {}, "doc": {}}
    docs, pending = {}, {}
    for i, r in enumerate(scenario.replies):
        a = agencies[r.agency]
        rng = random.Random(f"{seed}:{r.agency}")  # the same numbers in an agency's every version
        rep = content.report(a.code, a.name, a.category, rng, planned_day(r, tz))
        doc = build(r.shape, rep, outline)
        docs[r.key] = doc
        out.expected[r.key] = doc.expected
        if r.form in ("doc",) or (r.form == "pdf" and office.available() and i % 2 == 0):
            lo_jobs[r.form][r.key] = render_docx(doc)
    with ThreadPoolExecutor(2, thread_name_prefix="demo-office") as pool:
        futures: dict[str, Future] = {t: pool.submit(office.convert_many, jobs, t) for t, jobs in lo_jobs.items() if jobs}
        for r in scenario.replies:
            pending[r.key] = _files(r, agencies[r.agency], docs[r.key], lo_jobs, seed)
        converted = {t: f.result() for t, f in futures.items()}
    for r in scenario.replies:
        out.files[r.key] = _finish(r, agencies[r.agency], docs[r.key], pending[r.key], converted, out.notes)
    return out


def _files(r: Reply, a: Agency, doc, lo_jobs, seed: int) -> Files:
    """Everything not waiting for LibreOffice."""
    names = _names(r, a)
    if r.form == "body":
        return Files(text=render_text(doc))
    if r.form == "html":
        return Files(text=render_text(doc), html=render_html(doc))
    if r.form == "scan":
        return Files(((names["scan"], render_scan(doc, seed=seed)),))
    if r.form in ("doc", "pdf") and r.key in lo_jobs[r.form]:
        return Files()  # filled in by _finish
    if r.form == "pdf":
        return Files(((names["pdf"], render_pdf(doc)),))
    data = render_docx(doc)
    if r.form == "zip":
        return Files(((names["zip"], zipped([(names["inner"], data)])),))
    return Files(((names["docx"], data),))


def _finish(r: Reply, a: Agency, doc, files: Files, converted: dict, notes: list[str]) -> Files:
    if files.attachments or files.text or files.html:
        return files
    names = _names(r, a)
    data = converted.get(r.form, {}).get(r.key)
    if data is not None:
        return Files(((names[r.form], data),))
    notes.append(f"{a.code}: LibreOffice could not make the {r.form.upper()}; a "
                 f"{'reportlab PDF' if r.form == 'pdf' else 'DOCX'} was sent instead")
    if r.form == "pdf":
        return Files(((names["pdf"], render_pdf(doc)),))
    return Files(((names["docx"], render_docx(doc)),))
