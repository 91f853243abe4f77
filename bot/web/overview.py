"""The overview's figures, from the digest's own facts (bot/staff/digest.py gather_digest and
digest_context): counts per state, rates, overdue agencies, the problem list, the chart."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from bot.core.app import resolve_campaign
from bot.core.errors import UserError
from bot.staff.charts import daily_series, receipts_chart_png
from bot.staff.digest import DigestFacts, digest_context, gather_digest
from bot.staff.rates import reporting_rates
from bot.web.auth import WebError
from bot.web.labels import days_left, days_left_text
from db.models import Campaign, InboundMessage

PROBLEM_LINKS = {"quarantine": "/quarantine", "other": "/quarantine"}


def pick_campaign(session: Session, code: str | None) -> Campaign | None:
    """The campaign asked for (404 when unknown), else the only or the newest one; None when none."""
    if code:
        found = session.exec(select(Campaign).where(Campaign.code == code)).first()
        if found is None:
            raise WebError(404, "Không tìm thấy đợt báo cáo được yêu cầu.")
        return found
    return session.exec(select(Campaign).order_by(col(Campaign.id).desc())).first()


def api_campaign(session: Session, code: str | None) -> Campaign:
    """As `reportbot status --campaign` chooses: the one named, or the only one loaded."""
    try:
        return resolve_campaign(session, code)
    except UserError as e:
        raise WebError(404 if code else 400, str(e)) from None


def overview(session: Session, campaign: Campaign, now: datetime) -> dict:
    facts = gather_digest(session, campaign, now)
    ctx = digest_context(facts, now=now, since=None)
    total, by_category = reporting_rates(facts.status)
    set_aside = dict(session.exec(select(InboundMessage.state, func.count()).where(
        col(InboundMessage.state).in_(("quarantined", "failed"))).group_by(InboundMessage.state)).all())
    problems = [p | {"link": PROBLEM_LINKS.get(p["kind"]) or (f"/agencies/{p['agency_code']}" if p["agency_code"]
                                                              else None)} for p in ctx["problems"]]
    return {
        "campaign": campaign, "tz": campaign.timezone, "now": now,
        "days_left": days_left(campaign.deadline, now, campaign.timezone),
        "days_left_text": days_left_text(campaign.deadline, now, campaign.timezone),
        "rows": facts.status, "by_state": ctx["by_state"], "total": total, "by_category": by_category,
        "overdue": ctx["overdue"], "problems": problems,
        "quarantined": set_aside.get("quarantined", 0), "failed": set_aside.get("failed", 0),
    }


def chart_png(session: Session, campaign: Campaign, now: datetime) -> bytes:
    """The digest's progress chart, drawn the way the digest draws it."""
    facts: DigestFacts = gather_digest(session, campaign, now)
    tz = ZoneInfo(facts.tz)
    first: dict[str, datetime] = {}
    for a in facts.arrivals:
        if a.received_at <= now:
            first.setdefault(a.agency_code, a.received_at)
    expected = sum(1 for r in facts.status if r["state"] != "exempt")
    series = daily_series(list(first.values()), facts.start, now.astimezone(tz).date(), facts.tz)
    return receipts_chart_png(series, deadline=facts.deadline.astimezone(tz).date(), expected=expected,
                              title=f"Tiến độ tiếp nhận báo cáo theo Công văn số {facts.code}")
