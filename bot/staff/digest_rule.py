"""When staff get a digest. Pure: what today's digest would say, what the last one said, `now`.

- Every working day while the agencies are being chased: from the dispatch until the end of the
  day of the last overdue reminder (`chase_until`).
- After that, only on days with news: a report arrived, or a problem appeared that the last digest
  did not count. A quiet inbox no longer fills staff mailboxes with identical digests.
- Once every agency expected to report has sent a complete one, a last digest says so; then none,
  unless something new comes in (a corrected version, a stray mail to look at).

Staff can always ask for one (`reportbot digest --send`); the rule only governs the daily job.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from bot.outbound.planner import CampaignPlan, overdue_slot

DAILY, NEWS_ONLY, FINAL = "daily", "news_only", "final"


@dataclass(frozen=True)
class DigestMark:
    """What a digest showed, remembered to tell the next day's news from repetition."""
    at: datetime | None = None
    problems: Mapping[str, int] = field(default_factory=dict)  # count per problem kind
    settled: bool = False

    def to_json(self) -> dict:
        return {"at": self.at.isoformat() if self.at else None, "problems": dict(self.problems),
                "settled": self.settled}

    @classmethod
    def from_json(cls, value: Mapping | None) -> DigestMark:
        value = value or {}
        at = value.get("at")
        return cls(datetime.fromisoformat(at) if at else None, dict(value.get("problems") or {}),
                   bool(value.get("settled")))


def problem_counts(kinds: Iterable[str]) -> dict[str, int]:
    return dict(Counter(kinds))


def is_settled(states: Iterable[str]) -> bool:
    """Every agency expected to report sent a complete report (exempt ones are not expected)."""
    expected = [s for s in states if s != "exempt"]
    return bool(expected) and all(s == "received" for s in expected)


def chase_until(plan: CampaignPlan) -> datetime:
    """The end of the local day of the last overdue reminder (of the deadline without any)."""
    last = overdue_slot(plan, plan.overdue_max).due_at if plan.overdue_max else plan.deadline
    day = last.astimezone(plan.zone).date() + timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=plan.zone)


def has_news(new_arrivals: int, problems: Mapping[str, int], last: DigestMark) -> bool:
    if last.at is None:
        return True  # the first digest of the campaign
    return new_arrivals > 0 or any(n > last.problems.get(kind, 0) for kind, n in problems.items())


def digest_wording(*, settled: bool, now: datetime, until: datetime) -> str:
    """How the digest introduces itself: DAILY, NEWS_ONLY (the reminders are over) or FINAL."""
    if settled:
        return FINAL
    return DAILY if now < until else NEWS_ONLY


def digest_due(*, news: bool, settled: bool, last: DigestMark, now: datetime, until: datetime) -> bool:
    """Does the daily job send a digest today (a working day at or after `digest_at`)?"""
    if settled:
        return news or not last.settled
    return now < until or news
