"""The world outside reportbot, in a process of its own: the loopback mail servers and the
simulated agencies (so their work never competes with the service for one interpreter).

The parent (bot/demo/runner.py) talks to it over a pipe, in this order:
  ← ("ports", smtp_port, imap_port, imap_user, imap_password)   once the servers listen
  → ("setup", start, agencies, slots, tz, seed, outline)         what the agencies are
  ← ("ready", notes, behaviour)                                  documents written
  → ("go", start, speed, t0)                                     the simulated clock starts
  → ("settled?",)  ← ("settled", agencies busy, inbox count)     what is still in flight
  → ("stop",)      ← ("facts", World)                            what the agencies did
Activity lines for the live display go through `events` (a queue), one per mail sent.
Simulated time here is start + (time.monotonic() - t0) × speed, with t0 read in the parent:
CLOCK_MONOTONIC is one clock for every process on the machine.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.demo import office
from bot.demo.agencies import Agencies, Sent
from bot.demo.documents import make_documents
from bot.demo.scenario import build_scenario
from bot.demo.servers import ImapServer, MailSystem, SmtpServer
from bot.demo.site import INBOX

log = logging.getLogger(__name__)


@dataclass
class World:
    """What the simulated agencies did, for the invariants and the tests."""

    sent: list[Sent] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    behaviour: dict[str, str] = field(default_factory=dict)
    forms: dict[str, str] = field(default_factory=dict)        # reply key -> form
    received: dict[str, list[tuple[str, datetime]]] = field(default_factory=dict)  # agency -> (kind, at)
    digests: int = 0
    error: str = ""


class SharedClock:
    def __init__(self, start: datetime, speed: float, t0: float) -> None:
        self.start, self.speed, self.t0 = start, speed, t0

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self.t0) * self.speed)


class _Host:
    def __init__(self, events) -> None:
        self.events = events
        self.clock: SharedClock | None = None
        self.start_at: datetime | None = None
        self.agencies: Agencies | None = None
        self.stop = threading.Event()

    def now(self) -> datetime:
        return self.clock.now() if self.clock else self.start_at

    def outside(self, mail_from, rcpts, data, when) -> None:
        if self.agencies is not None:
            self.agencies.receive(mail_from, rcpts, data, when)

    def on_sent(self, s: Sent) -> None:
        with contextlib.suppress(Exception):  # a display line is never worth failing for
            self.events.put_nowait((s.at, s.agency, s.kind))


def world_main(conn, events, log_level: int = logging.WARNING) -> None:
    """The child process's entry point."""
    logging.basicConfig(level=log_level)
    host = _Host(events)
    imap = ImapServer().start()
    system = MailSystem(host.now, INBOX, imap, outside=host.outside)
    smtp = SmtpServer(system).start()
    runner = None
    try:
        conn.send(("ports", smtp.port, imap.port, imap.username, imap.password))
        _, host.start_at, agencies, slots, tz, seed, outline = conn.recv()
        scenario = build_scenario(agencies, slots, tz, seed, office=office.available())
        by_code = {a.code: a for a in agencies}
        docs = make_documents(scenario, by_code, outline, tz, seed)
        host.agencies = Agencies(scenario, by_code, docs, (smtp.host, smtp.port), INBOX, on_sent=host.on_sent)
        system.reject = {a.lower() for a in scenario.reject_rcpt}
        notes = list(docs.notes)
        if not office.available():
            notes.append("LibreOffice (soffice) is not installed: no legacy .doc reply; PDFs made with reportlab")
        conn.send(("ready", notes, dict(scenario.behaviour)))
        _, start, speed, t0 = conn.recv()
        host.clock = SharedClock(start, speed, t0)
        runner = threading.Thread(target=host.agencies.run, args=(host.clock.now, host.stop, 0.02),
                                  name="agencies", daemon=True)
        runner.start()
        while True:
            cmd = conn.recv()
            if cmd[0] == "settled?":
                conn.send(("settled", host.agencies.due(host.clock.now()), imap.count("INBOX")))
            elif cmd[0] == "stop":
                break
        host.stop.set()
        runner.join(10)
        conn.send(("facts", _facts(host.agencies, scenario)))
    except (EOFError, KeyboardInterrupt):  # the parent went away: just stop
        pass
    finally:
        host.stop.set()
        smtp.stop()
        imap.stop()


def _facts(a: Agencies, scenario) -> World:
    return World(
        sent=list(a.sent), duplicates=list(a.duplicates), behaviour=dict(scenario.behaviour),
        forms={r.key: r.form for r in scenario.replies},
        received={code: [(g.kind, g.at) for g in got] for code, got in a.received.items()},
        digests=a.digests,
    )
