"""Servers that say no: SMTP 421/451/452/550/552/554 at RCPT and at DATA, IMAP NO/BAD/BYE.

SMTP (through the scheduler tick the service runs, on an injected clock): a 4xx is deferred
with backoff and delivered exactly once later; a 5xx fails the mail at once, marks the refused
address `failed` (nothing more goes to it, reminders included) and is never retried.

IMAP (a real `reportbot run`, its connection through a proxy that answers chosen commands
itself): NO to FETCH, NO to MOVE after the pipeline committed, BAD to SELECT, BYE instead
of a SEARCH answer or during IDLE — each logged, reconnected after a backoff, and every
reply still recorded once and filed once.
"""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlmodel import select

from bot.service.tick import run_tick
from db.models import Agency, Contact, Event, OutboundMail
from tests.sites import ServiceRun, settled, wait_until

from .harness import START, SinkIndex, Timeline
from .invariants import check
from .world import address, report_mail

TEMPORARY = [(421, "rcpt"), (451, "rcpt"), (452, "rcpt"), (421, "data"), (451, "data"), (452, "data")]
PERMANENT = [(550, "rcpt"), (552, "rcpt"), (554, "rcpt"), (550, "data"), (552, "data"), (554, "data")]
CLEAN = 3


def _dispatch_rows(site) -> dict[str, OutboundMail]:
    with site.session() as s:
        codes = {a.id: a.code for a in s.exec(select(Agency))}
        return {codes[o.agency_id]: o for o in s.exec(select(OutboundMail).where(OutboundMail.kind == "dispatch"))}


def test_smtp_4xx_is_retried_once_delivered_and_5xx_fails_for_good(make_site):
    site = make_site("smtp-errors", agencies=len(TEMPORARY) + len(PERMANENT) + CLEAN)
    temp, perm = site.agencies[:len(TEMPORARY)], site.agencies[len(TEMPORARY):len(TEMPORARY) + len(PERMANENT)]
    for code, (reply, stage) in zip(temp, TEMPORARY):
        site.smtp.reject(reply, stage=stage, address=address(code), times=1)
    for code, (reply, stage) in zip(perm, PERMANENT):
        site.smtp.reject(reply, stage=stage, address=address(code))

    first = run_tick(site.app, START)
    deferred, failed = sum(s.deferred for s in first.sends), sum(s.failed for s in first.sends)
    assert (first.sent, deferred, failed) == (CLEAN + 1, 6, 6)  # + the staff digest
    rows = _dispatch_rows(site)
    for code, (reply, _) in zip(temp, TEMPORARY):
        assert rows[code].status == "pending" and f" {reply} " in f" {rows[code].last_error}", rows[code].last_error
    for code, (reply, _) in zip(perm, PERMANENT):
        assert rows[code].status == "failed" and str(reply) in rows[code].last_error

    assert run_tick(site.app, START + timedelta(seconds=20)).sent == 0  # backoff (30–60 s): not yet due
    assert run_tick(site.app, START + timedelta(hours=2)).sent == len(TEMPORARY)
    run_tick(site.app, START + timedelta(hours=4))

    sink = SinkIndex(site.smtp).refresh()
    assert set(sink.count.values()) == {1}  # nothing twice
    assert sorted(sink.dispatch_ids) == sorted(temp + site.agencies[-CLEAN:])
    rows = _dispatch_rows(site)
    assert {rows[c].attempts for c in temp} == {2} and {rows[c].status for c in temp} == {"sent"}
    assert {rows[c].attempts for c in perm} == {1} and {rows[c].status for c in perm} == {"failed"}
    with site.session() as s:
        failed = {c.email for c in s.exec(select(Contact).where(Contact.state == "failed"))}
        deferred = Counter(e.kind for e in s.exec(select(Event).where(Event.kind.like("outbox.%"))))
    assert failed == {address(c) for c in perm}
    assert deferred["outbox.deferred"] == 6 and deferred["outbox.failed"] == 6
    assert site.smtp_proxy.connections >= 3  # each 421 closed its connection; the next mail reconnected

    # The first reminder (25/12, 08:00) goes to every agency but those whose address was refused.
    run_tick(site.app, START + timedelta(days=6))
    reminded = {a for _, kind, a, _ in sink.refresh().arrivals if kind == "reminder"}
    assert reminded == set(temp + site.agencies[-CLEAN:])


IMAP_FAULTS = [  # (command, the server's answer, close the connection)
    ("UID FETCH", "{tag} NO [UNAVAILABLE] Injected: message store unavailable", False),
    ("UID MOVE", "{tag} NO [SERVERBUG] Injected: move failed", False),
    ("SELECT", "{tag} BAD Injected: command refused", False),
    ("UID SEARCH", "* BYE Injected: server shutting down", True),
    ("IDLE", "* BYE Injected: idle connection dropped", True),
    ("NOOP", "{tag} NO Injected: try again", False),
]


def test_imap_no_bad_and_bye_are_survived_with_every_reply_recorded_once(make_site):
    site = make_site("imap-errors", agencies=10)
    timeline, sink = Timeline(START - timedelta(days=1), 1.0), SinkIndex(site.smtp)  # before the dispatch
    run = ServiceRun(site, timeline.now())
    wait_until(lambda: run.logged("reportbot run started"), 60, "starting", run)
    ledger = []
    for i, (command, answer, close) in enumerate(IMAP_FAULTS):
        fired = site.imap_proxy.faults["replied instead"]
        site.imap_proxy.reply_instead(command, answer, close=close, times=1)
        if command in ("SELECT", "IDLE"):  # asked once per connection: make the client connect again
            site.imap_proxy.drop_all()
        r = report_mail(site.agencies[i], timeline.now(), thread=None)
        site.append(r.raw, timeline.now())
        ledger.append(r)
        wait_until(lambda n=fired: site.imap_proxy.faults["replied instead"] > n, 60, f"{command} answered", run)
        wait_until(lambda: settled(site), 60, f"recovering from {answer!r}", run)
    assert run.stop() == 0
    f = check(site, ledger, sink)
    print("\n" + "\n".join(f.lines()))
    assert f.problems == [] and f.recorded_once == len(IMAP_FAULTS)
    logged = [x["msg"] for x in run.records() if x.get("level") in ("warning", "error")]
    for _, answer, _ in IMAP_FAULTS:
        assert any(answer.split("Injected: ")[1] in m for m in logged), (answer, logged)
    assert site.imap_proxy.peak_rate(1.0) <= 3

