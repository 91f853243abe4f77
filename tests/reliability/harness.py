"""Driving the real service for the reliability suite (and bench/soak.py, bench/load.py).

- `build_site`: a reportbot site (config, database, the 5422 campaign, N agencies) whose
  IMAP and SMTP connections go through FaultyProxy instances to the real Dovecot and aiosmtpd.
- `Timeline`: simulated time that keeps running across restarts (each `reportbot run` starts
  with `--now` = the timeline's moment and the same `--speed`).
- `ServiceRun`: one `reportbot run` subprocess; a sampler thread keeps the peak resident
  memory (VmHWM) of the process and of its parse children.
- `Feeder`: agencies' replies appended to the inbox continuously, each kept in a ledger.
- `SinkIndex`: what the SMTP server accepted, by Message-ID.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path

from servers.proxy import FaultyProxy
from sqlmodel import select

from bot.agencies import import_agencies
from bot.agencies_file import read_agencies
from bot.app import App
from bot.campaign import load_campaign
from bot.config import load_config
from bot.mails import find_token
from db.engine import migrate
from db.models import Campaign, InboundMessage, OutboundMail

from .world import (
    CAMPAIGN_FILE,
    OUR_ADDRESS,
    STAFF,
    Reply,
    ReplyStream,
    agencies_csv,
    code_of,
)

ENTRY = "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))"
START = datetime.fromisoformat("2024-12-19T09:00:00+07:00")  # the letter goes out


# ---------------------------------------------------------------- the site
@dataclass
class Site:
    folder: Path
    config_path: Path
    app: App
    smtp: object            # tests/servers SMTPServer
    dovecot: object         # tests/servers DovecotServer
    account: object         # its MailAccount
    imap_proxy: FaultyProxy
    smtp_proxy: FaultyProxy
    agencies: list[str] = field(default_factory=list)

    def session(self):
        return self.app.session()

    def append(self, raw: bytes, when: datetime, folder: str = "INBOX") -> int:
        """APPEND straight to Dovecot (not through the proxy): the agencies' mail server."""
        return self.dovecot.append(self.account, raw, folder=folder, msg_time=when)

    def append_many(self, items: list[tuple[bytes, datetime]], folder: str = "INBOX") -> None:
        with self.dovecot.client(self.account, timeout=60) as c:
            for raw, when in items:
                c.append(folder, raw, msg_time=when)

    def folder_counts(self) -> dict[str, int]:
        cfg = self.app.config.imap
        out = {}
        with self.dovecot.client(self.account) as c:
            for name in (cfg.folder, cfg.processed_folder, cfg.quarantine_folder):
                if c.folder_exists(name):
                    out[name] = c.select_folder(name, readonly=True)[b"EXISTS"]
                else:
                    out[name] = 0
        return out

    def stop_proxies(self) -> None:
        self.imap_proxy.stop()
        self.smtp_proxy.stop()


def write_config(folder: Path, *, db_url: str, imap_port: int, smtp_port: int, account, rate: int,
                 security: str = "", extra_smtp: str = "", extra_imap: str = "") -> Path:
    (folder / "imap-password").write_text(account.password)
    os.chmod(folder / "imap-password", 0o600)
    path = folder / "config.toml"
    path.write_text(f"""
[database]
url = {json.dumps(db_url)}
[storage]
dir = "var"
[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
from = "Cục Báo chí <{OUR_ADDRESS}>"
rate_per_minute = {rate}
concurrency = 2
timeout_seconds = 5
max_attempts = 30
{extra_smtp}
[imap]
host = "127.0.0.1"
port = {imap_port}
security = "none"
username = "{account.username}"
password_file = "imap-password"
poll_seconds = 1
timeout_seconds = 5
batch_size = 20
{extra_imap}
[staff]
digest_to = ["{STAFF}"]
[security]
{security}
""", encoding="utf-8")
    return path


def build_site(folder: Path, *, dovecot, smtp, agencies: int, db_url: str | None = None, rate: int = 100000,
               security: str = "", extra_smtp: str = "", extra_imap: str = "", via_proxy: bool = True) -> Site:
    """`via_proxy=False`: reportbot talks to the servers directly (benchmarks)."""
    folder.mkdir(parents=True, exist_ok=True)
    account = dovecot.add_user()
    imap_proxy = FaultyProxy(account.host, account.port).start()
    smtp_proxy = FaultyProxy(smtp.host, smtp.port).start()
    ports = (imap_proxy.port, smtp_proxy.port) if via_proxy else (account.port, smtp.port)
    path = write_config(folder, db_url=db_url or f"sqlite:///{folder / 'var' / 'reportbot.db'}",
                        imap_port=ports[0], smtp_port=ports[1], account=account, rate=rate,
                        security=security, extra_smtp=extra_smtp, extra_imap=extra_imap)
    app = App(load_config(path))
    migrate(app.engine)
    app.prepare_storage()
    with app.session() as s:
        load_campaign(s, CAMPAIGN_FILE, app.store)
    with app.session() as s:
        import_agencies(s, read_agencies(agencies_csv(agencies), "agencies.csv"), s.exec(select(Campaign)).one())
    return Site(folder, path, app, smtp, dovecot, account, imap_proxy, smtp_proxy,
                [code_of(i) for i in range(1, agencies + 1)])


# ---------------------------------------------------------------- time and the service
class Timeline:
    """Simulated time that runs on while the service is down (as real time does)."""

    def __init__(self, start: datetime = START, speed: float = 1.0) -> None:
        self.start, self.speed, self._t0 = start, speed, time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class ServiceRun:
    """One `reportbot run` process (JSON log lines in its own file) and its peak memory."""

    serial = 0
    started: list[ServiceRun] = []  # every process, so a failed test leaves none behind

    def __init__(self, site: Site, now: datetime, *, speed: float = 1.0, tick: float = 0.4,
                 env: dict[str, str] | None = None, log_format: str = "json") -> None:
        ServiceRun.serial += 1
        self.log = site.folder / f"run-{ServiceRun.serial:03d}.log"
        base = {k: v for k, v in os.environ.items() if k != "REPORTBOT_CONFIG"} | {"REPORTBOT_LOG_LEVEL": "INFO"}
        args = [sys.executable, "-c", ENTRY, "run", "--config", str(site.config_path), "--now", now.isoformat(),
                "--speed", str(speed), "--tick-seconds", str(tick), "--log-format", log_format]
        with open(self.log, "wb") as err:
            self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err, cwd=site.folder,
                                         env=base | (env or {}))
        self.pid = self.proc.pid
        ServiceRun.started.append(self)
        self.hwm_kb = 0
        self.child_hwm_kb = 0
        self.killed = False
        self._sampling = threading.Thread(target=self._sample, daemon=True)
        self._sampling.start()

    def _sample(self) -> None:
        while self.proc.poll() is None:
            self.sample()
            time.sleep(0.2)

    def sample(self) -> None:
        self.hwm_kb = max(self.hwm_kb, _status_kb(self.pid, "VmHWM"))
        for c in children(self.pid):
            self.child_hwm_kb = max(self.child_hwm_kb, _status_kb(c, "VmHWM"))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL (after a last memory sample)."""
        if self.proc.poll() is None:
            self.sample()
            self.killed = True
            os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.sample()
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def records(self) -> list[dict]:
        out = []
        for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({"level": "raw", "msg": line})
        return out

    def logged(self, fragment: str) -> bool:
        return any(fragment in r.get("msg", "") for r in self.records())

    def tail(self, n: int = 25) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


def kill_leftovers() -> None:
    while ServiceRun.started:
        run = ServiceRun.started.pop()
        if run.alive():
            run.kill()


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, run: ServiceRun | None = None,
               step: float = 0.2) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if run is not None and not run.alive():
            raise AssertionError(f"reportbot run exited ({run.proc.returncode}) while {what}:\n{run.tail()}")
        if predicate():
            return
        time.sleep(step)
    raise AssertionError(f"timed out ({timeout:.0f} s) while {what}" + (f":\n{run.tail()}" if run else ""))


def settled(site: Site, *, until: datetime | None = None) -> bool:
    """Nothing in flight: the inbox is filed, no message is waiting, the outbox is drained
    (rows deferred to after `until` do not count)."""
    with site.session() as s:
        waiting_in = s.exec(select(InboundMessage.id).where(
            InboundMessage.state.in_(("stored", "processing")))).first()  # type: ignore[attr-defined]
        due = [o for o in s.exec(select(OutboundMail.next_attempt_at).where(
            OutboundMail.status.in_(("pending", "sending"))))]  # type: ignore[attr-defined]
    if waiting_in is not None or any(t is None or until is None or t <= until for t in due):
        return False
    return site.folder_counts()[site.app.config.imap.folder] == 0


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
