"""Intake latency and throughput against a real Dovecot on loopback.

    python bench/intake.py [--idle-samples 20] [--poll-seconds 60] [--poll-samples 4] [--backlog 1000]
                           [--huge-mib 100]

Measured in one run, side by side:
- latency, IMAP APPEND → receipt committed (Submission row), with the watcher in IDLE and with
  IDLE off and `poll_seconds` polling: median and 95th percentile, and their ratio;
- throughput with `--backlog` replies already waiting in the inbox: messages/s of a full
  `poll_once` (store, classify, match, parse each DOCX in the sandbox, record, queue the ack,
  move), beside a bare imapclient FETCH of the same messages (the floor), as a ratio;
- peak RSS of this process (the service side);
- with `--huge-mib N`: peak RSS of a fresh process taking one N MiB message (read in pieces to
  the store, then quarantined as over the limit), beside one that only FETCHes it whole with
  imapclient (what taking it cost before), as a ratio.
"""
from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from intake_io.conftest import FULL, NOW, make_site, reply  # noqa: E402
from servers import DovecotServer  # noqa: E402
from sqlmodel import func, select  # noqa: E402

from bot.intake.poll import poll_once, watch  # noqa: E402
from db.models import Submission  # noqa: E402


def _count(site) -> int:
    with site.app.session() as s:
        return s.exec(select(func.count()).select_from(Submission)).one()


def latencies(site, samples: int, gap: float) -> list[float]:
    """`gap` seconds between samples; a negative gap means random in [0, -gap) (mail arrives
    at any point of a polling interval)."""
    stop = threading.Event()
    t = threading.Thread(target=watch, args=(site.intake, stop.is_set), kwargs={"clock": lambda: NOW}, daemon=True)
    t.start()
    time.sleep(1.0)
    out = []
    try:
        for i in range(samples):
            before = _count(site)
            t0 = time.monotonic()
            site.append(reply(sections=FULL, body=f"Lần gửi {i}"))
            while _count(site) == before:
                time.sleep(0.01)
                if time.monotonic() - t0 > 900:
                    raise TimeoutError("no receipt within 15 minutes")
            out.append(time.monotonic() - t0)
            time.sleep(gap if gap >= 0 else random.uniform(0, -gap))
    finally:
        stop.set()
        t.join(120)
    return out


def throughput(site, n: int) -> tuple[float, float]:
    raws = [reply(sections=FULL, body=f"Báo cáo số {i}") for i in range(n)]
    for raw in raws:
        site.append(raw)
    c = site.dovecot.client(site.account)
    c.select_folder("INBOX", readonly=True)
    t0 = time.monotonic()
    uids = c.search(["ALL"])
    for i in range(0, len(uids), 50):
        c.fetch(uids[i:i + 50], ["BODY.PEEK[]"])
    bare = len(uids) / (time.monotonic() - t0)
    c.logout()
    t0 = time.monotonic()
    summary = poll_once(site.intake, clock=lambda: NOW)
    ours = summary.fetched / (time.monotonic() - t0)
    assert _count(site) >= n, "not every reply was recorded"
    return ours, bare


def _peak_rss_mib(target, *args) -> float:
    """Peak RSS of a forked child running target(*args) (so each figure starts from the same base)."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()

    def child():
        target(*args)
        q.put(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

    p = ctx.Process(target=child)
    p.start()
    p.join()
    return q.get(timeout=5)


def _bare_fetch(site) -> None:
    c = site.dovecot.client(site.account)
    c.select_folder("INBOX", readonly=True)
    c.fetch(c.search(["ALL"]), ["BODY.PEEK[]"])
    c.logout()


def _take_one(site) -> None:
    summary = poll_once(site.intake, clock=lambda: NOW)
    assert summary.count("quarantined") == 1, summary


def huge(site, mib: int) -> tuple[float, float, float]:
    """(peak RSS taking it, peak RSS of a bare whole FETCH, of the idle child) in MiB."""
    import os
    from email import message_from_bytes, policy

    msg = message_from_bytes(reply(sections=FULL), policy=policy.default)
    msg.add_attachment(os.urandom(mib * 1024 * 1024), maintype="application", subtype="octet-stream",
                       filename="phu-luc.bin")
    site.append(msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
    del msg
    base = _peak_rss_mib(lambda: None)
    bare = _peak_rss_mib(_bare_fetch, site)
    ours = _peak_rss_mib(_take_one, site)
    return ours, bare, base


def _stats(xs: list[float]) -> tuple[float, float]:
    xs = sorted(xs)
    return statistics.median(xs), xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--idle-samples", type=int, default=20)
    ap.add_argument("--poll-seconds", type=int, default=60)
    ap.add_argument("--poll-samples", type=int, default=4)
    ap.add_argument("--backlog", type=int, default=1000)
    ap.add_argument("--huge-mib", type=int, default=0)
    a = ap.parse_args()
    with DovecotServer() as dovecot, tempfile.TemporaryDirectory() as tmp:
        def site(name, extra=""):
            folder = Path(tmp) / name
            folder.mkdir()
            return make_site(folder, dovecot.add_user(), dovecot, extra=extra)

        idle = latencies(site("idle"), a.idle_samples, 0.3)
        poll = latencies(site("poll", f"idle = false\npoll_seconds = {a.poll_seconds}"), a.poll_samples, -a.poll_seconds) if a.poll_samples else []
        ours, bare = throughput(site("backlog"), a.backlog) if a.backlog else (0.0, 0.0)
        big = huge(site("huge"), a.huge_mib) if a.huge_mib else None
    im, ip = _stats(idle)
    print(f"latency APPEND→receipt, IDLE        : median {im:6.2f} s   p95 {ip:6.2f} s   (n={len(idle)})")
    if poll:
        pm, pp = _stats(poll)
        print(f"latency APPEND→receipt, poll {a.poll_seconds:>3} s : median {pm:6.2f} s   p95 {pp:6.2f} s   (n={len(poll)})")
        print(f"ratio poll/IDLE (median)            : {pm / im:6.1f}×")
    if a.backlog:
        print(f"throughput, {a.backlog} waiting replies : {ours:6.1f} msg/s end to end; bare FETCH {bare:7.1f} msg/s; "
              f"ratio {bare / ours:5.1f}× slower than the floor")
    print(f"peak RSS (service side)             : {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.0f} MB")
    if big:
        taking, fetching, base = big
        print(f"one {a.huge_mib} MiB message, peak RSS     : taken {taking:6.0f} MiB; bare whole FETCH {fetching:6.0f} MiB; "
              f"idle child {base:5.0f} MiB; ratio over the idle base {(taking - base) / (fetching - base):5.2f}×")


if __name__ == "__main__":
    main()
