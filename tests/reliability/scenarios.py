"""Whole scenarios against the real service, shared by the CI tests (small) and bench/soak.py (long).

- `crash_campaign`: a campaign of N agencies, replies arriving continuously, `reportbot run`
  SIGKILLed at chosen protocol steps and at random moments (seeded), restarted each time.
- `network_chaos`: one `reportbot run` whose IMAP and SMTP connections are dropped, cut
  mid-response and stalled at random, with periodic drops of every open connection.
Both end by letting a last run settle, stopping it with SIGTERM, and checking invariants.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from tests.sites import ServiceRun, settled, wait_until

from .harness import START, Feeder, SinkIndex, Site, Timeline
from .invariants import Figures, check
from .killer import KINDS, Killer, KillLog


@dataclass
class Outcome:
    figures: Figures
    kills: KillLog | None = None
    peak_rss_mb: float = 0.0          # the service process (VmHWM), over every run
    peak_child_rss_mb: float = 0.0    # its parse children
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    def report(self, title: str) -> str:
        out = [f"== {title} ({self.seconds:.0f} s) =="] + self.figures.lines()
        out.append(f"peak RSS of reportbot run: {self.peak_rss_mb:.0f} MB; of a parse child: "
                   f"{self.peak_child_rss_mb:.0f} MB")
        if self.kills is not None:
            out.append(f"SIGKILLs: {self.kills.total}, landed: {dict(self.kills.landed)}")
        out += [f"{k}: {v}" for k, v in self.extra.items()]
        return "\n".join(out)


def kill_plan(rng: random.Random, kills: int, kinds: tuple[str, ...] = KINDS) -> list[str]:
    """Every kind of kill at least once (when `kills` allows), the rest drawn, in a seeded order."""
    plan = list(kinds) * (kills // len(kinds)) + rng.sample(kinds, kills % len(kinds))
    rng.shuffle(plan)
    return plan


def _settle_and_stop(site: Site, timeline: Timeline, run: ServiceRun, timeout: float) -> int:
    wait_until(lambda: settled(site), timeout, "waiting for the site to settle", run, step=0.5)
    time.sleep(1.0)  # one more tick and poll after settling: nothing new may appear
    wait_until(lambda: settled(site), timeout, "waiting for the site to settle again", run, step=0.5)
    return run.stop()


def crash_campaign(site: Site, *, seed: int = 5422, kills: int = 20, replies: int = 80, interval: float = 0.6,
                   speed: float = 8000, imap_rate: float | None = 4_000_000, large_bytes: int = 3_000_000,
                   settle_timeout: float = 120, kinds: tuple[str, ...] = KINDS) -> Outcome:
    t0 = time.monotonic()
    rng = random.Random(seed)
    timeline, sink = Timeline(START, speed), SinkIndex(site.smtp)
    site.imap_proxy.throttle(imap_rate)  # a large fetch takes a while: kills can land inside it
    killer = Killer(site, rng)
    feeder = Feeder(site, timeline, sink, random.Random(seed + 1), total=replies, interval=interval,
                    large_bytes=large_bytes)
    runs: list[ServiceRun] = []
    feeder.start()
    for kind in kill_plan(rng, kills, kinds):
        runs.append(ServiceRun(site, timeline.now(), speed=speed))
        killer.kill_once(runs[-1], kind, wait=12.0 if kind != "random" else 0.0,
                         poke=lambda: feeder.push("report"))
        time.sleep(rng.uniform(0.0, 0.5))
    final = ServiceRun(site, timeline.now(), speed=speed)
    runs.append(final)
    feeder.join(max(0.0, replies * interval * 2))
    feeder.stop()
    if feeder.error:
        raise feeder.error
    code = _settle_and_stop(site, timeline, final, settle_timeout)
    orphans = killer.reap_orphans()
    figures = check(site, feeder.ledger, sink)
    if code != 0:
        figures.problems.append(f"the last run exited with {code} on SIGTERM")
    return Outcome(figures, killer.log, max(r.hwm_kb for r in runs) / 1024, max(r.child_hwm_kb for r in runs) / 1024,
                   time.monotonic() - t0, {"processes that outlived their killed run": orphans["outlived"],
                                           f"of which alive {90} s later": orphans["still_alive"],
                                           "parses killed mid-way: temp folders left in /tmp":
                                               f"{orphans['temp_dirs_left']} of {orphans['parse_orphans']}",
                                           "runs": len(runs)})


def network_chaos(site: Site, *, seed: int = 7, seconds: float = 40, replies: int = 40, speed: float = 600,
                  drop_every: float = 6.0, settle_timeout: float = 120) -> Outcome:
    t0 = time.monotonic()
    rng = random.Random(seed)
    timeline, sink = Timeline(START, speed), SinkIndex(site.smtp)
    # Each fault once for certain (the first connections: refused, cut, stalled past the client's
    # timeout), then at random. IMAP: the server's bytes (greeting to FETCH bodies); SMTP: its
    # replies, or our DATA upload.
    for proxy, cut_at in ((site.imap_proxy, 3000), (site.smtp_proxy, 300)):
        proxy.refuse_next(1)
        proxy.cut_after_bytes(cut_at, times=1)
        proxy.stall_next(7.0, after_bytes=100, times=1)
    site.imap_proxy.chaos(random.Random(rng.random()), drop=0.15, cut=0.25, stall=0.2, stall_seconds=(0.5, 8.0),
                          cut_bytes=(1, 60000))
    site.smtp_proxy.chaos(random.Random(rng.random()), drop=0.15, cut=0.35, stall=0.35, stall_seconds=(0.5, 8.0),
                          cut_bytes=(1, 600), upstream_bytes=(1, 400_000))
    feeder = Feeder(site, timeline, sink, random.Random(seed + 1), total=replies,
                    interval=seconds / max(1, replies), large_bytes=400_000)
    run = ServiceRun(site, timeline.now(), speed=speed)
    chaos_from = time.monotonic()
    feeder.start()
    drops = 0
    while time.monotonic() - chaos_from < seconds:
        time.sleep(drop_every * rng.uniform(0.5, 1.5))
        drops += site.imap_proxy.drop_all() + site.smtp_proxy.drop_all()
        assert run.alive(), run.tail()
    chaos_seconds = time.monotonic() - chaos_from
    site.imap_proxy.clear()
    site.smtp_proxy.clear()
    feeder.join(60)  # the last few replies, if the jittered feed ran late
    feeder.stop()
    if feeder.error:
        raise feeder.error
    code = _settle_and_stop(site, timeline, run, settle_timeout)
    figures = check(site, feeder.ledger, sink)
    if code != 0:
        figures.problems.append(f"the run exited with {code} on SIGTERM")
    extra = {}
    for name, proxy in (("IMAP", site.imap_proxy), ("SMTP", site.smtp_proxy)):
        during = [t for t in proxy.accepted_at if chaos_from <= t <= chaos_from + chaos_seconds]
        extra[f"{name} connections"] = (f"{len(during)} in {chaos_seconds:.0f} s of chaos "
                                        f"({len(during) / chaos_seconds:.2f}/s), peak "
                                        f"{proxy.peak_rate(1.0, chaos_from)} in 1 s; faults {dict(proxy.faults)}")
        extra[f"{name} peak per second"] = proxy.peak_rate(1.0, chaos_from)
        extra[f"{name} mean per second"] = len(during) / chaos_seconds
    extra["connections dropped by drop_all"] = drops
    lost = sum(1 for r in run.records() if "connection lost" in r.get("msg", ""))
    extra["'inbox connection lost' log lines"] = lost
    return Outcome(figures, None, run.hwm_kb / 1024, run.child_hwm_kb / 1024, time.monotonic() - t0, extra)
