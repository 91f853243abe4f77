"""Score the parser on the unseen report shapes: sections and metrics.

    PYTHONPATH=$PWD:$PWD/tests/parsers python -m unseen.score [-v] [--pdf]

Sections: every paragraph and table row must land in its section's text and in no
other (text of parts that are no section, preamble and closing: in none), and no
Word placeholder text may land anywhere. Metrics: the (name, value) pairs the
report states, as a multiset; accuracy = matched / (stated + spurious).
--pdf: the DOCX shapes again, turned into PDF by LibreOffice (when installed); table
rows are not looked for verbatim there, as a PDF wraps their cells.
"""
from __future__ import annotations

import dataclasses
import sys
from collections import Counter
from dataclasses import dataclass, field

from unseen import NOWHERE, PLACEHOLDER_TEXT, PLACEHOLDER_TEXT_EN, Report, render


def _ws(s: str) -> str:
    return " ".join(s.split())


@dataclass
class Score:
    name: str
    placed: int = 0
    keys: int = 0
    matched: int = 0
    stated: int = 0
    spurious: int = 0
    wrong: list = field(default_factory=list)


def outline_for(report: Report):
    from bot.cli.parse_cmds import default_outline  # noqa: PLC0415

    outline = default_outline()
    if "year" in {f.name for f in dataclasses.fields(outline)}:
        outline = dataclasses.replace(outline, year=report.year)
    return outline


def parse(report: Report):
    import parsers  # noqa: PLC0415

    ext = {"text": "txt"}.get(report.fmt, report.fmt)
    return parsers.parse_bytes(render(report), f"{report.name}.{ext}", outline_for(report))


def score(report: Report, parsed, rows: bool = True) -> Score:
    sc = Score(report.name)
    texts = {s.id: _ws(s.text) for s in parsed.sections}
    for key, sid in report.expected():
        if not key.strip() or (not rows and " | " in key):
            continue
        where = {i for i, t in texts.items() if _ws(key) in t}
        sc.keys += 1
        if where == ({sid} if sid != NOWHERE else set()):
            sc.placed += 1
        else:
            sc.wrong.append(("section", key[:70], sid, sorted(where)))
    for sid in report.placeholders():
        sc.keys += 1
        leaked = sorted(i for i, t in texts.items() if PLACEHOLDER_TEXT in t or PLACEHOLDER_TEXT_EN in t)
        if not leaked:
            sc.placed += 1
        else:
            sc.wrong.append(("placeholder", sid, leaked))
    want = Counter((n, round(float(v), 4)) for n, v in report.metrics)
    got = Counter((m.name, round(float(m.value), 4)) for m in parsed.metrics if m.value is not None)
    sc.stated = sum(want.values())
    sc.matched = sum((want & got).values())
    sc.spurious = sum((got - want).values())
    for k in want - got:
        sc.wrong.append(("metric missed", *k))
    for k in got - want:
        sc.wrong.append(("metric spurious", *k))
    return sc


def as_pdf(reports: list[Report]) -> dict[str, bytes]:
    """{name: PDF} for the DOCX reports, converted in one LibreOffice run ({} without it)."""
    from bot.demo import office  # noqa: PLC0415

    return office.convert_many({r.name: render(r) for r in reports if r.fmt == "docx"}, "pdf")


def run(verbose: bool | None = False, pdf: bool = False) -> tuple[float, float, list[Score]]:
    """Sections and metrics accuracy; verbose None prints nothing, True lists every miss."""
    import parsers  # noqa: PLC0415
    from unseen.reports import all_reports  # noqa: PLC0415

    if pdf:
        reports = all_reports()
        pdfs = as_pdf(reports)
        scores = [score(r, parsers.parse_bytes(pdfs[r.name], f"{r.name}.pdf", outline_for(r)), rows=False)
                  for r in reports if r.name in pdfs]
    else:
        scores = [score(r, parse(r)) for r in all_reports()]
    if not scores:
        return 0.0, 0.0, []
    placed = sum(s.placed for s in scores)
    keys = sum(s.keys for s in scores)
    matched = sum(s.matched for s in scores)
    denom = sum(s.stated + s.spurious for s in scores)
    sections, metrics = placed / keys, matched / denom
    if verbose is not None:
        for s in scores:
            print(f"{s.name:38} sections {s.placed:3}/{s.keys:<3} metrics {s.matched:2}/{s.stated:<2} "
                  f"spurious {s.spurious}")
            if verbose:
                for w in s.wrong:
                    print("    ", *w)
        non_sheet = [s for s in scores if "xlsx" not in s.name]
        ns = sum(s.placed for s in non_sheet) / sum(s.keys for s in non_sheet)
        print(("PDF via LibreOffice: " if pdf else "") + f"sections {sections:.1%} ({placed}/{keys}; outside spreadsheets {ns:.1%})   "
              f"metrics {metrics:.1%} ({matched} of {sum(s.stated for s in scores)} stated, "
              f"{sum(s.spurious for s in scores)} spurious)")
    return sections, metrics, scores


if __name__ == "__main__":
    run(verbose="-v" in sys.argv[1:], pdf="--pdf" in sys.argv[1:])
