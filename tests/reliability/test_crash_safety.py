"""SIGKILL `reportbot run` ≥ 20 times while 300 agencies' replies arrive, restart it each time.

Kills land inside the IMAP fetch, between the pipeline's commit and the IMAP move, after the
move, inside SMTP DATA (before the final dot, and after the server's 250 — the one place a
mail may go out twice, with the same Message-ID and bytes), inside a parse, and at random
moments (seeded). Afterwards every reply is recorded exactly once, every report acknowledged
once, no mail duplicated but the documented resends, no reminder after a report, and the
database consistent. The long version is `python bench/soak.py`.
"""
from __future__ import annotations

from .scenarios import crash_campaign

PEAK_RSS_MB = 500


def test_sigkill_at_protocol_steps_loses_and_duplicates_nothing(make_site):
    site = make_site("crash", agencies=300)
    outcome = crash_campaign(site, seed=5422, kills=21, replies=40, interval=1.0)
    print("\n" + outcome.report("crash safety: 300 agencies, SIGKILL ≥ 20 times"))
    assert outcome.figures.problems == []
    assert outcome.kills.total >= 20
    landed = set(outcome.kills.landed)
    for step in ("inside the IMAP fetch", "after the pipeline commit, before the IMAP move",
                 "inside SMTP DATA, before the final dot", "inside SMTP DATA, after the server's 250",
                 "inside a parse"):
        assert step in landed, f"no kill landed {step}: {dict(outcome.kills.landed)}"
    assert outcome.figures.recorded_once == outcome.figures.replies
    assert outcome.figures.outbox["sent"] >= 300  # the dispatch went out, whatever the kills
    assert outcome.peak_rss_mb < PEAK_RSS_MB
