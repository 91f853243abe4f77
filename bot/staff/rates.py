"""Reporting rate and on-time rate, in DHIS2's terms: received / expected and on time / expected,
over a campaign's status rows (bot/staff/status.py campaign_status). Pure."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.campaigns.agencies_file import CATEGORIES

RECEIVED = ("received", "received_incomplete")


@dataclass(frozen=True)
class Rates:
    category: str  # "" for all agencies
    expected: int  # enrolled and not exempt
    received: int
    on_time: int

    @property
    def reporting_rate(self) -> float | None:
        return self.received / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.expected if self.expected else None


def _rates(category: str, rows: Sequence[dict]) -> Rates:
    expected = [r for r in rows if r["state"] != "exempt"]
    got = [r for r in expected if r["state"] in RECEIVED]
    return Rates(category, len(expected), len(got), sum(1 for r in got if r["on_time"]))


def reporting_rates(rows: Sequence[dict]) -> tuple[Rates, list[Rates]]:
    """(all agencies, one per category present, in the agencies file's category order)."""
    present = {r["category"] for r in rows}
    order = [c for c in CATEGORIES if c in present] + sorted(present - set(CATEGORIES))
    return _rates("", rows), [_rates(c, [r for r in rows if r["category"] == c]) for c in order]
