"""`reportbot run` as a real subprocess, and campaign "phases" played through it.

A phase is a moment of the campaign: the service starts on simulated time from that moment
(`--now`, speed 1), does what is due (and what arrived in the inbox), and is stopped with
SIGTERM once everything has settled — nothing waiting in the inbox, the intake or the
outbox, and a scheduler tick completed after that.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ENTRY = "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))"
TICK_SECONDS = 0.4


class Run:
    """One `reportbot run` process; its JSON log lines go to a file of their own."""

    serial = 0
    started: list["Run"] = []  # every process, so a failed test leaves none behind

    def __init__(self, site, now: datetime, *, tick: float = TICK_SECONDS, extra: tuple[str, ...] = ()) -> None:
        Run.serial += 1
        self.terminated = False
        self.log = Path(site.folder) / f"run-{Run.serial:03d}.log"
        env = {k: v for k, v in os.environ.items() if k != "REPORTBOT_CONFIG"} | {"REPORTBOT_LOG_LEVEL": "INFO"}
        args = [sys.executable, "-c", ENTRY, "run", "--config", str(site.config_path), "--now", now.isoformat(),
                "--tick-seconds", str(tick), "--log-format", "json", *extra]
        with open(self.log, "wb") as err:
            self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err, cwd=site.folder, env=env)
        Run.started.append(self)

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

    def terminate(self) -> None:
        """SIGTERM, once."""
        if self.proc.poll() is None and not self.terminated:
            self.proc.send_signal(signal.SIGTERM)
            self.terminated = True

    def stop(self, timeout: float = 90) -> int:
        self.terminate()
        return self.proc.wait(timeout)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)

    def tail(self, n: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


def kill_leftovers() -> None:
    while Run.started:
        r = Run.started.pop()
        if r.proc.poll() is None:
            r.kill()


def wait_until(predicate, timeout: float, what: str, runs=()) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for r in runs:
            assert r.proc.poll() is None, f"reportbot run exited ({r.proc.returncode}) while {what}:\n{r.tail()}"
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out while {what}:\n" + "\n---\n".join(r.tail() for r in runs))


def wait_settled(site, runs, timeout: float = 120) -> None:
    """Until the site has settled and a tick completed (at least one interval) after it settled."""
    quiet_since: list[datetime] = []

    def done() -> bool:
        if not site.settled():
            quiet_since.clear()
            return False
        now = datetime.now(timezone.utc)
        if not quiet_since:
            quiet_since.append(now)
            return False
        last = site.last_tick_wall()
        return last is not None and (last - quiet_since[0]).total_seconds() > 1.5 * TICK_SECONDS

    wait_until(done, timeout, "waiting for the site to settle", runs)


def play_phase(site, now: datetime, *, instances: int = 1, kills: int = 0, rng=None, during=None,
               timeout: float = 120) -> list[Run]:
    """SIGKILL `kills` runs at random moments, then run `instances` to the end and stop them gracefully."""
    for _ in range(kills):
        r = Run(site, now)
        time.sleep(rng.uniform(0.5, 4.0))
        r.kill()
    runs = [Run(site, now) for _ in range(instances)]
    if during is not None:
        during(runs)
    wait_settled(site, [r for r in runs if r.proc.poll() is None], timeout)  # `during` may stop one
    for r in runs:  # SIGTERM to all at once, then wait for each
        r.terminate()
    codes = [r.stop() for r in runs]
    assert codes == [0] * len(runs), f"exit codes {codes}:\n" + "\n---\n".join(r.tail() for r in runs)
    return runs
