"""Dispatch throughput: our outbox mailer beside a naive one-connection-per-message smtplib loop.

    python bench/dispatch.py [--agencies 1000] [--size-kb 200] [--concurrency 4]
                             [--rtt-ms 20] [--rtt-messages 150] [--db sqlite|postgres]

Every dispatch (the 5422 letter with one incompressible attachment of --size-kb KB) is first
rendered into the outbox (bot/outbound/outbox.py: "queue", rows/s). Then the same stored rows are sent,
side by side in this run, by
- naive: for each row, read it, open an smtplib connection, send, quit — one at a time;
- ours: bot/outbound/mailer.py — `--concurrency` reused connections, no rate limit (rate_per_minute
  set very high), every claim and outcome recorded in the database;
to sinks in a subprocess on loopback that discard what they receive and exit when this
process closes their stdin:
- aiosmtpd: the aiosmtpd library (line-by-line DATA: the sink itself is the bottleneck);
- raw: a minimal sink reading DATA in bulk (the client side's own ceiling);
- raw+rtt: the raw sink waiting --rtt-ms before each reply, as a distant server does over a
  WAN (connection set-up costs round trips there: what reuse and concurrency save), on the
  first --rtt-messages rows only, to keep the run short.
Besides messages per second (wall clock), each side's CPU time per message in this process
(all its threads; the sink's is not counted): on a machine shared with other work the wall-clock
figures move with the load, the CPU ones much less.
Memory: the process's peak RSS after each phase, and tracemalloc's Python-heap peak during a
second mailer pass of 200 messages.
"""
from __future__ import annotations

import argparse
import os
import resource
import secrets
import smtplib
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import text, update
from sqlmodel import select

from bot.campaigns.agencies_file import AgencyRow
from bot.campaigns.agency_load import import_agencies
from bot.campaigns.campaign_load import DOCX_TYPE, load_campaign
from bot.core.app import App
from bot.core.config import parse_config
from bot.outbound.mailer import send_outbox
from bot.outbound.mails import config_sender
from bot.outbound.outbox import queue_due, read_body
from db.engine import migrate
from db.models import Campaign, OutboundMail

SINK = r"""
import asyncio, socket, sys, threading
mode, rtt = sys.argv[1], float(sys.argv[2]) / 1000
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]

class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 2.0.0 OK"

async def raw_client(reader, writer):
    # A minimal SMTP sink: commands by line, DATA read in bulk up to CRLF.CRLF.
    await asyncio.sleep(rtt)
    writer.write(b"220 sink ESMTP\r\n")
    while line := await reader.readline():
        await asyncio.sleep(rtt)
        verb = line[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            writer.write(b"250-sink\r\n250-8BITMIME\r\n250 SIZE 16777216\r\n")
        elif verb == b"DATA":
            writer.write(b"354 go on\r\n")
            await writer.drain()
            await reader.readuntil(b"\r\n.\r\n")
            await asyncio.sleep(rtt)
            writer.write(b"250 2.0.0 OK\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            break
        else:
            writer.write(b"250 OK\r\n")
        await writer.drain()
    writer.close()

if mode == "aiosmtpd":
    from aiosmtpd.controller import Controller
    c = Controller(Sink(), hostname="127.0.0.1", port=port, data_size_limit=16 * 2**20)
    c.start()
    stop = c.stop
else:
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(asyncio.start_server(raw_client, "127.0.0.1", port, limit=16 * 2**20))
    threading.Thread(target=loop.run_forever, daemon=True).start()
    stop = lambda: None
print(port, flush=True)
sys.stdin.read()          # until the bench closes our stdin (or dies)
stop()
"""


def start_sink(mode: str, rtt_ms: float = 0) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, "-c", SINK, mode, str(rtt_ms)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())
    return proc, port


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(folder: Path, db_url: str, agencies: int, size_kb: int, concurrency: int) -> App:
    port = 25  # each sink gets its own port: see against()
    cfg = parse_config({"database": {"url": db_url}, "storage": {"dir": "data"},
                        "smtp": {"host": "127.0.0.1", "port": port, "security": "none",
                                 "rate_per_minute": 10_000_000, "concurrency": concurrency}},
                       source="bench", base_dir=folder)
    app = App(cfg)
    app.prepare_storage()
    migrate(app.engine)
    rows = [AgencyRow(line=i + 2, code=f"A{i:04d}", name=f"Sở Thông tin và Truyền thông số {i}",
                      category="province", emails=(f"vanthu@a{i:04d}.example",),
                      domains=(f"a{i:04d}.example",), contact_name="", phone="", escalation_emails=())
            for i in range(agencies)]
    with app.session() as s:
        load_campaign(s, REPO / "campaigns" / "5422-BTTTT-CBC.toml", app.store, actor="bench")
    with app.session() as s:
        c = s.exec(select(Campaign)).one()
        import_agencies(s, rows, c, actor="bench")
        digest, _ = app.store.put(secrets.token_bytes(size_kb * 1024))  # incompressible, like a scan
        c.attachments = [{"name": "cong-van-5422.docx", "sha256": digest, "size": size_kb * 1024,
                          "content_type": DOCX_TYPE}]
    return app


def phase_queue(app: App) -> tuple[int, float]:
    t = time.perf_counter()
    with app.session() as s:
        c = s.exec(select(Campaign)).one()
        n = len(queue_due(s, c, datetime.now(UTC), config_sender(app.config), app.store,
                          dispatch_now=True))
    return n, time.perf_counter() - t


def phase_naive(app: App, port: int, limit: int) -> tuple[int, float, float]:
    """What a first script would do: one connection per message, one message at a time."""
    with app.session() as s:
        ids = s.exec(select(OutboundMail.id).order_by(OutboundMail.id).limit(limit)).all()
    t, cpu = time.perf_counter(), time.process_time()
    for rid in ids:
        with app.session() as s:
            raw, rcpts = read_body(s, rid), s.get(OutboundMail, rid).to_addrs
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
            smtp.sendmail("baocao@example.gov.vn", rcpts, raw)
    return len(ids), time.perf_counter() - t, time.process_time() - cpu


def reset_outbox(app: App, limit: int | None = None) -> None:
    with app.engine.begin() as conn:
        conn.execute(text("DELETE FROM event WHERE kind LIKE 'outbox.%' AND kind != 'outbox.queued'"))
        stmt = update(OutboundMail).values(status="cancelled")
        conn.execute(stmt)
        ids = select(OutboundMail.id).order_by(OutboundMail.id).limit(limit or -1)
        conn.execute(update(OutboundMail).where(OutboundMail.id.in_(ids)).values(
            status="pending", attempts=0, sent_at=None, claimed_by=None, claimed_at=None))


def phase_ours(app: App, smtp) -> tuple[int, float, float]:
    t, cpu = time.perf_counter(), time.process_time()
    summary = send_outbox(app.engine, smtp, actor="bench")
    elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
    if summary.fatal or summary.deferred or summary.failed:
        raise SystemExit(f"mailer pass did not complete: {summary.line()} {summary.fatal or ''}")
    return summary.sent, elapsed, cpu


def traced_pass(app: App, smtp, n: int) -> float:
    reset_outbox(app, n)
    tracemalloc.start()
    send_outbox(app.engine, smtp, actor="bench")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def against(app: App, mode: str, rtt_ms: float, n: int, rss: dict, heap: dict) -> dict:
    """Naive, then ours, over the first `n` rows against one sink; returns their (count, seconds)."""
    sink, port = start_sink(mode, rtt_ms)
    smtp = app.config.smtp.model_copy(update={"port": port})
    name = mode + (f"+rtt {rtt_ms:g} ms" if rtt_ms else "")
    try:
        naive = phase_naive(app, port, n)
        reset_outbox(app, n)
        ours = phase_ours(app, smtp)
        rss[name] = peak_rss_mb()
        if not rtt_ms:
            heap[name] = traced_pass(app, smtp, min(200, n))
    finally:
        sink.stdin.close()
        sink.wait(timeout=30)
    return {"name": name, "naive": naive, "ours": ours}


def database(kind: str, folder: Path):
    """(url, stop) for the bench's database: SQLite in the temp folder, or a throwaway PostgreSQL."""
    if kind == "sqlite":
        return f"sqlite:///{folder}/bench.db", lambda: None
    sys.path.insert(0, str(REPO / "tests"))
    from servers import PostgresServer

    pg = PostgresServer().start()
    return pg.url(pg.create_database("bench")), pg.stop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agencies", type=int, default=1000)
    ap.add_argument("--size-kb", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--rtt-ms", type=float, default=20.0, help="emulated round trip (0: skip that sink)")
    ap.add_argument("--rtt-messages", type=int, default=150)
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    args = ap.parse_args()
    scenarios = [("aiosmtpd", 0, args.agencies), ("raw", 0, args.agencies)]
    if args.rtt_ms:
        scenarios.append(("raw", args.rtt_ms, min(args.rtt_messages, args.agencies)))
    with tempfile.TemporaryDirectory(prefix="reportbot-bench-") as tmp:
        url, stop_db = database(args.db, Path(tmp))
        try:
            app = setup(Path(tmp), url, args.agencies, args.size_kb, args.concurrency)
            rss, heap = {"setup": peak_rss_mb()}, {}
            queued, t_queue = phase_queue(app)
            rss["queue"] = peak_rss_mb()
            with app.engine.connect() as conn:
                raw_kb = len(conn.execute(text("SELECT raw FROM outboundbody LIMIT 1")).scalar()) / 1024
            results = [against(app, mode, rtt, n, rss, heap) for mode, rtt, n in scenarios]
            app.engine.dispose()
        finally:
            stop_db()
    print(f"{args.agencies} agencies, attachment {args.size_kb} KB ({raw_kb:.0f} KB on the wire), "
          f"{args.db}, {os.cpu_count()} CPUs, sinks in a subprocess on loopback")
    print(f"queue (render into the outbox): {queued} rows in {t_queue:.1f} s = {queued / t_queue:.0f} rows/s")
    for r in results:
        (nn, tn, cn), (no, to, co) = r["naive"], r["ours"]
        print(f"[{r['name']} sink] naive smtplib, 1 connection/message: {nn / tn:.1f} msg/s ({nn} in {tn:.1f} s,"
              f" CPU {cn / nn * 1000:.1f} ms/msg) | ours, {args.concurrency} reused connections + outbox:"
              f" {no / to:.1f} msg/s ({no} in {to:.1f} s, CPU {co / no * 1000:.1f} ms/msg)"
              f" | ratio ours/naive {no / to / (nn / tn):.2f}x")
    print("peak RSS after each phase (MB): " + ", ".join(f"{k} {v:.0f}" for k, v in rss.items()))
    print("mailer Python-heap peak (tracemalloc, 200 messages): "
          + ", ".join(f"{k} sink {v:.1f} MB" for k, v in heap.items()))


if __name__ == "__main__":
    main()
