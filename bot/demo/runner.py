"""`reportbot demo`: three weeks of letter 5422/BTTTT-CBC played in a minute and a half.

A fresh folder; the world outside reportbot (loopback IMAP and SMTP servers, simulated
agencies: bot/demo/world.py) started in a process of its own; a config file for those
servers, the database initialised and the campaign and its agencies loaded; then the real
service (bot/service.Service: scheduler, planner, outbox, mailer, inbox watcher, intake
pipeline) runs on an AcceleratedClock from 19/12/2024 08:00 (+07:00) to 10/01/2025 while
the agencies answer what they receive. At the end: the status table, the digest and the
export written, the invariants checked (exit 1 naming what broke).
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import queue
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.live import Live
from sqlmodel import func, select

from bot.campaigns.campaign_load import campaign_outline
from bot.core.clock import AcceleratedClock
from bot.core.errors import RuntimeFailure
from bot.demo import DEFAULT_SPEED
from bot.demo.display import Counts, live_panel, local, read_counts, verdict_lines
from bot.demo.invariants import (
    Verdict,
    WorldFacts,
    check_all,
    crossed_reminders,
    read_facts,
    stale_reminders,
    states_by_agency,
)
from bot.demo.report import write_outputs
from bot.demo.site import open_site, prepare_folder, scenario_inputs, write_config
from bot.demo.world import World, world_main
from bot.outbound.outbox_claims import count_due
from bot.service.runner import Service
from bot.staff.status_table import status_table, summary_line
from db.models import Agency, Campaign, Contact, InboundMessage
from db.vocabulary import InboundState

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2024, 12, 19, 8, 0, tzinfo=TZ)
END = datetime(2025, 1, 10, 18, 0, tzinfo=TZ)
DRAIN_SECONDS = 120.0      # after END: the last replies processed, the last mails sent …
STALL_SECONDS = 30.0       # … unless nothing moved for this long
SETUP_SECONDS = 180.0      # the world's start-up and documents
# The scheduler ticks every 3 simulated hours: reminders due at 08:00 go out by 11:00 the same
# day, and the ticks themselves (each reads the whole outbox) leave the intake room to work.
TICK_EVERY = timedelta(hours=3)
log = logging.getLogger(__name__)
_SENT_LABEL = {"report": "sent its report", "auto_reply": "out-of-office auto-reply",
               "bounce": "its mail server returned our letter (bounce)"}


@dataclass
class DemoResult:
    exit_code: int
    folder: Path
    config: Path
    digest: Path | None
    exports: list[Path]
    verdicts: list[Verdict]
    counts: Counts
    rows: list[dict]
    real_seconds: float
    now: datetime
    world: World
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # real seconds per phase


class _BelowWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


class _Errors(logging.Handler):
    """Keeps the first line of every ERROR the service logs: a demo with one has not passed."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        exc = f" ({record.exc_info[0].__name__}: {record.exc_info[1]})" if record.exc_info else ""
        self.lines.append(f"{record.name}: {record.getMessage()}{exc}"[:300])


@contextmanager
def _log_file(path: Path, errors: _Errors):
    """The service's log (INFO) goes to a file in the demo folder; the terminal keeps warnings."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    loggers = [logging.getLogger(n) for n in ("reportbot", "bot", "parsers")]
    saved = [(lg, lg.level) for lg in loggers]
    quiet = _BelowWarning()
    for h in logging.getLogger().handlers:
        h.addFilter(quiet)
    for lg in loggers:
        lg.setLevel(logging.INFO)
        lg.addHandler(handler)
        lg.addHandler(errors)
    try:
        yield
    finally:
        for lg, level in saved:
            lg.removeHandler(handler)
            lg.removeHandler(errors)
            lg.setLevel(level)
        for h in logging.getLogger().handlers:
            h.removeFilter(quiet)
        handler.close()


class _WorldProcess:
    """The child process and the pipe to it."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.events = ctx.Queue()
        self.proc = ctx.Process(target=world_main, args=(child, self.events), name="reportbot-demo-world",
                                daemon=True)
        self.proc.start()
        child.close()

    def ask(self, *message, timeout: float = 30.0):
        if message:
            self.conn.send(message)
        deadline = time.monotonic() + timeout
        while not self.conn.poll(0.1):
            if not self.proc.is_alive():
                raise RuntimeFailure(f"the demo's mail servers stopped (exit {self.proc.exitcode})")
            if time.monotonic() > deadline:
                raise RuntimeFailure(f"the demo's mail servers did not answer {message[:1] or 'start-up'} "
                                     f"within {timeout:.0f} s")
        return self.conn.recv()

    def activity(self) -> list[tuple]:
        out = []
        while True:
            try:
                out.append(self.events.get_nowait())
            except (queue.Empty, OSError, EOFError):
                return out

    def close(self) -> None:
        if self.proc.is_alive():
            try:
                self.conn.send(("stop",))
            except OSError:
                pass
            self.proc.join(10)
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(5)
        self.events.close()
        self.events.join_thread()
        self.conn.close()


class Demo:
    def __init__(self, folder: Path, *, speed: float = DEFAULT_SPEED, seed: int = 5422,
                 console: Console | None = None, start: datetime = START, end: datetime = END) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.folder, self.speed, self.seed = folder, speed, seed
        self.console = console or Console()
        self.start, self.end = start, end
        self.clock: AcceleratedClock | None = None
        self.notes: list[str] = []
        self.recent: deque[str] = deque(maxlen=5)
        self.timings: dict[str, float] = {}
        self._mark = time.monotonic()

    def _lap(self, phase: str) -> None:
        now = time.monotonic()
        self.timings[phase] = round(now - self._mark, 1)
        self._mark = now

    def run(self) -> DemoResult:
        t0 = self._mark = time.monotonic()
        folder = prepare_folder(self.folder)
        world = _WorldProcess()
        self.errors = _Errors()
        try:
            with _log_file(folder / "reportbot.log", self.errors):
                _, smtp_port, imap_port, user, password = world.ask(timeout=60)
                config = write_config(folder, smtp_port=smtp_port, imap_port=imap_port,
                                      imap_user=user, imap_password=password)
                app, cid = open_site(config)
                self._setup_world(world, app, cid)
                self._lap("setup")
                service_code = self._play(app, cid, world)
                _, facts = world.ask("stop", timeout=60)
                return self._finish(app, cid, folder, config, service_code, facts, time.monotonic() - t0)
        finally:
            world.close()

    def _setup_world(self, world: _WorldProcess, app, cid: int) -> None:

        agencies, slots, self.tz = scenario_inputs(app, cid)
        with app.session() as s:
            outline = campaign_outline(s.get(Campaign, cid))
        with self.console.status("Writing the simulated agencies' reports (DOCX, PDF, scans, .doc)…"):
            _, notes, self.behaviour = world.ask("setup", self.start, agencies, slots, self.tz, self.seed, outline,
                                                 timeout=SETUP_SECONDS)
        self.notes += notes

    def _play(self, app, cid: int, world: _WorldProcess) -> int:

        t0 = time.monotonic()
        self.clock = AcceleratedClock(self.start, self.speed)
        world.conn.send(("go", self.start, self.speed, t0))
        tick = max(0.1, self.clock.real_seconds(TICK_EVERY))
        service = Service(app, self.clock, tick_seconds=tick)
        outcome: list = []
        svc = threading.Thread(target=lambda: outcome.append(_serve(service)), name="demo-service", daemon=True)
        svc.start()
        try:
            with Live(self._panel(app, cid, world), console=self.console, auto_refresh=False) as live:
                while self.clock.now() < self.end and svc.is_alive():
                    time.sleep(1.0)
                    live.update(self._panel(app, cid, world), refresh=True)
                self._lap("play")
                self._drain(app, world, svc)
                self._lap("drain")
                live.update(self._panel(app, cid, world), refresh=True)
        finally:
            service.stop()
            svc.join(60)
        if not outcome:
            raise RuntimeFailure("the service did not stop within 60 s; see reportbot.log in the demo folder")
        if isinstance(outcome[0], BaseException):
            raise RuntimeFailure(f"the service failed: {type(outcome[0]).__name__}: {outcome[0]}")
        return outcome[0]

    def _drain(self, app, world: _WorldProcess, svc: threading.Thread) -> None:
        """Past the end: wait for the replies in flight to be processed and the mail due to go out,
        as long as that work moves on (a backlog on a slow machine takes a while)."""
        deadline = time.monotonic() + DRAIN_SECONDS
        stalled_at, last = time.monotonic() + STALL_SECONDS, None
        while svc.is_alive():
            waiting = self._settled(app, world)
            if not waiting:
                return
            if waiting != last:
                stalled_at, last = time.monotonic() + STALL_SECONDS, waiting
            if time.monotonic() > min(deadline, stalled_at):
                self.notes.append(f"{waiting} still in flight after the end; gave up waiting")
                return
            time.sleep(0.2)

    def _settled(self, app, world: _WorldProcess) -> str:
        """'' when nothing is left in flight, else what is."""
        _, busy, inbox = world.ask("settled?")
        if busy or inbox:
            return f"{inbox} message(s) in the inbox" if inbox else "the agencies' mail"
        with app.session() as s:
            busy = s.exec(select(func.count()).select_from(InboundMessage)
                          .where(InboundMessage.state.in_((InboundState.STORED, InboundState.PROCESSING)))).one()  # type: ignore[attr-defined]
        if busy:
            return f"{busy} message(s) being processed"
        due = count_due(app.engine, self.clock.now())
        return f"{due} mail(s) queued" if due else ""

    def _panel(self, app, cid: int, world: _WorldProcess):
        now = self.clock.now() if self.clock else self.start
        names = {}
        for at, agency, kind in world.activity():
            names = names or _agency_names(app)
            self.recent.append(f"{local(at, self.tz)}  {names.get(agency, agency)}: {_SENT_LABEL.get(kind, kind)}")
        return live_panel(now, self.start, self.end, self.tz, read_counts(app, cid, now), list(self.recent))

    def _finish(self, app, cid: int, folder: Path, config: Path, service_code: int, world: World,
                real: float) -> DemoResult:
        now = min(self.clock.now(), self.end)  # the reports speak as of the end, however long the drain
        digest, exports, rows = write_outputs(app, cid, folder, now)
        with app.session() as s:
            db = read_facts(s, s.get(Campaign, cid), states_by_agency(rows))
            registered = _registered(s)
        facts = WorldFacts([(x.agency, x.kind, x.message_id, x.sender) for x in world.sent], registered,
                           {c for c, b in world.behaviour.items() if b in ("bounce_rcpt", "bounce_dsn")},
                           list(world.duplicates), len(world.forms), tuple(self.errors.lines))
        verdicts = check_all(db, facts)
        crossed = crossed_reminders(db)
        if crossed:
            self.notes.append(f"{len(crossed)} reminder(s) went to agencies whose report was already in the inbox, "
                              "waiting for the intake (it fell behind the simulated clock; try a lower --speed)")
        stale = stale_reminders(db)
        if stale:
            self.notes.append(f"{len(stale)} reminder(s) queued from a read made just before the agency's report "
                              f"committed were cancelled when claimed (none sent): {', '.join(stale)}")
        self._lap("outputs")
        if service_code:
            verdicts.append(Verdict("the service exits cleanly", [f"exit code {service_code}"]))
        code = 0 if all(v.ok for v in verdicts) else 1
        return DemoResult(code, folder, config, digest, exports, verdicts, read_counts(app, cid, now), rows, real,
                          now, world, self.notes, self.timings)


def _serve(service) -> int | BaseException:
    try:
        return asyncio.run(service.run(install_signals=False))
    except BaseException as e:
        log.exception("the service failed")
        return e


def _agency_names(app) -> dict[str, str]:

    with app.session() as s:
        return dict(s.exec(select(Agency.code, Agency.name)).all())


def _registered(session) -> dict[str, set[str]]:

    out: dict[str, set[str]] = {}
    ids = {}
    for a in session.exec(select(Agency)):
        ids[a.id] = a.code
        out[a.code] = {d.lower() for d in (a.domains or ())}
    for c in session.exec(select(Contact)):
        out[ids[c.agency_id]].add(c.email.lower())
    return out


def print_outcome(console: Console, result: DemoResult) -> None:
    console.print(status_table(result.rows, "5422/BTTTT-CBC — status at the end of the demo", tz=TZ,
                               width=console.width))
    console.print(summary_line(result.rows))
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}")
    console.print(f"Digest (HTML): {result.digest}")
    for p in result.exports:
        console.print(f"Export ({p.suffix[1:].upper()}): {p}")
    console.print(f"Config: {result.config}  (e.g. reportbot status --config {result.config})")
    console.print("Invariants:")
    for line in verdict_lines(result.verdicts):
        console.print(line)
    console.print(summary_sentence(result))


def summary_sentence(r: DemoResult) -> str:
    c, st = r.counts, r.counts.states
    replied = st.get("received", 0) + st.get("received_incomplete", 0)
    broken = [v.name for v in r.verdicts if not v.ok]
    verdict = "all invariants hold" if not broken else "BROKEN: " + "; ".join(broken)
    phases = ", ".join(f"{k} {v:.0f} s" for k, v in r.timings.items())
    return (f"Demo: 19/12/2024 → 10/01/2025 in {r.real_seconds:.0f} s ({phases}) — {c.sent_total} mails sent, "
            f"{c.inbound_total} received, {replied}/{len(r.rows)} agencies reported "
            f"({st.get('received', 0)} complete), {st.get('overdue', 0)} overdue, {st.get('bounced', 0)} bounced, "
            f"{c.quarantined} quarantined; {verdict}.")
