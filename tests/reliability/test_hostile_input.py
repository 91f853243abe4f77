"""Hostile mail through the whole intake of a real `reportbot run`: each case ends in a recorded,
explained rejection or a parse result — never a crash, a hang or unbounded memory.

The cases (tests/reliability/hostile.py) come from registered agency addresses with the
subject token, so they pass classify, match and verify and reach extraction and the parse
sandbox. Peak resident memory of the service process (VmHWM) stays under 500 MB.
"""
from __future__ import annotations

import time
from datetime import timedelta

from sqlmodel import select

from db.models import Attachment, InboundMessage, Submission
from tests.sites import ServiceRun, settled, wait_until

from .harness import START, Timeline
from .hostile import cases
from .world import address

PEAK_RSS_MB = 500
TERMINAL = ("processed", "quarantined", "ignored")


def _outcomes(site) -> dict[str, dict]:
    """Per sender address: its message's row, attachments and submission."""
    with site.session() as s:
        out = {}
        for row in s.exec(select(InboundMessage)):
            atts = s.exec(select(Attachment).where(Attachment.inbound_id == row.id)).all()
            sub = s.exec(select(Submission).where(Submission.inbound_id == row.id)).first()
            out[row.from_addr] = {"row": row, "attachments": atts, "submission": sub}
    return out


def _explained(o: dict) -> bool:
    """A parse result, or every file not parsed has its reason, or the message was set aside with one."""
    atts, row = o["attachments"], o["row"]
    if o["submission"] is not None or row.state == "quarantined" and row.reason:
        return True
    return bool(atts) and all(a.reason for a in atts if a.parse_status != "parsed")


def _any_reason(o: dict, *words: str) -> bool:
    text = " ".join(a.reason.lower() for a in o["attachments"]) + " " + o["row"].reason.lower()
    return any(w.lower() in text for w in words)


def test_hostile_mail_ends_in_a_recorded_reason_or_a_result_within_memory(make_site):
    site = make_site("hostile", agencies=20)
    built = cases(site.agencies)
    timeline = Timeline(START + timedelta(days=5), 1.0)
    for raw in built.values():
        site.append(raw, timeline.now())
    t0 = time.monotonic()
    run = ServiceRun(site, timeline.now())
    wait_until(lambda: settled(site), 240, "taking in the hostile mail", run, step=0.5)
    seconds = time.monotonic() - t0
    assert run.stop() == 0
    by_sender = _outcomes(site)
    print(f"\nhostile input: {len(built)} cases in {seconds:.0f} s; peak RSS of reportbot run "
          f"{run.hwm_kb / 1024:.0f} MB, of a parse child {run.child_hwm_kb / 1024:.0f} MB")
    for (name, _), code in zip(built.items(), site.agencies):
        o = by_sender[address(code)]
        reasons = "; ".join(sorted({a.reason[:80] for a in o["attachments"] if a.reason}))[:300]
        print(f"  {name}: {o['row'].state}/{o['row'].classification}, "
              f"{'submission' if o['submission'] else 'no submission'}; {reasons}")
        assert o["row"].state in TERMINAL, (name, o["row"].state, o["row"].reason)
        assert _explained(o), (name, [(a.filename, a.parse_status, a.reason) for a in o["attachments"]])

    o = lambda name: by_sender[address(site.agencies[list(built).index(name)])]
    assert _any_reason(o("zip bomb"), "ratio", "bomb", "size limit")
    assert _any_reason(o("DOCX with an XML entity bomb"), "DOCTYPE", "entity")
    assert _any_reason(o("DOCX with missing parts"), "document.xml", "missing", "not a", "cannot")
    assert _any_reason(o("encrypted PDF"), "encrypted", "password")
    assert _any_reason(o("2,000-page PDF"), "2000 pages", "pages")
    assert _any_reason(o("50 MB attachment"), "too large")
    assert _any_reason(o("malformed MIME boundary"), "MIME structure is broken")
    many = o("500 attachments in one mail")
    assert many["submission"] is not None and _any_reason(many, "too many files")
    traversal = o("filename with ../ and NUL bytes")
    assert traversal["submission"] is not None
    assert all("/" not in a.filename and "\x00" not in a.filename and ".." not in a.filename
               for a in traversal["attachments"])
    assert all(a.blob_path.endswith(a.sha256) for a in traversal["attachments"] if a.blob_path)
    html = o("HTML with scripts in the body")["submission"]
    if html is not None:  # read from the body: the scripts are not report text
        text = " ".join(s.get("text", "") for s in html.sections)
        assert "alert(" not in text and "document.cookie" not in text
    assert run.hwm_kb / 1024 < PEAK_RSS_MB
