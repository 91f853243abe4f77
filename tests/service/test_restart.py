"""SIGKILL `reportbot run` at random moments, restart it, and end where an uninterrupted run ends.

The campaign is played as phases (tests/service/runner.py): at each moment the service runs
on simulated time from that moment until everything due has been done. The uninterrupted
run stops gracefully (SIGTERM) at the end of each phase; the other is also SIGKILLed at
random moments (seeded) — while it starts, dispatches, takes in mail, acknowledges — and
restarted. Both must end with the same submissions, outbox (kind, seq, status, recipients),
contacts and inbound messages. SQLite: one `run` per database.
"""
from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from .runner import play_phase
from .site import at, auto_reply, dsn, report_reply

KILLS_PER_PHASE = (4, 4, 3, 2)  # 13 SIGKILLs in all


def play(site, *, rng: random.Random | None = None) -> None:
    """The campaign's phases; with `rng`, SIGKILLs at random moments in each."""
    kills = iter(KILLS_PER_PHASE if rng else (0,) * len(KILLS_PER_PHASE))
    play_phase(site, at(19, 12, 9, 0), kills=next(kills), rng=rng)    # dispatch (HNI refused), digest
    site.append(dsn("NAN", site.dispatch_to("NAN"), at(19, 12, 9, 5)), at(19, 12, 9, 5))
    site.append(auto_reply("VOV", site.dispatch_to("VOV"), at(19, 12, 9, 10)), at(19, 12, 9, 10))
    for code, day, missing in (("BYT", 23, ()), ("BTC", 24, ("IV", "V")), ("DNG", 24, ())):
        site.append(report_reply(code, site.dispatch_to(code), at(day, 12, 9), missing), at(day, 12, 9))
    play_phase(site, at(24, 12, 10), kills=next(kills), rng=rng)      # intake, acknowledgements
    play_phase(site, at(31, 12, 8, 30), kills=next(kills), rng=rng)   # down since 24/12: 1st overdue only
    play_phase(site, at(6, 1, 8, 30), kills=next(kills), rng=rng)     # 2nd overdue reminder, escalated


def test_sigkill_at_random_moments_ends_in_the_state_of_an_uninterrupted_run(site_factory):
    calm, killed = site_factory("calm"), site_factory("killed", rate=240)  # 4 mails/s: kills land mid-send
    with ThreadPoolExecutor(1) as pool:  # the two sites share nothing: play them side by side
        uninterrupted = pool.submit(play, calm)
        play(killed, rng=random.Random(5422))
        uninterrupted.result()
    expected = calm.meaningful_state()
    outbox = Counter(k for _, k, *_ in expected["outbox"])
    assert outbox == {"dispatch": 8, "ack": 3, "digest": 4, "overdue": 6}  # the run went the distance
    assert killed.meaningful_state() == expected
