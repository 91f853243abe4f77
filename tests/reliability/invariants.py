"""After faults: was anything lost, duplicated or left half-done? Figures, and the problems found.

`check(site, ledger, sink)` reads the database, the store, the IMAP folders and what the
SMTP server accepted, and compares them with the ledger of replies that were appended:

- every reply recorded exactly once (one InboundMessage by SHA-256, in the state its kind
  calls for; one Submission for each report, from the right agency);
- every report acknowledged once (or its ack capped, with the event saying so);
- every Message-ID accepted by the SMTP server once — a second copy is allowed only for
  a row whose acceptance went unconfirmed (reclaimed after a crash, or retried after the
  connection broke: the documented resend), and must be byte-identical;
- no reminder sent after the agency's report was recorded but one already handed to the
  server when it came in (`in_flight`); one queued meanwhile (the planner read its facts
  just before the report committed) must end cancelled by the claim-time check;
- the database consistent (SQLite integrity and foreign keys, every stored file present
  with its hash, an event for every submission and every sent mail, nothing left
  `stored`/`processing`/`sending`), and the inbox filed (each message in exactly one folder).
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import text
from sqlmodel import select

from db.models import (
    Agency,
    Attachment,
    Event,
    InboundMessage,
    OutboundMail,
    Submission,
)

from .harness import SinkIndex, Site
from .world import CAMPAIGN_CODE, Reply

IN_FLIGHT = timedelta(seconds=3)  # a claimed batch still being handed to the server
REMINDERS = ("reminder", "overdue")


@dataclass
class Figures:
    replies: int = 0
    by_kind: Counter = field(default_factory=Counter)
    recorded_once: int = 0
    submissions: int = 0
    acks_sent: int = 0
    acks_capped: int = 0
    outbox: Counter = field(default_factory=Counter)       # status -> rows
    sink_messages: int = 0
    sink_unique: int = 0
    resends: int = 0                                       # documented: reclaimed after a crash
    resends_after_cut: int = 0                             # documented: the connection broke after DATA
    delivered_but_cancelled: int = 0                       # accepted, unrecorded, then cancelled on reclaim
    reminders_sent: int = 0
    reminders_in_flight: int = 0
    reminders_queued_late: int = 0                         # queued as the report came in; cancelled
    folders: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.by_kind.items()))
        return [
            f"replies appended: {self.replies} ({kinds})",
            f"recorded exactly once: {self.recorded_once}/{self.replies}; submissions {self.submissions}",
            f"acks sent {self.acks_sent}, capped {self.acks_capped}",
            f"outbox rows: {dict(self.outbox)}",
            f"SMTP accepted {self.sink_messages} messages, {self.sink_unique} Message-IDs; documented resends "
            f"{self.resends} after a crash, {self.resends_after_cut} after a broken connection; "
            f"delivered-then-cancelled {self.delivered_but_cancelled}",
            f"reminders sent {self.reminders_sent}; in flight when the report was recorded "
            f"{self.reminders_in_flight}; queued as it came in, then cancelled {self.reminders_queued_late}",
            f"IMAP folders: {self.folders}",
            f"problems: {len(self.problems)}",
        ] + [f"  - {p}" for p in self.problems[:40]]


def check(site: Site, ledger: list[Reply], sink: SinkIndex) -> Figures:
    f = Figures(replies=len(ledger), by_kind=Counter(r.kind for r in ledger))
    sink.refresh()
    with site.session() as s:
        _replies(s, ledger, f)
        _acks(s, f)
        _sent_mail(s, sink, f)
        _reminders(s, sink, f)
        _database(s, site, f)
    f.folders = site.folder_counts()
    cfg = site.app.config.imap
    filed = f.folders[cfg.processed_folder] + f.folders[cfg.quarantine_folder]
    if f.folders[cfg.folder] or filed != len({r.sha256 for r in ledger}):
        f.problems.append(f"IMAP: {f.folders} for {len(ledger)} replies (each must be filed exactly once)")
    return f


def _replies(s, ledger: list[Reply], f: Figures) -> None:
    codes = {a.id: a.code for a in s.exec(select(Agency))}
    rows = {r.sha256: r for r in s.exec(select(InboundMessage))}
    subs = {x.inbound_id: x for x in s.exec(select(Submission))}
    f.submissions = len(subs)
    wanted = {r.sha256 for r in ledger}
    for extra in set(rows) - wanted:
        f.problems.append(f"inbound #{rows[extra].id} matches no appended reply")
    for r in ledger:
        row = rows.get(r.sha256)
        if row is None:
            f.problems.append(f"{r.kind} {r.message_id} from {r.agency}: never recorded (lost)")
            continue
        state, classification, makes_submission = r.expected
        got = (row.state, row.classification)
        if got != (state, classification):
            f.problems.append(f"{r.kind} {r.message_id}: {got}, expected {(state, classification)} ({row.reason[:120]})")
            continue
        sub = subs.get(row.id)
        if makes_submission and (sub is None or codes[sub.agency_id] != r.agency):
            f.problems.append(f"{r.kind} {r.message_id}: submission {sub and codes[sub.agency_id]}, expected {r.agency}")
            continue
        if not makes_submission and sub is not None:
            f.problems.append(f"{r.kind} {r.message_id}: became a submission")
            continue
        f.recorded_once += 1


def _acks(s, f: Figures) -> None:
    acks = {o.dedupe_key: o for o in s.exec(select(OutboundMail).where(OutboundMail.kind == "ack"))}
    capped = {(e.detail or {}).get("inbound_id") for e in s.exec(select(Event).where(Event.kind == "ack.capped"))}
    codes = {a.id: a.code for a in s.exec(select(Agency))}
    for sub in s.exec(select(Submission)):
        key = f"{CAMPAIGN_CODE}|{codes[sub.agency_id]}|ack|{sub.inbound_id}"
        ack = acks.get(key)
        if ack is not None and ack.status == "sent":
            f.acks_sent += 1
        elif ack is None and sub.inbound_id in capped:
            f.acks_capped += 1
        else:
            f.problems.append(f"submission #{sub.id}: ack {ack.status if ack else 'missing'}")


def _unconfirmed(s) -> tuple[set, set]:
    """Message-IDs whose acceptance may have gone unconfirmed: reclaimed after a crash, or
    deferred after the connection broke (a 4xx reply is a refusal, not an unconfirmed 250)."""
    reclaimed, broken = set(), set()
    for e in s.exec(select(Event).where(Event.kind.in_(("outbox.reclaimed", "outbox.deferred")))):
        d = e.detail or {}
        if e.kind == "outbox.reclaimed":
            reclaimed.add(d.get("message_id"))
        elif str(d.get("error", "")).startswith(("connection:", "unexpected")):
            broken.add(d.get("message_id"))
    return reclaimed, broken


def _sent_mail(s, sink: SinkIndex, f: Figures) -> None:
    rows = {o.message_id: o for o in s.exec(select(OutboundMail))}
    f.outbox = Counter(o.status for o in rows.values())
    reclaimed, broken = _unconfirmed(s)
    f.sink_messages, f.sink_unique = sum(sink.count.values()), len(sink.count)
    for mid, n in sink.count.items():
        row = rows.get(mid)
        if row is None:
            f.problems.append(f"SMTP got {mid}, which is in no outbox row")
            continue
        if row.status == "cancelled" and mid in reclaimed | broken:
            f.delivered_but_cancelled += 1
        elif row.status != "sent":
            f.problems.append(f"SMTP got {row.dedupe_key} but its row is {row.status}")
        if n == 1:
            continue
        if len(sink.bodies[mid]) != 1:
            f.problems.append(f"{row.dedupe_key} ({mid}) accepted {n} times with different bytes")
        elif mid in reclaimed:
            f.resends += n - 1
        elif mid in broken:
            f.resends_after_cut += n - 1
        else:
            f.problems.append(f"{row.dedupe_key} ({mid}) accepted {n} times, never unconfirmed")
    for mid, row in rows.items():
        if row.status == "sent" and mid not in sink.count:
            f.problems.append(f"{row.dedupe_key} is recorded sent but never reached the SMTP server")
        if row.status == "sending":  # a graceful stop gives claims back; `pending` is the queue
            f.problems.append(f"{row.dedupe_key} left {row.status}")


def _reminders(s, sink: SinkIndex, f: Figures) -> None:
    """None sent after the report (but one in flight); one queued after it (the planner read its
    facts before the report committed) must have been cancelled at claim time."""
    first_report_event: dict[int, int] = {}
    for e in s.exec(select(Event).where(Event.kind == "submission.recorded").order_by(Event.id)):
        first_report_event.setdefault(e.agency_id, e.id)
    first_report_at = {}
    for sub in s.exec(select(Submission).order_by(Submission.created_at)):
        first_report_at.setdefault(sub.agency_id, sub.created_at)
    rows = {o.message_id: o for o in s.exec(select(OutboundMail).where(OutboundMail.kind.in_(REMINDERS)))}
    for e in s.exec(select(Event).where(Event.kind == "outbox.queued")):
        row = rows.get((e.detail or {}).get("message_id"))
        if row is None or e.agency_id not in first_report_event or e.id < first_report_event[e.agency_id]:
            continue
        f.reminders_queued_late += 1
        if row.status != "cancelled":
            f.problems.append(f"{row.dedupe_key} queued after the report and {row.status}, not cancelled")
    for mid, _kind, _, arrived in sink.arrivals:
        row = rows.get(mid)
        if row is None:
            continue
        f.reminders_sent += 1
        reported = first_report_at.get(row.agency_id)
        if reported is not None and arrived > reported:
            if arrived - reported <= IN_FLIGHT:
                f.reminders_in_flight += 1
            else:
                f.problems.append(f"{row.dedupe_key} reached the server {arrived - reported} after the report")


def _database(s, site: Site, f: Figures) -> None:
    conn = s.connection()
    if conn.dialect.name == "sqlite":
        ok = conn.execute(text("PRAGMA integrity_check")).scalar()
        if ok != "ok":
            f.problems.append(f"SQLite integrity_check: {ok}")
        bad_fk = conn.execute(text("PRAGMA foreign_key_check")).all()
        if bad_fk:
            f.problems.append(f"foreign keys broken: {bad_fk[:5]}")
    root = site.app.config.storage_dir
    for row in s.exec(select(InboundMessage)):
        if row.state in ("stored", "processing"):
            f.problems.append(f"inbound #{row.id} left {row.state}")
        if not _file_ok(root / row.raw_path, row.sha256):
            f.problems.append(f"inbound #{row.id}: raw file missing or corrupt")
    for a in s.exec(select(Attachment)):
        if a.blob_path and not _file_ok(root / a.blob_path, a.sha256):
            f.problems.append(f"attachment #{a.id}: blob missing or corrupt")
    by_key = Counter((x.campaign_id, x.agency_id) for x in s.exec(select(Submission)))
    for (cid, aid), n in by_key.items():
        versions = sorted(x.version for x in s.exec(select(Submission).where(
            Submission.campaign_id == cid, Submission.agency_id == aid)))
        current = s.exec(select(Submission).where(Submission.campaign_id == cid, Submission.agency_id == aid,
                                                  Submission.is_current)).all()
        if versions != list(range(1, n + 1)) or len(current) != 1 or current[0].version != n:
            f.problems.append(f"agency #{aid}: versions {versions}, current {[c.version for c in current]}")
    events = Counter(e for e in s.exec(select(Event.kind)))
    if events["submission.recorded"] != f.submissions:
        f.problems.append(f"{events['submission.recorded']} submission events for {f.submissions} submissions")
    if events["outbox.sent"] != f.outbox["sent"]:
        f.problems.append(f"{events['outbox.sent']} outbox.sent events for {f.outbox['sent']} sent rows")


def _file_ok(path, sha: str) -> bool:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == sha
    except OSError:
        return False
