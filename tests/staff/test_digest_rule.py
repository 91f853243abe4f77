"""When the daily job sends staff a digest (bot/staff/digest_rule.py): every working day while agencies
are chased, then only on days with news, and one last digest once every report is in."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.outbound.planner import CampaignPlan
from bot.staff.digest_rule import (
    DAILY,
    FINAL,
    NEWS_ONLY,
    DigestMark,
    chase_until,
    digest_due,
    digest_wording,
    has_news,
    is_settled,
)

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
PLAN = CampaignPlan(code="5422/BTTTT-CBC", deadline=datetime(2024, 12, 30, 17, tzinfo=ICT), tz="Asia/Ho_Chi_Minh",
                    dispatch_at=datetime(2024, 12, 19, 9, tzinfo=ICT), overdue_every="3d", overdue_max=3)
UNTIL = chase_until(PLAN)
BEFORE, AFTER = UNTIL - timedelta(hours=17), UNTIL + timedelta(days=4, hours=7, minutes=30)
SHOWN = DigestMark(BEFORE - timedelta(days=1), {"quarantine": 2}, settled=False)


def test_the_chase_ends_with_the_day_of_the_last_overdue_reminder():
    # overdue reminders 31/12, 06/01 and 09/01 (01/01 is a holiday; every 3 working days)
    assert UNTIL == datetime(2025, 1, 10, tzinfo=ICT)
    assert chase_until(CampaignPlan(**{**PLAN.__dict__, "overdue_max": 0})) == datetime(2024, 12, 31, tzinfo=ICT)


@pytest.mark.parametrize("states, settled", [
    (["received", "received", "exempt"], True),
    (["received", "received_incomplete"], False),  # a report lacking sections is still chased
    (["received", "bounced"], False),              # an agency nobody reached is a problem, not done
    (["exempt"], False),                           # nobody expected: nothing to be finished
])
def test_settled_means_every_expected_agency_sent_a_complete_report(states, settled):
    assert is_settled(states) is settled


def test_news_is_a_new_arrival_or_a_problem_the_last_digest_did_not_count():
    assert not has_news(0, {"quarantine": 2}, SHOWN)
    assert not has_news(0, {"quarantine": 1}, SHOWN)  # one was dealt with: no news
    assert has_news(1, {"quarantine": 2}, SHOWN)
    assert has_news(0, {"quarantine": 3}, SHOWN)
    assert has_news(0, {"quarantine": 2, "bounce": 1}, SHOWN)
    assert has_news(0, {}, DigestMark())  # the first digest of a campaign


def test_every_working_day_while_agencies_are_chased_even_with_nothing_new():
    assert digest_due(news=False, settled=False, last=SHOWN, now=BEFORE, until=UNTIL)
    assert digest_wording(settled=False, now=BEFORE, until=UNTIL) == DAILY


def test_after_the_reminders_only_on_days_with_news():
    assert not digest_due(news=False, settled=False, last=SHOWN, now=AFTER, until=UNTIL)
    assert digest_due(news=True, settled=False, last=SHOWN, now=AFTER, until=UNTIL)
    assert digest_wording(settled=False, now=AFTER, until=UNTIL) == NEWS_ONLY


def test_once_every_report_is_in_one_last_digest_then_only_news():
    for now in (BEFORE, AFTER):
        assert digest_due(news=False, settled=True, last=SHOWN, now=now, until=UNTIL)  # tells staff
        told = DigestMark(now, {}, settled=True)
        assert not digest_due(news=False, settled=True, last=told, now=now + timedelta(days=1), until=UNTIL)
        assert digest_due(news=True, settled=True, last=told, now=now + timedelta(days=1), until=UNTIL)
        assert digest_wording(settled=True, now=now, until=UNTIL) == FINAL


def test_the_mark_survives_its_json_round_trip():
    assert DigestMark.from_json(SHOWN.to_json()) == SHOWN
    assert DigestMark.from_json({"at": BEFORE.isoformat(), "message_id": "<x@y>"}) == DigestMark(BEFORE)
    assert DigestMark.from_json(None) == DigestMark()
