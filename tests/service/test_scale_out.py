"""Two `reportbot run` processes on one PostgreSQL database, one Dovecot inbox, one SMTP sink.

Both watch the inbox (intake claims each message), only the holder of the advisory lock runs
the scheduler; when it stops, the other takes over. Through a campaign, every mail reaches the
SMTP server once and every reply is recorded once.
"""
from __future__ import annotations

import time
from collections import Counter

from sqlmodel import select

from db.models import Event, InboundMessage, OutboundMail, Submission
from tests.sites import wait_until

from .runner import play_phase
from .site import address, at, auto_reply, dsn, report_reply

LEADS = "this instance now runs the scheduler"


def test_two_runs_on_one_postgresql_database_send_once_and_record_once(site_factory, pg_url):
    site = site_factory("pg", db_url=pg_url, rate=240)  # 4 mails a second
    play_phase(site, at(19, 12, 9), instances=2)                       # the dispatch
    replies = [(dsn("NAN", site.dispatch_to("NAN"), at(20, 12, 9)), at(20, 12, 9)),
               (auto_reply("VOV", site.dispatch_to("VOV"), at(20, 12, 9, 5)), at(20, 12, 9, 5))]
    replies += [(report_reply(code, site.dispatch_to(code), at(23, 12, h), missing), at(23, 12, h))
                for code, h, missing in (("BYT", 9, ()), ("BTC", 10, ("IV",)), ("DNG", 11, ()))]

    def deliver_while_both_watch(runs):
        wait_until(lambda: all(r.logged("reportbot run started") for r in runs), 90, "starting", *runs)
        time.sleep(1.0)  # both watchers logged in and idling
        for raw, when in replies:
            site.append(raw, when)

    play_phase(site, at(24, 12, 10), instances=2, during=deliver_while_both_watch)
    play_phase(site, at(25, 12, 8, 30), instances=2, during=leader_stops_mid_tick)  # first reminder

    with site.session() as s:
        rows = s.exec(select(OutboundMail)).all()
        inbound = s.exec(select(InboundMessage)).all()
        subs = s.exec(select(Submission)).all()
        sent_events = s.exec(select(Event).where(Event.kind == "outbox.sent")).all()
    received = [str(m["Message-ID"]) for m in site.received()]
    assert len(received) == len(set(received))                         # no mail twice at the server
    sent = {r.message_id for r in rows if r.status == "sent"}
    assert set(received) == sent and len(sent_events) == len(sent)
    assert {(r.kind, r.status) for r in rows if r.status != "sent"} == {("dispatch", "failed")}  # HNI
    assert Counter(r.kind for r in rows) == {"dispatch": 8, "ack": 3, "reminder": 3, "digest": 3}
    assert sorted(m.classification for m in inbound) == ["auto_reply", "bounce", "report", "report", "report"]
    assert sorted((s.agency_id, s.version) for s in subs) == sorted({(s.agency_id, 1) for s in subs})
    assert len(subs) == 3
    acked = sorted(a for r in rows if r.kind == "ack" for a in r.to_addrs)
    assert acked == sorted(address(c) for c in ("BYT", "BTC", "DNG"))


def leader_stops_mid_tick(runs) -> None:
    """The scheduler's holder gets SIGTERM during its first tick; the other instance takes over."""
    wait_until(lambda: any(r.logged(LEADS) for r in runs), 90, "waiting for a leader", *runs)
    leader = next(r for r in runs if r.logged(LEADS))
    other = next(r for r in runs if r is not leader)
    time.sleep(0.5)  # a tick of the other instance: it must not have taken the lock meanwhile
    assert not other.logged(LEADS)
    assert leader.stop() == 0
    wait_until(lambda: other.logged(LEADS), 90, "waiting for the other instance to take over", other)
