"""The shared real-world corpus (<repo>/../shared/corpus) through the whole intake of a real
`reportbot run`: every email/ message appended as it is, every docx/doc/pdf/vi document
attached to a reply from a registered agency address (one agency each, so no ack cap and no
second versions blur the picture). Used by tests/reliability (a bounded part) and
bench/soak.py --mode corpus (all of it).
"""
from __future__ import annotations

import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from sqlmodel import select

from db.models import Attachment, InboundMessage
from tests.sites import OUR_ADDRESS, ServiceRun, address, settled, wait_until

from .harness import START, Site
from .world import CAMPAIGN_CODE, CORPUS, crlf_bytes

DOC_FOLDERS = ("docx", "doc", "pdf", "vi")
TERMINAL = ("processed", "quarantined", "ignored")


def corpus_files(sample: int | None = None, seed: int = 5422) -> tuple[list[Path], list[Path]]:
    """(every email/ message, the documents): all of docx/, and of doc/, pdf/ and vi/ all or a
    seeded `sample` of each (their parses take seconds: OCR, LibreOffice)."""
    root = CORPUS.resolve()
    emails = sorted(p for p in (root / "email").rglob("*") if p.is_file())
    docs = []
    rng = random.Random(seed)
    for folder in DOC_FOLDERS:
        files = sorted(p for p in (root / folder).iterdir() if p.is_file())
        if sample is not None and folder != "docx" and len(files) > sample:
            files = sorted(rng.sample(files, sample))
        docs += files
    return emails, docs


def document_reply(code: str, path: Path) -> tuple[str, bytes]:
    msg = EmailMessage()
    msg["From"], msg["To"] = f"Văn thư {code} <{address(code)}>", OUR_ADDRESS
    msg["Subject"] = f"Re: [{CAMPAIGN_CODE} #{code}] Báo cáo ({path.parent.name}/{path.name})"
    msg["Date"], msg["Message-ID"] = format_datetime(START), make_msgid(domain=f"{code.lower()}.example")
    msg.set_content("Kính gửi Cục Báo chí, xin gửi báo cáo kèm theo.")
    msg.add_attachment(path.read_bytes(), maintype="application", subtype="octet-stream", filename=path.name)
    return str(msg["Message-ID"]), crlf_bytes(msg)


@dataclass
class CorpusOutcome:
    emails: int = 0
    documents: int = 0
    rows: int = 0
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    same_once_stored: int = 0   # copies differing only in line ends: one row (dedupe by SHA-256)
    states: Counter = field(default_factory=Counter)           # (folder, state/classification) -> n
    parse: Counter = field(default_factory=Counter)            # document outcome (gist) -> n
    problems: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = [f"corpus through intake: {self.emails} e-mails and {self.documents} documents in "
                 f"{self.seconds:.0f} s ({(self.emails + self.documents) / max(self.seconds, 1e-9):.1f} msg/s), "
                 f"peak RSS of reportbot run {self.peak_rss_mb:.0f} MB; {self.rows} recorded "
                 f"({self.same_once_stored} copies identical to another once stored: recorded once)",
                 f"  outcomes: {dict(sorted(self.states.items()))}",
                 "  documents:"] + [f"    {n} {what}" for what, n in self.parse.most_common()] + [
                 f"  problems: {len(self.problems)}"]
        return "\n".join(lines + [f"    - {p}" for p in self.problems[:30]])


def corpus_intake(site: Site, emails: list[Path], docs: list[Path], *, timeout: float = 900) -> CorpusOutcome:
    out = CorpusOutcome(emails=len(emails), documents=len(docs))
    if len(docs) > len(site.agencies):
        raise ValueError(f"{len(docs)} documents need as many agencies (the site has {len(site.agencies)})")
    items = [(p.read_bytes(), START) for p in emails]
    sent = {}
    for code, path in zip(site.agencies, docs):
        mid, raw = document_reply(code, path)
        sent[mid.strip("<>")] = path
        items.append((raw, START))
    site.append_many(items)
    t0 = time.monotonic()
    run = ServiceRun(site, START)
    wait_until(lambda: settled(site), timeout, "taking in the corpus", run, step=1.0)
    out.seconds = time.monotonic() - t0
    if run.stop() != 0:
        out.problems.append(f"reportbot run exited {run.proc.returncode} on SIGTERM")
    out.peak_rss_mb = run.hwm_kb / 1024
    out.same_once_stored = len(items) - len({_stored_form(raw) for raw, _ in items})
    _check(site, out, sent, len(items))
    return out


def _what(a: Attachment) -> str:
    """A document's outcome in a few words: 'parsed' (outline sections found), or its reason's gist."""
    if a.parse_status == "parsed":
        return "parsed: outline sections found"
    reason = a.reason.split(": ", 1)[-1] if a.reason.startswith(a.filename) else a.reason
    return f"{a.parse_status}: " + " ".join(re.sub(r"[\d.]+", "N", reason).split()[:6])


def _stored_form(raw: bytes) -> bytes:
    """What the IMAP server keeps: line ends made CRLF (a CR-only or LF-only copy of a message
    becomes byte-identical to it, and is then recorded once: dedupe by SHA-256)."""
    return re.sub(rb"\r\n|\r|\n", b"\r\n", raw)


def _check(site: Site, out: CorpusOutcome, sent: dict[str, Path], appended: int) -> None:
    with site.session() as s:
        rows = s.exec(select(InboundMessage)).all()
        atts = {}
        for a in s.exec(select(Attachment)):
            atts.setdefault(a.inbound_id, []).append(a)
    out.rows = len(rows)
    by_mid = {(r.message_id or "").strip("<>"): r for r in rows}
    for r in rows:
        mid = (r.message_id or "").strip("<>")
        folder = sent[mid].parent.name if mid in sent else "email"
        out.states[(folder, f"{r.state}/{r.classification}")] += 1
        if r.state not in TERMINAL:
            out.problems.append(f"#{r.id} ({r.subject[:60]!r}) left {r.state}: {r.reason[:120]}")
    for mid, path in sent.items():
        row = by_mid.get(mid)
        if row is None:
            out.problems.append(f"{path.name}: its reply was never recorded")
            continue
        mine = atts.get(row.id, [])
        if not mine:
            out.problems.append(f"{path.name}: no attachment row ({row.state}: {row.reason[:100]})")
        for a in mine:
            out.parse[_what(a)] += 1
            if a.parse_status != "parsed" and not a.reason:
                out.problems.append(f"{path.name}: {a.parse_status} without a reason")
    folders = site.folder_counts()
    filed = folders["reportbot/processed"] + folders["reportbot/quarantine"]
    if folders["INBOX"] or filed != appended:
        out.problems.append(f"IMAP folders {folders} for {appended} appended messages")
    if len(rows) != appended - out.same_once_stored:
        out.problems.append(f"{appended} messages appended ({out.same_once_stored} identical once stored), "
                            f"{len(rows)} recorded")
