"""The planner on the 5422 calendar: a fixed clock, no sleeping.

`simulate` plays a scheduler that ticks every `step`, feeds back what it queued
and checks at every tick that asking again at the same `now` yields nothing.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest

from bot.campaigns.workdays import parse_days
from bot.outbound.planner import (
    AgencyPlanFacts,
    CampaignPlan,
    SentMail,
    nominal_schedule,
    plan_agency,
    plan_due,
    reminder_slots,
)

from .helpers import at, local


def simulate(plan: CampaignPlan, start: datetime, end: datetime, *, step=timedelta(hours=1),
             down=(), reported_at=None, facts=None) -> list[tuple]:
    """Tick from start to end; returns [(kind, seq, local time queued, escalate)]."""
    facts = facts or AgencyPlanFacts("BYT")
    log, now = [], start
    while now <= end:
        if not any(a <= now < b for a, b in down):
            if reported_at is not None:  # the report gets recorded at reported_at
                facts = replace(facts, reported_at=reported_at if reported_at <= now else None)
            for m in plan_agency(plan, facts, now):
                facts = replace(facts, sent=facts.sent + (SentMail(m.kind, m.seq, now),))
                log.append((m.kind, m.seq, local(now), m.escalate))
            assert plan_agency(plan, facts, now) == [], f"not idempotent at {local(now)}"
        now += step
    return log


FULL_RUN = [
    ("dispatch", 1, "19/12/2024 09:00", False),
    ("reminder", 1, "25/12/2024 08:00", False),
    ("reminder", 2, "27/12/2024 08:00", False),   # 5422: 28/12 is a Saturday → Friday 27/12
    ("reminder", 3, "30/12/2024 08:00", False),
    ("overdue", 1, "31/12/2024 08:00", False),
    ("overdue", 2, "06/01/2025 08:00", True),     # 3 working days: 02/01, 03/01, 06/01
    ("overdue", 3, "09/01/2025 08:00", True),
]


def test_nominal_schedule_of_5422(plan):
    got = [(s.kind, s.seq, local(s.due_at)) for s in nominal_schedule(plan)]
    assert got == [row[:3] for row in FULL_RUN]


def test_the_5422_calendar_with_hourly_ticks(plan):
    assert simulate(plan, at("18/12/2024", "00:00"), at("31/01/2025", "00:00")) == FULL_RUN


def test_irregular_ticks_send_each_mail_once_at_the_first_tick_after_its_slot(plan):
    log = simulate(plan, at("18/12/2024", "00:00"), at("20/01/2025", "00:00"),
                   step=timedelta(minutes=47))
    assert [(k, s, e) for k, s, _, e in log] == [(k, s, e) for k, s, _, e in FULL_RUN]
    for (_, _, sent, _), (_, _, slot, _) in zip(log, FULL_RUN):
        delay = datetime.strptime(sent, "%d/%m/%Y %H:%M") - datetime.strptime(slot, "%d/%m/%Y %H:%M")
        assert timedelta(0) <= delay < timedelta(minutes=47)


def test_no_reminder_after_a_report_on_26_12(plan):
    log = simulate(plan, at("18/12/2024", "00:00"), at("31/01/2025", "00:00"),
                   reported_at=at("26/12/2024", "10:15"))
    assert log == FULL_RUN[:2]


def test_report_stops_reminders_even_when_recorded_after_now(plan):
    # The planner trusts the recorded fact, not its timestamp: no race with a tick in flight.
    facts = AgencyPlanFacts("BYT", reported_at=at("27/12/2024", "08:30"),
                        sent=(SentMail("dispatch", 1, at("19/12/2024", "09:00")),))
    assert plan_agency(plan, facts, at("27/12/2024", "08:00")) == []


@pytest.mark.parametrize("facts", [
    AgencyPlanFacts("BYT", exempt=True),
    AgencyPlanFacts("BYT", all_contacts_bounced=True),
    AgencyPlanFacts("BYT", reported_at=at("18/12/2024", "10:00")),
])
def test_nothing_to_exempt_bounced_or_reported_agencies(plan, facts):
    assert simulate(plan, at("18/12/2024", "00:00"), at("15/01/2025", "00:00"), facts=facts) == []


def test_bounce_after_dispatch_stops_the_reminders(plan):
    facts = AgencyPlanFacts("BYT", all_contacts_bounced=True,
                        sent=(SentMail("dispatch", 1, at("19/12/2024", "09:00")),))
    assert plan_agency(plan, facts, at("25/12/2024", "09:00")) == []


def test_no_reminder_before_the_dispatch_was_sent(plan):
    # The dispatch is late (agency added on 25/12): at 25/12 09:00 only the dispatch is due.
    due = plan_agency(plan, AgencyPlanFacts("NEW"), at("25/12/2024", "09:00"))
    assert [(m.kind, m.seq) for m in due] == [("dispatch", 1)]
    # Sent at 09:00, the 25/12 reminder (same day) is skipped; the next is 27/12.
    log = simulate(plan, at("25/12/2024", "09:00"), at("28/12/2024", "00:00"))
    assert log == [("dispatch", 1, "25/12/2024 09:00", False),
                   ("reminder", 2, "27/12/2024 08:00", False)]


def test_catch_up_sends_only_the_latest_reminder_once(plan):
    # Service down from 24/12 to Friday 27/12 10:00: slots 25/12 and 27/12 both passed.
    log = simulate(plan, at("19/12/2024", "09:00"), at("30/12/2024", "12:00"),
                   down=[(at("24/12/2024", "00:00"), at("27/12/2024", "10:00"))])
    assert log == [("dispatch", 1, "19/12/2024 09:00", False),
                   ("reminder", 2, "27/12/2024 10:00", False),
                   ("reminder", 3, "30/12/2024 08:00", False)]


def test_catch_up_on_a_weekend_waits_for_the_next_working_morning(plan):
    # Back on Saturday 28/12 10:00 after missing 25/12 and 27/12: nothing on the weekend;
    # on Monday the latest slot (30/12) supersedes the missed ones.
    log = simulate(plan, at("19/12/2024", "09:00"), at("30/12/2024", "12:00"),
                   down=[(at("24/12/2024", "00:00"), at("28/12/2024", "10:00"))])
    assert log == [("dispatch", 1, "19/12/2024 09:00", False),
                   ("reminder", 3, "30/12/2024 08:00", False)]


def test_overdue_catch_up_on_new_year_holiday_waits_for_2_january(plan):
    # Regression (demo run): the service missed the 31/12 overdue slot and caught up on
    # 1/1/2025, a public holiday. It must wait for Thursday 2/1 08:00.
    log = simulate(plan, at("19/12/2024", "09:00"), at("02/01/2025", "12:00"),
                   down=[(at("30/12/2024", "18:00"), at("01/01/2025", "18:08"))])
    overdue = [e for e in log if e[0] == "overdue"]
    assert overdue == [("overdue", 1, "02/01/2025 08:00", False)]


def test_no_reminder_leaves_at_night(plan):
    # Back at 21:00 on a working day: the overdue reminder waits for 08:00 next morning.
    log = simulate(plan, at("19/12/2024", "09:00"), at("01/01/2025", "00:00"),
                   down=[(at("30/12/2024", "18:00"), at("31/12/2024", "21:00"))])
    assert [e for e in log if e[0] == "overdue"] == []


def test_catch_up_drops_a_pre_deadline_reminder_once_the_deadline_passed(plan):
    log = simulate(plan, at("19/12/2024", "09:00"), at("31/12/2024", "12:00"),
                   down=[(at("29/12/2024", "00:00"), at("31/12/2024", "10:00"))])
    assert log[-2:] == [("reminder", 2, "27/12/2024 08:00", False),
                        ("overdue", 1, "31/12/2024 10:00", False)]


def test_reminder_caught_up_on_the_slot_day_covers_that_day(plan):
    # Down until 30/12 07:00: the 27/12 slot is caught up at 07:00 and the 30/12 08:00
    # slot must not follow an hour later.
    facts = AgencyPlanFacts("BYT", sent=(
        SentMail("dispatch", 1, at("19/12/2024", "09:00")),
        SentMail("reminder", 1, at("25/12/2024", "08:00")),
        SentMail("reminder", 2, at("30/12/2024", "07:00")),
    ))
    assert plan_agency(plan, facts, at("30/12/2024", "08:00")) == []


def test_missed_overdue_slots_are_sent_once_never_as_a_burst(plan):
    # Down from 30/12 to 08/01: overdue 1 (due 31/12) and 2 (due 06/01) both passed.
    log = simulate(plan, at("19/12/2024", "09:00"), at("31/01/2025", "00:00"),
                   down=[(at("30/12/2024", "00:00"), at("08/01/2025", "10:00"))])
    assert log[-3:] == [
        ("overdue", 1, "08/01/2025 10:00", False),
        ("overdue", 2, "13/01/2025 08:00", True),   # 3 working days after the catch-up
        ("overdue", 3, "16/01/2025 08:00", True),
    ]


def test_overdue_stops_at_overdue_max_and_escalation_is_configurable(plan):
    custom = replace(plan, overdue_max=5, escalate_on_overdue=0, overdue_every="1d")
    log = simulate(custom, at("19/12/2024", "09:00"), at("31/01/2025", "00:00"))
    overdue = [row for row in log if row[0] == "overdue"]
    assert [(s, when) for _, s, when, _ in overdue] == [
        (1, "31/12/2024 08:00"), (2, "02/01/2025 08:00"), (3, "03/01/2025 08:00"),
        (4, "06/01/2025 08:00"), (5, "07/01/2025 08:00")]
    assert not any(e for *_, e in overdue)


def test_agency_dispatched_after_the_deadline_gets_time_before_its_first_overdue(plan):
    log = simulate(plan, at("03/01/2025", "10:00"), at("31/01/2025", "00:00"))
    assert log[:2] == [("dispatch", 1, "03/01/2025 10:00", False),
                       ("overdue", 1, "08/01/2025 08:00", False)]


def test_reminder_slots_landing_on_the_same_day_send_one_mail(plan):
    # Deadline Monday 30/12: 3d → Friday 27/12, 2d → Saturday 28/12 → Friday 27/12.
    custom = replace(plan, remind_before=("3d", "2d"))
    assert [local(s.due_at) for s in reminder_slots(custom)] == ["27/12/2024 08:00"] * 2
    log = simulate(custom, at("19/12/2024", "09:00"), at("30/12/2024", "16:00"))
    assert [r[:3] for r in log if r[0] == "reminder"] == [("reminder", 2, "27/12/2024 08:00")]


def test_reminder_on_a_holiday_moves_to_the_previous_working_day(plan):
    custom = replace(plan, deadline=at("02/01/2025", "17:00"), remind_before=("1d",),
                     send_time=time(7, 30))
    assert [local(s.due_at) for s in reminder_slots(custom)] == ["31/12/2024 07:30"]


def test_plan_due_orders_agencies_and_skips_the_finished(plan):
    dispatched = (SentMail("dispatch", 1, at("19/12/2024", "09:00")),)
    agencies = [
        AgencyPlanFacts("BTC", sent=dispatched),
        AgencyPlanFacts("BYT", sent=dispatched, reported_at=at("24/12/2024", "10:00")),
        AgencyPlanFacts("ANG"),  # never dispatched
        AgencyPlanFacts("BGD", sent=dispatched),
    ]
    due = plan_due(plan, agencies, at("25/12/2024", "09:00"))
    assert [(m.agency_code, m.kind) for m in due] == [
        ("ANG", "dispatch"), ("BGD", "reminder"), ("BTC", "reminder")]


def test_naive_datetimes_and_bad_offsets_are_rejected(plan):
    with pytest.raises(ValueError):
        plan_agency(plan, AgencyPlanFacts("BYT"), datetime(2024, 12, 25, 8))
    with pytest.raises(ValueError):
        replace(plan, deadline=datetime(2024, 12, 30, 17))
    with pytest.raises(ValueError):
        replace(plan, remind_before=("5 days",))
    with pytest.raises(ValueError):
        replace(plan, overdue_every="0d")
    assert parse_days("0d") == 0 and parse_days(" 12d ") == 12


def test_a_letter_that_reached_no_live_address_goes_once_to_the_new_one(plan):
    sent = (SentMail("dispatch", 1, at("19/12/2024", "09:00")),)
    lost = AgencyPlanFacts("HNI", sent=sent, letter_reached=False)      # bounced; staff gave a new address
    [due] = plan_agency(plan, lost, at("23/12/2024", "21:00"))          # at once, even out of office hours
    assert (due.kind, due.seq, due.due_at) == ("dispatch", 2, at("23/12/2024", "21:00"))
    queued = replace(lost, sent=sent + (SentMail("dispatch", 2, due.due_at),), letter_reached=True)
    assert plan_agency(plan, queued, at("23/12/2024", "21:05")) == []
    # the reminders then follow the letter that arrived, not the one that bounced
    assert [m.kind for m in plan_agency(plan, queued, at("25/12/2024", "08:00"))] == ["reminder"]
    for done in (replace(lost, exempt=True), replace(lost, all_contacts_bounced=True),
                 replace(lost, reported_at=at("20/12/2024", "10:00"))):
        assert plan_agency(plan, done, at("23/12/2024", "21:00")) == []
