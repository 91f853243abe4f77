"""Load: a backlog of replies in the inbox, taken in by a real `reportbot run`, SQLite beside PostgreSQL.

    python bench/load.py [--agencies 1000] [--replies 5000] [--seed 5422] [--pg-instances 2]

The same replies (reports as DOCX, partial reports, second versions, large mails with an
annex, cover notes, out-of-office replies, bounces, strangers: tests/reliability/world.py's
mix) are appended to one Dovecot inbox per backend. `reportbot run` is then started and the
clock runs until every reply is recorded, filed, and every acknowledgement sent. Printed side
by side, for SQLite (one `run`), PostgreSQL with one `run`, and PostgreSQL with N `run`s
sharing the database (one fetches, every one claims stored messages to process), with the
ratio of N instances' throughput to one's:
- throughput end to end (messages/s, from the start of the process to the last ack), and in
  the steady state (between the first and the last message recorded);
- peak RSS (VmHWM) of the service process, and of a parse child;
- the floor: a bare IMAP FETCH of the same inbox (messages/s);
- the parse sandbox's share: documents parsed × the sandbox's cost per document (measured
  here on a sample of the same documents, sandboxed and in-process) over the wall time.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from reliability.harness import START, ServiceRun, build_site, kill_leftovers, settled
from reliability.world import ReplyStream, code_of
from servers import DovecotServer, PostgresServer, SMTPServer
from sqlmodel import func, select

from db.models import Attachment, InboundMessage, OutboundMail, Submission

NOW = START.replace(day=18)  # before the letter goes out: nothing is dispatched, replies match by sender


def make_replies(agencies: int, n: int, seed: int) -> list[bytes]:
    stream = ReplyStream([code_of(i) for i in range(1, agencies + 1)], random.Random(seed), large_bytes=300_000)
    return [stream.next(NOW, {}).raw for _ in range(n)]


def bare_fetch(site) -> float:
    with site.dovecot.client(site.account, timeout=120) as c:
        c.select_folder("INBOX", readonly=True)
        t0 = time.monotonic()
        uids = c.search(["ALL"])
        for i in range(0, len(uids), 50):
            c.fetch(uids[i:i + 50], ["BODY.PEEK[]"])
        return len(uids) / (time.monotonic() - t0)


def _progress(site) -> tuple[int, int]:
    with site.session() as s:
        done = s.exec(select(func.count()).select_from(InboundMessage)
                      .where(InboundMessage.state.in_(("processed", "quarantined", "ignored")))).one()
        docs = s.exec(select(func.count()).select_from(Attachment).where(Attachment.parse_result.is_not(None))).one()
    return done, docs


def take_in(site, n: int, instances: int) -> dict:
    t0 = time.monotonic()
    runs = [ServiceRun(site, NOW, tick=1.0) for _ in range(instances)]
    first = last = None
    done = 0
    while True:
        time.sleep(2.0)
        for r in runs:
            assert r.alive(), r.tail()
        done, docs = _progress(site)
        now = time.monotonic()
        if done and first is None:
            first = now
        if done >= n and settled(site):
            last = now
            break
        print(f"  … {done}/{n} recorded, {docs} documents parsed, {now - t0:.0f} s", flush=True)
    wall = last - t0
    for r in runs:
        r.stop()
    with site.session() as s:
        acks = s.exec(select(func.count()).select_from(OutboundMail).where(OutboundMail.kind == "ack",
                                                                           OutboundMail.status == "sent")).one()
        subs = s.exec(select(func.count()).select_from(Submission)).one()
    return {"wall": wall, "rate": n / wall, "steady": n / max(last - first, 1e-9), "docs": docs, "acks": acks, "subs": subs,
            "rss": max(r.hwm_kb for r in runs) / 1024, "child_rss": max(r.child_hwm_kb for r in runs) / 1024}


def sandbox_cost(replies: list[bytes], sample: int = 40) -> tuple[float, float]:
    """Seconds per document: sandboxed (run_parse) and in-process (parse_bytes), same documents."""
    from bot.cli.parse_cmds import default_outline
    from bot.intake.attachments import extract
    from bot.intake.headers import parse_message
    from parsers import parse_bytes
    from parsers.detect import DOCUMENT_KINDS
    from parsers.sandbox import run_parse

    outline = default_outline()
    files = [f for raw in replies[:sample * 3] for f in extract(parse_message(raw))
             if f.detected_kind in DOCUMENT_KINDS and not f.skipped_reason][:sample]
    run_parse(files[0].data, files[0].filename, outline)  # the forkserver starts once, as in the service
    t0 = time.monotonic()
    for f in files:
        run_parse(f.data, f.filename, outline)
    boxed = (time.monotonic() - t0) / len(files)
    t0 = time.monotonic()
    for f in files:
        parse_bytes(f.data, f.filename, outline)
    return boxed, (time.monotonic() - t0) / len(files)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--agencies", type=int, default=1000)
    p.add_argument("--replies", type=int, default=5000)
    p.add_argument("--seed", type=int, default=5422)
    p.add_argument("--pg-instances", type=int, default=2, help="reportbot run processes sharing PostgreSQL "
                                                              "(measured beside one)")
    a = p.parse_args(argv)
    t_gen = time.monotonic()
    replies = make_replies(a.agencies, a.replies, a.seed)
    print(f"{len(replies)} replies generated ({sum(map(len, replies)) / 2**20:.0f} MB) in "
          f"{time.monotonic() - t_gen:.0f} s", flush=True)
    boxed, direct = sandbox_cost(replies)
    results = {}
    with tempfile.TemporaryDirectory(prefix="reportbot-load-") as tmp, DovecotServer() as dovecot, \
            SMTPServer() as smtp, PostgresServer() as pg:
        runs = [("SQLite", None, 1), ("PostgreSQL", "pg", 1)]
        if a.pg_instances > 1:
            runs.append((f"PostgreSQL ×{a.pg_instances}", "pg", a.pg_instances))
        for name, url, instances in runs:
            url = pg.url(pg.create_database()) if url == "pg" else url
            site = build_site(Path(tmp) / name, dovecot=dovecot, smtp=smtp, agencies=a.agencies, db_url=url,
                              via_proxy=False)
            t_app = time.monotonic()
            site.append_many([(raw, NOW) for raw in replies])
            print(f"{name}: {len(replies)} appended in {time.monotonic() - t_app:.0f} s", flush=True)
            floor = bare_fetch(site)
            try:
                results[name] = take_in(site, len(replies), instances) | {"floor": floor, "instances": instances}
            finally:
                kill_leftovers()
                site.app.engine.dispose()
    _print(results, a, boxed, direct)
    return 0


def _print(results: dict, a, boxed: float, direct: float) -> None:
    rows = [
        ("run processes", "{instances}"),
        ("wall time, start to last ack (s)", "{wall:.0f}"),
        ("throughput end to end (msg/s)", "{rate:.1f}"),
        ("throughput, steady state (msg/s)", "{steady:.1f}"),
        ("documents parsed", "{docs}"),
        ("acks sent", "{acks}"),
        ("submissions recorded", "{subs}"),
        ("peak RSS, reportbot run (MB)", "{rss:.0f}"),
        ("peak RSS, a parse child (MB)", "{child_rss:.0f}"),
        ("floor: bare IMAP FETCH (msg/s)", "{floor:.0f}"),
        ("sandboxed parsing, share of wall time", "{share:.0%}"),
    ]
    for r in results.values():
        r["share"] = r["docs"] * boxed / r["wall"]
    print(f"\nload: {a.agencies} agencies, {a.replies} replies waiting in the inbox")
    print(f"{'':40s}" + "".join(f"{n:>14s}" for n in results))
    for label, fmt in rows:
        print(f"{label:40s}" + "".join(f"{fmt.format(**r):>14s}" for r in results.values()))
    one, many = results.get("PostgreSQL"), results.get(f"PostgreSQL ×{a.pg_instances}")
    if one and many:
        same = all(one[k] == many[k] for k in ("docs", "acks", "subs"))
        print("nothing recorded twice: " + ("yes (same documents, acks and submissions as one instance)" if same
                                            else "NO — the instances disagree with one instance"))
        print(f"{a.pg_instances} instances vs 1 on PostgreSQL: {many['rate'] / one['rate']:.2f}x end to end, "
              f"{many['steady'] / one['steady']:.2f}x in the steady state")
    print(f"parse cost per document: {boxed * 1000:.0f} ms sandboxed, {direct * 1000:.0f} ms in-process "
          f"(sandbox overhead {max(0.0, boxed - direct) * 1000:.0f} ms, "
          f"{statistics.mean([boxed / max(direct, 1e-9)]):.1f}x)")


if __name__ == "__main__":
    sys.exit(main())
