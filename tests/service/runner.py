"""Campaign "phases" played through `reportbot run` (tests/sites.py's ServiceRun).

A phase is a moment of the campaign: the service starts on simulated time from that moment
(`--now`, speed 1), does what is due (and what arrived in the inbox), and is stopped with
SIGTERM once everything has settled — nothing waiting in the inbox, the intake or the
outbox, and a scheduler tick completed after that.
"""
from __future__ import annotations

import time
from datetime import UTC, datetime

from tests.sites import TICK_SECONDS, ServiceRun, settled, wait_until


def wait_settled(site, runs, timeout: float = 120) -> None:
    """Until the site has settled and a tick completed (at least one interval) after it settled."""
    quiet_since: list[datetime] = []

    def done() -> bool:
        if not settled(site):
            quiet_since.clear()
            return False
        now = datetime.now(UTC)
        if not quiet_since:
            quiet_since.append(now)
            return False
        last = site.last_tick_wall()
        return last is not None and (last - quiet_since[0]).total_seconds() > 1.5 * TICK_SECONDS

    wait_until(done, timeout, "waiting for the site to settle", *runs, step=0.1)


def play_phase(site, now: datetime, *, instances: int = 1, kills: int = 0, rng=None, during=None,
               timeout: float = 120) -> list[ServiceRun]:
    """SIGKILL `kills` runs at random moments, then run `instances` to the end and stop them gracefully."""
    for _ in range(kills):
        r = ServiceRun(site, now)
        time.sleep(rng.uniform(0.5, 4.0))
        r.kill()
    runs = [ServiceRun(site, now) for _ in range(instances)]
    if during is not None:
        during(runs)
    wait_settled(site, [r for r in runs if r.alive()], timeout)  # `during` may stop one
    for r in runs:  # SIGTERM to all at once, then wait for each
        r.terminate()
    codes = [r.stop() for r in runs]
    assert codes == [0] * len(runs), f"exit codes {codes}:\n" + "\n---\n".join(r.tail() for r in runs)
    return runs
