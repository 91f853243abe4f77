"""Driving the real service for the reliability suite (and bench/soak.py, bench/load.py).

- `build_site`: a reportbot site (config, database, the 5422 campaign, N agencies) whose
  IMAP and SMTP connections go through FaultyProxy instances to the real Dovecot and aiosmtpd.
- `Timeline`: simulated time that keeps running across restarts (each `reportbot run` starts
  with `--now` = the timeline's moment and the same `--speed`).
- `Feeder`: agencies' replies appended to the inbox continuously, each kept in a ledger.
- `SinkIndex`: what the SMTP server accepted, by Message-ID.

`reportbot run` itself (`ServiceRun`, `settled`, `wait_until`, ...) is tests/sites.py's.
"""
from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path

from servers.proxy import FaultyProxy

from bot.outbound.mails import find_token
from tests import sites
from tests.sites import ServiceRun, kill_leftovers, settled  # noqa: F401 - bench/ imports them from here

from .world import Reply, ReplyStream, agencies_csv, code_of

START = datetime.fromisoformat("2024-12-19T09:00:00+07:00")  # the letter goes out


# ---------------------------------------------------------------- the site
@dataclass
class Site(sites.Site):
    imap_proxy: FaultyProxy
    smtp_proxy: FaultyProxy
    agencies: list[str] = field(default_factory=list)

    def stop_proxies(self) -> None:
        self.imap_proxy.stop()
        self.smtp_proxy.stop()


def build_site(folder: Path, *, dovecot, smtp, agencies: int, db_url: str | None = None, rate: int = 100000,
               security: str = "", extra_smtp: str = "", extra_imap: str = "", via_proxy: bool = True) -> Site:
    """`via_proxy=False`: reportbot talks to the servers directly (benchmarks)."""
    folder.mkdir(parents=True, exist_ok=True)
    account = dovecot.add_user()
    imap_proxy = FaultyProxy(account.host, account.port).start()
    smtp_proxy = FaultyProxy(smtp.host, smtp.port).start()
    ports = (imap_proxy.port, smtp_proxy.port) if via_proxy else (account.port, smtp.port)
    path = sites.write_config(
        folder, db_url=db_url or f"sqlite:///{folder / 'var' / 'reportbot.db'}", smtp=("127.0.0.1", ports[1]),
        imap=("127.0.0.1", ports[0]), username=account.username, password=account.password, rate=rate,
        smtp_more=f"concurrency = 2\ntimeout_seconds = 5\nmax_attempts = 30\n{extra_smtp}",
        imap_more=f"timeout_seconds = 5\nbatch_size = 20\n{extra_imap}", tables=f"[security]\n{security}")
    app = sites.prepared_app(path, agencies_csv(agencies))
    return Site(folder, path, app, smtp, dovecot, account, imap_proxy, smtp_proxy,
                [code_of(i) for i in range(1, agencies + 1)])


# ---------------------------------------------------------------- simulated time
class Timeline:
    """Simulated time that runs on while the service is down (as real time does)."""

    def __init__(self, start: datetime = START, speed: float = 1.0) -> None:
        self.start, self.speed, self._t0 = start, speed, time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)


# ---------------------------------------------------------------- what the SMTP server got
class SinkIndex:
    """The SMTP server's accepted messages, by Message-ID (headers parsed once)."""

    def __init__(self, smtp) -> None:
        self.smtp = smtp
        self.seen = 0
        self.count: Counter = Counter()
        self.bodies: dict[str, set[bytes]] = {}
        self.arrivals: list[tuple[str, str, str | None, datetime]] = []  # (mid, kind, agency, wall time)
        self.dispatch_ids: dict[str, str] = {}

    def refresh(self) -> SinkIndex:
        msgs = self.smtp.messages[self.seen:]
        self.seen += len(msgs)
        parser = BytesHeaderParser(policy=policy.compat32)
        for m in msgs:
            head = parser.parsebytes(m.data)
            mid = str(head.get("Message-ID", "")).strip()
            kind = str(head.get("X-Reportbot-Kind", ""))
            token = find_token(str(head.get("Subject", "")).replace("\n", " ")) if kind != "digest" else None
            agency = token[1] if token else None
            self.count[mid] += 1
            self.bodies.setdefault(mid, set()).add(m.data)
            self.arrivals.append((mid, kind, agency, m.received_at))
            if kind == "dispatch" and agency:
                self.dispatch_ids.setdefault(agency, mid)
        return self


# ---------------------------------------------------------------- the agencies' replies
class Feeder(threading.Thread):
    """Appends `total` replies, one every ~`interval` real seconds (jittered), while the
    service lives and dies; every reply goes into `ledger`."""

    def __init__(self, site: Site, timeline: Timeline, sink: SinkIndex, rng: random.Random, *, total: int,
                 interval: float, large_bytes: int = 3_000_000) -> None:
        super().__init__(daemon=True)
        self.site, self.timeline, self.sink, self.rng = site, timeline, sink, rng
        self.total, self.interval = total, interval
        self.stream = ReplyStream(site.agencies, rng, large_bytes=large_bytes)
        self.ledger: list[Reply] = []
        self.error: BaseException | None = None
        self._halt = threading.Event()
        self._lock = threading.Lock()

    def run(self) -> None:
        try:
            while len(self.ledger) < self.total and not self._halt.is_set():
                self.push()
                self._halt.wait(self.interval * self.rng.uniform(0.3, 1.7))
        except BaseException as e:  # noqa: BLE001 - surfaced by the test
            self.error = e

    def push(self, kind: str | None = None) -> Reply:
        """Append one reply now (of `kind`, else drawn from the mix)."""
        with self._lock:
            when = self.timeline.now()
            r = self.stream.next(when, dict(self.sink.refresh().dispatch_ids), kind=kind)
            self.site.append(r.raw, when)
            self.ledger.append(r)
            return r

    def stop(self) -> None:
        self._halt.set()
        self.join(30)
