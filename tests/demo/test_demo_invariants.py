"""Each invariant catches the breach it names (pure checks over crafted facts)."""
from __future__ import annotations

from datetime import UTC, datetime

from bot.demo.invariants import (
    DbFacts,
    InRow,
    OutRow,
    WorldFacts,
    check_all,
    check_bounces,
    check_campaign_ran,
    check_no_loops,
    check_no_reminder_after_report,
    check_reminders_on_working_days,
    check_replies_recorded_once,
    check_sent_once,
    stale_reminders,
)

TZ = "Asia/Ho_Chi_Minh"
FRI = datetime(2024, 12, 27, 1, 5, tzinfo=UTC)     # Friday 08:05 in Hanoi
SAT = datetime(2024, 12, 28, 1, 5, tzinfo=UTC)     # Saturday
NEW_YEAR = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)  # a public holiday
REG = {"BYT": {"vanthu@byt.example", "byt.example"}, "HNI": {"vanthu@hanoi.example", "hanoi.example"}}


def out(key: str, agency: str, kind: str, *, status="sent", at=FRI, reply_to=None) -> OutRow:
    return OutRow(key, agency, kind, status, at, at if status == "sent" else None, reply_to)


def facts(outbound=(), inbound=(), submissions=(), states=None, **kw) -> DbFacts:
    return DbFacts(TZ, list(outbound), list(inbound), list(submissions), states or {}, **kw)


def world(sent=(), bounced=(), duplicates=(), planned=None, errors=()) -> WorldFacts:
    planned = sum(1 for s in sent if s[1] == "report") if planned is None else planned
    return WorldFacts(list(sent), REG, set(bounced), list(duplicates), planned, tuple(errors))


def test_a_clean_run_breaks_nothing():
    db = facts([out("BYT|dispatch", "BYT", "dispatch"), out("BYT|reminder|1", "BYT", "reminder"),
                out("HNI|dispatch", "HNI", "dispatch", status="failed")],
               [InRow(1, "r1@byt.example", "processed", "report", "BYT")], [("BYT", 1)], {"BYT": "received", "HNI": "bounced"},
               first_report_event={"BYT": 10}, queued_event={"BYT|reminder|1": 5}, sent_event={"BYT|reminder|1": 6})
    verdicts = check_all(db, world([("BYT", "report", "<r1@byt.example>", "vanthu@byt.example")], bounced={"HNI"}))
    assert [v.name for v in verdicts if not v.ok] == []


def test_a_reply_stored_twice_or_never_or_without_its_submission_is_named():
    sent = [("BYT", "report", "<a@byt.example>", "vanthu@byt.example"),
            ("BYT", "report", "<b@byt.example>", "vanthu@byt.example"),
            ("HNI", "report", "<c@hanoi.example>", "vanthu@hanoi.example")]
    inbound = [InRow(1, "a@byt.example", "processed", "report", "BYT"), InRow(2, "a@byt.example", "processed", "", "BYT"),
               InRow(3, "c@hanoi.example", "processed", "message", "HNI")]
    bad = check_replies_recorded_once(facts(inbound=inbound, submissions=[("BYT", 1)]), world(sent))
    assert bad == ["BYT: report a@byt.example stored 2 times", "BYT: report b@byt.example stored 0 times",
                   "HNI: report c@hanoi.example gave 0 submissions (state processed)"]
    left = check_replies_recorded_once(facts(inbound=[InRow(1, "a@byt.example", "stored", "", None)]), world(sent[:1]))
    assert left == ["BYT: report a@byt.example left stored"]


def test_a_reminder_queued_after_the_report_and_sent_breaks_the_rule_but_one_cancelled_does_not():
    base = dict(first_report_event={"BYT": 10}, queued_event={"k1": 12, "k2": 13}, sent_event={"k1": 14})
    sent_late = facts([out("k1", "BYT", "reminder"), out("k2", "BYT", "overdue", status="cancelled")], **base)
    assert check_no_reminder_after_report(sent_late, world()) == [
        "BYT: reminder k1 queued after its report was recorded, and sent"]
    assert stale_reminders(sent_late) == ["k1", "k2"]
    cancelled = facts([out("k2", "BYT", "overdue", status="cancelled")], **base)
    assert check_no_reminder_after_report(cancelled, world()) == []


def test_one_reminder_in_the_mailers_hands_may_land_after_the_report_but_not_two():
    one = facts([out("k1", "BYT", "reminder")], first_report_event={"BYT": 10}, queued_event={"k1": 3},
                sent_event={"k1": 11})
    assert check_no_reminder_after_report(one, world()) == []
    two = facts([out("k1", "BYT", "reminder"), out("k2", "BYT", "overdue")], first_report_event={"BYT": 10},
                queued_event={"k1": 3, "k2": 4}, sent_event={"k1": 11, "k2": 12})
    assert check_no_reminder_after_report(two, world()) == ["BYT: 2 reminders sent after its report was recorded"]


def test_reminders_queued_on_a_weekend_or_holiday_are_named_in_the_campaign_timezone():
    db = facts([out("a", "BYT", "reminder", at=FRI), out("b", "BYT", "reminder", at=SAT),
                out("c", "HNI", "overdue", at=NEW_YEAR), out("d", "HNI", "ack", at=SAT)])
    assert check_reminders_on_working_days(db, world()) == [
        "BYT: reminder b queued on Sat 28/12/2024 08:05", "HNI: overdue c queued on Wed 01/01/2025 15:00"]


def test_duplicates_bounces_and_loops_are_named():
    assert check_sent_once(facts(), world(duplicates=["BYT: <x@example.gov.vn>"])) == [
        "received twice: BYT: <x@example.gov.vn>"]
    db = facts([out("r1", "HNI", "reminder"), out("r2", "HNI", "reminder")], states={"HNI": "overdue"},
               bounce_event={"HNI": 20}, queued_event={"r1": 10, "r2": 30})
    assert check_bounces(db, world(bounced={"HNI"})) == [
        "HNI: state overdue, expected bounced",
        "HNI: reminder r2 queued after the address was recorded as failing"]
    sent = [("BYT", "auto_reply", "<ooo@byt.example>", "vanthu@byt.example"),
            ("HNI", "report", "<p@gmail.com>", "someone@gmail.com")]
    db = facts([out("ack|5", "BYT", "ack", reply_to="ooo@byt.example")],
               [InRow(5, "ooo@byt.example", "ignored", "auto_reply", "BYT"), InRow(6, "p@gmail.com", "processed", "report", "HNI")])
    assert check_no_loops(db, world(sent)) == [
        "BYT: ack ack|5 answers automated mail ooo@byt.example",
        "HNI: report from unregistered someone@gmail.com is processed, not quarantined"]


def test_a_run_where_nothing_happened_does_not_pass_for_a_clean_one():
    db = facts([out("BYT|dispatch", "BYT", "dispatch", status="pending")], states={"BYT": "not_sent", "HNI": "not_sent"})
    assert check_campaign_ran(db, world(planned=90, errors=["reportbot.service: scheduler tick failed"])) == [
        "BYT: letter pending", "HNI: letter never queued", "0 of 90 planned reports were sent",
        "service error: reportbot.service: scheduler tick failed"]
