"""The daily digest over a whole campaign, as the scheduler queues it (send_digest with
only_if_due): staff hear every working day while agencies are chased, then only when
something happens, and once when every report is in."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.campaigns.workdays import is_working_day
from bot.staff.digest import send_digest
from db.models import InboundMessage, Submission

from .helpers import HCM, at
from .outbox_site import agency_row, make_site_fixture, parsed, run_cli_fixture  # noqa: F401 (fixtures)
from .test_outbox import SENDER

LAST_OVERDUE_REMINDER = date(2025, 1, 9)  # 31/12, 06/01, 09/01 (every 3 working days, at most 3)


def _report(site, code: str, received: datetime) -> None:
    with site.session() as s:
        c = s.merge(site.campaign())
        s.add(Submission(campaign_id=c.id, agency_id=site.agency(code).id, version=1, received_at=received,
                         on_time=False, completeness=1.0, missing=[], sections=[], metrics=[], is_current=True,
                         sources=[]))


def _stray_mail(site, received: datetime) -> None:
    with site.session() as s:
        s.add(InboundMessage(sha256="e" * 64, message_id="<la@unknown.example>", raw_path="mail/e.eml",
                             from_addr="nguoila@unknown.example", subject="Báo cáo", received_at=received,
                             state="quarantined", reason="người gửi không thuộc cơ quan nào"))


def test_digests_daily_while_chasing_then_on_news_only_and_a_last_one_when_all_is_in(make_site):
    site = make_site(agencies=[agency_row("AAA"), agency_row("BBB")])
    happenings = {date(2025, 1, 15): lambda: _stray_mail(site, at("14/01/2025", "16:20")),
                  date(2025, 1, 20): lambda: _report(site, "AAA", at("17/01/2025", "10:00")),
                  date(2025, 1, 22): lambda: _report(site, "BBB", at("21/01/2025", "15:00"))}
    sent: dict[date, str] = {}
    day = date(2024, 12, 20)
    while day <= date(2025, 1, 31):
        if day in happenings:
            happenings[day]()
        if is_working_day(day):
            now = datetime.combine(day, datetime.min.time(), HCM) + timedelta(hours=7, minutes=30)
            with site.session() as s:
                planned = send_digest(s, s.merge(site.campaign()), now=now, sender=SENDER,
                                      to=["staff@example.gov.vn"], only_if_due=True)
                if planned:
                    sent[day] = planned.msg.get_body(("plain",)).get_content()
        day += timedelta(days=1)

    chased = [d for d in sent if d <= LAST_OVERDUE_REMINDER]
    assert chased == [d for d in (date(2024, 12, 20) + timedelta(n) for n in range(21))
                      if d <= LAST_OVERDUE_REMINDER and is_working_day(d)]
    assert [d for d in sent if d > LAST_OVERDUE_REMINDER] == [date(2025, 1, 15), date(2025, 1, 20), date(2025, 1, 22)]
    assert "Các đợt nhắc báo cáo đã kết thúc" not in sent[LAST_OVERDUE_REMINDER]
    assert "Các đợt nhắc báo cáo đã kết thúc" in sent[date(2025, 1, 15)]
    assert "nguoila@unknown.example" in sent[date(2025, 1, 15)]
    assert "Đây là thư tổng hợp cuối cùng" in sent[date(2025, 1, 22)]
    assert len(site.rows(kind="digest")) == len(sent)


def test_a_day_without_a_digest_is_decided_once_and_news_later_that_day_waits_for_the_next(make_site):
    """Regression: on a news-only day the daily job rebuilt the whole digest (facts, chart, workbook)
    at every tick until midnight, and a report arriving at 14:00 set off a digest at 14:01."""
    site = make_site(agencies=[agency_row("AAA"), agency_row("BBB")])
    kw = {"sender": SENDER, "to": ["staff@example.gov.vn"], "only_if_due": True}

    def daily_job(when):
        with site.session() as s:
            return send_digest(s, s.merge(site.campaign()), now=when, **kw)

    assert daily_job(at("13/01/2025", "07:30")) is not None  # after the chase: the first one goes
    assert daily_job(at("14/01/2025", "07:30")) is None      # nothing new
    _report(site, "AAA", at("14/01/2025", "14:00"))
    assert daily_job(at("14/01/2025", "14:01")) is None      # decided this morning
    planned = daily_job(at("15/01/2025", "07:30"))
    assert planned is not None and "[AAA]" in planned.msg.get_body(("plain",)).get_content()
    assert [r.seq for r in site.rows(kind="digest")] == [20250113, 20250115]
