"""SIGKILL `reportbot run` at chosen protocol steps (or at a random moment).

Where a kill lands is decided by what is observed, not by luck:
- imap_fetch      — Dovecot starts sending a message body (`BODY[] {n}`): the fetch is in flight;
- before_move     — the client sends `UID MOVE` (its pipeline transaction has committed): the proxy
                    withholds the command, so the server never moves the message;
- after_move      — Dovecot answers the MOVE: the message moved, but the client never learns it;
- smtp_before_dot — the client sends the end of DATA (`CRLF.CRLF`): withheld, never accepted;
- smtp_after_250  — the SMTP server accepted the message (`250 2.0.0 OK queued`): the answer is
                    withheld, so the outbox row stays `sending` (the documented resend);
- parse           — a parse sandbox child of the service exists;
- random          — a seeded random moment.
A trigger that does not fire within its wait (no such traffic then) falls back to a random kill.
"""
from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.sites import ServiceRun, children, cmdline

from .harness import Site

KINDS = ("imap_fetch", "before_move", "after_move", "smtp_before_dot", "smtp_after_250", "parse", "random")


@dataclass
class Orphan:
    pid: int
    workdir: str
    cmdline: str = ""


@dataclass
class KillLog:
    landed: Counter = field(default_factory=Counter)   # where each kill landed
    planned: Counter = field(default_factory=Counter)  # what was aimed at
    orphans: list[Orphan] = field(default_factory=list)  # parse children left by a killed parent
    trail: list[tuple[float, str]] = field(default_factory=list)  # (seconds since start, where)
    descendants: list[tuple[int, str]] = field(default_factory=list)  # (pid, cmdline) of killed runs' children

    @property
    def total(self) -> int:
        return sum(self.landed.values())


class Killer:
    def __init__(self, site: Site, rng: random.Random) -> None:
        self.site, self.rng = site, rng
        self.log = KillLog()
        self.t0 = time.monotonic()

    def kill_once(self, run: ServiceRun, kind: str, wait: float = 8.0, poke=None) -> str:
        """Arm `kind`, call `poke()` (to make traffic of that kind: a reply appended), wait for it
        to fire (else kill at random); returns where it landed."""
        self.log.planned[kind] += 1
        fired = threading.Event()
        landed: list[str] = []

        def kill(where: str):
            def action():
                if not fired.is_set() and run.alive():
                    self._note_descendants(run)
                    run.kill()
                    landed.append(where)
                    fired.set()
                return "drop"
            return action

        self._arm(kind, run, kill, fired)
        if poke is not None and kind != "random":
            poke()
        fired.wait(wait)
        self._disarm()
        if not fired.is_set():
            if kind == "random":  # anywhere in the run's life: starting, polling, parsing, sending
                time.sleep(self.rng.uniform(1.0, 9.0))
            self._note_descendants(run)
            run.kill()
            landed.append(f"random (no {kind} traffic)" if kind != "random" else "random")
        run.kill()  # reaps it (no-op when already dead)
        self.log.landed[landed[0]] += 1
        self.log.trail.append((round(time.monotonic() - self.t0, 1), landed[0]))
        return landed[0]

    def _arm(self, kind: str, run: ServiceRun, kill, fired: threading.Event) -> None:
        imap, smtp = self.site.imap_proxy, self.site.smtp_proxy
        if kind == "imap_fetch":
            imap.on_server(b"BODY[] {", kill("inside the IMAP fetch"))
        elif kind == "before_move":
            imap.on_client(b"UID MOVE", kill("after the pipeline commit, before the IMAP move"))
        elif kind == "after_move":
            imap.on_server(b"Move completed", kill("after the IMAP move, before it is recorded"))
        elif kind == "smtp_before_dot":
            smtp.on_client(b"\r\n.\r\n", kill("inside SMTP DATA, before the final dot"))
        elif kind == "smtp_after_250":
            smtp.on_server(b"250 2.0.0 OK queued", kill("inside SMTP DATA, after the server's 250"))
        elif kind == "parse":
            threading.Thread(target=self._watch_parse, args=(run, kill("inside a parse"), fired),
                             daemon=True).start()
        elif kind == "random":
            pass
        else:
            raise ValueError(kind)

    def _disarm(self) -> None:
        self.site.imap_proxy.clear_hooks()
        self.site.smtp_proxy.clear_hooks()

    def _note_descendants(self, run: ServiceRun) -> None:
        """Remember the processes the run started (parse children, the forkserver) as it dies."""
        for pid in children(run.pid):
            self.log.descendants.append((pid, cmdline(pid)))
            self.log.descendants += [(g, cmdline(g)) for g in children(pid)]

    def _parse_children(self, run: ServiceRun) -> list[int]:
        """A parse in flight: `python -m parsers.sandbox`, or a child of the parse forkserver."""
        found = []
        for c in children(run.pid):
            line = cmdline(c)
            if "multiprocessing.forkserver" in line:  # (its preload list names parsers.sandbox too)
                found += children(c)
            elif "parsers.sandbox" in line:
                found.append(c)
        return found

    def _watch_parse(self, run: ServiceRun, action, fired: threading.Event) -> None:
        end = time.monotonic() + 30
        while not fired.is_set() and run.alive() and time.monotonic() < end:
            for c in self._parse_children(run):
                try:
                    workdir = str(Path(f"/proc/{c}/cwd").resolve())
                except OSError:
                    workdir = ""
                if "reportbot-parse-" not in workdir:
                    continue  # forked, not yet in its work folder
                self.log.orphans.append(Orphan(c, workdir, cmdline(c)))
                action()
                return
            time.sleep(0.005)

    def reap_orphans(self, timeout: float = 90) -> dict:
        """Wait for what the kills left behind (parse children finish or time out on their own);
        returns how many processes outlived their run, how many are still alive after
        `timeout`, and how many parse temp folders were left in /tmp."""
        end = time.monotonic() + timeout
        alive = lambda pid, line: Path(f"/proc/{pid}").exists() and cmdline(pid) == line
        left = {pid: line for pid, line in self.log.descendants if line}
        outlived = sum(1 for pid, line in left.items() if alive(pid, line))
        while any(alive(p, line) for p, line in left.items()) and time.monotonic() < end:
            time.sleep(0.1)
        leaked = [o.workdir for o in self.log.orphans if o.workdir and Path(o.workdir).exists()]
        return {"outlived": outlived, "still_alive": sum(1 for p, line in left.items() if alive(p, line)),
                "parse_orphans": len(self.log.orphans), "temp_dirs_left": len(leaked), "dirs": leaked}
