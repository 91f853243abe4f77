"""What tests/service and tests/reliability (and, through it, bench/) share: a reportbot site on
the real test servers, and `reportbot run` as a real subprocess.

- `write_config` and `prepared_app`: a site's config.toml and its database with the 5422
  campaign and an agencies file loaded; `Site`, what both suites' sites hold, and `settled`.
- `outline_docx`: a report DOCX that follows the campaign's outline.
- `ServiceRun`: one `reportbot run` process, its JSON log and its peak memory; `wait_until`
  waits on a condition while watching the runs; `no_leftover_runs` (an autouse fixture both
  suites' conftest import) kills any run a test left behind.
"""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import docx
import pytest
from sqlmodel import select

from bot.campaigns.agencies_file import read_agencies
from bot.campaigns.agency_load import import_agencies
from bot.campaigns.campaign_load import load_campaign
from bot.core.app import App
from bot.core.config import load_config
from db.engine import migrate
from db.models import Campaign, InboundMessage, OutboundMail

REPO = Path(__file__).resolve().parents[1]
CAMPAIGN_FILE = REPO / "campaigns" / "5422-BTTTT-CBC.toml"
OUTLINE = [(n["id"], n["title"]) for n in tomllib.loads(CAMPAIGN_FILE.read_text("utf-8"))["outline"]]
OUR_ADDRESS = "baocao@example.gov.vn"
STAFF = "staff@example.gov.vn"
ENTRY = "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))"
TICK_SECONDS = 0.4


def address(code: str) -> str:
    """An agency's registered address."""
    return f"vanthu@{code.lower()}.example"


def outline_docx(text: Callable[[str], str], *, issuer: str | None = None, missing: tuple[str, ...] = ()) -> bytes:
    """A report with a heading per outline node (but `missing`) and `text(node)` under it; with
    `issuer`, opened as a real one is (issuer, "BÁO CÁO", the strategy's title)."""
    d = docx.Document()
    if issuer is not None:
        d.add_paragraph(issuer.upper())
        d.add_paragraph("BÁO CÁO")
        d.add_paragraph("Thực hiện Chiến lược chuyển đổi số báo chí đến năm 2025, định hướng đến năm 2030")
    for node, title in OUTLINE:
        if node in missing:
            continue
        label = node if "." not in node else node.rsplit(".", 1)[1]
        d.add_heading(f"{label}. {title}", 1 if "." not in node else 2)
        d.add_paragraph(text(node))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- the site
def write_config(folder: Path, *, db_url: str, smtp: tuple[str, int], imap: tuple[str, int], username: str,
                 password: str | None = None, rate: int = 100000, smtp_more: str = "", imap_more: str = "",
                 tables: str = "") -> Path:
    """folder/config.toml: plain SMTP and IMAP at the given (host, port), mail from OUR_ADDRESS,
    the digest to STAFF. `password` goes to an owner-only file (without it, `imap_more` says
    where the password comes from); `*_more` are further lines of [smtp] and [imap], `tables`
    further tables."""
    imap_password = ""
    if password is not None:
        (folder / "imap-password").write_text(password)
        os.chmod(folder / "imap-password", 0o600)
        imap_password = 'password_file = "imap-password"'
    path = folder / "config.toml"
    path.write_text(f"""
[database]
url = {json.dumps(db_url)}
[storage]
dir = "var"
[smtp]
host = "{smtp[0]}"
port = {smtp[1]}
security = "none"
from = "Cục Báo chí <{OUR_ADDRESS}>"
rate_per_minute = {rate}
{smtp_more}
[imap]
host = "{imap[0]}"
port = {imap[1]}
security = "none"
username = "{username}"
{imap_password}
poll_seconds = 1
{imap_more}
[staff]
digest_to = ["{STAFF}"]
{tables}
""", encoding="utf-8")
    return path


def prepared_app(config_path: Path, agencies_csv: bytes) -> App:
    """The site's App, its database migrated and holding the 5422 campaign and these agencies."""
    app = App(load_config(config_path))
    migrate(app.engine)
    app.prepare_storage()
    with app.session() as s:
        load_campaign(s, CAMPAIGN_FILE, app.store)
    with app.session() as s:
        import_agencies(s, read_agencies(agencies_csv, "agencies.csv"), s.exec(select(Campaign)).one())
    return app


@dataclass
class Site:
    folder: Path
    config_path: Path
    app: App
    smtp: object            # tests/servers SMTPServer
    dovecot: object         # tests/servers DovecotServer
    account: object         # its MailAccount

    def session(self):
        return self.app.session()

    def append(self, raw: bytes, when: datetime, folder: str = "INBOX") -> int:
        """APPEND straight to Dovecot: the agencies' mail server."""
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


# ---------------------------------------------------------------- `reportbot run`
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

    def __init__(self, site: Site, now: datetime, *, speed: float = 1.0, tick: float = TICK_SECONDS,
                 env: dict[str, str] | None = None, log_format: str = "json") -> None:
        ServiceRun.serial += 1
        self.log = Path(site.folder) / f"run-{ServiceRun.serial:03d}.log"
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
        self.terminated = False
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

    def terminate(self) -> None:
        """SIGTERM, once (after a last memory sample)."""
        if self.proc.poll() is None and not self.terminated:
            self.sample()
            self.proc.send_signal(signal.SIGTERM)
            self.terminated = True

    def stop(self, timeout: float = 90) -> int:
        self.terminate()
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

    def tail(self, n: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


def kill_leftovers() -> None:
    while ServiceRun.started:
        run = ServiceRun.started.pop()
        if run.alive():
            run.kill()


@pytest.fixture(autouse=True)
def no_leftover_runs():
    yield
    kill_leftovers()


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, *runs: ServiceRun,
               step: float = 0.2) -> None:
    """Until `predicate()` holds; fails, with the runs' log tails, on the timeout or when one of
    `runs` exits meanwhile."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for run in runs:
            if not run.alive():
                raise AssertionError(f"reportbot run exited ({run.proc.returncode}) while {what}:\n{run.tail()}")
        if predicate():
            return
        time.sleep(step)
    tails = "\n---\n".join(run.tail() for run in runs)
    raise AssertionError(f"timed out ({timeout:.0f} s) while {what}" + (f":\n{tails}" if runs else ""))
