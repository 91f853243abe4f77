"""The Vietnamese working-day calendar (pure; no clock).

Non-working days are Saturdays, Sundays and public holidays (Tết, Giỗ Tổ Hùng
Vương, 30/4, 1/5, 2/9, their observed days and the government's day-off swaps)
as published by the `holidays` package. A Saturday the government turned into
a working day to pay back a swapped day off (e.g. 04/05/2024) counts as a
working day.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

import holidays

# Enough to cross Tết plus the longest run of weekends and swaps several times.
_MAX_SCAN_DAYS = 400


@lru_cache(maxsize=64)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


@lru_cache(maxsize=64)
def _non_working_days(year: int) -> frozenset[date]:
    """Every non-working day of `year` (computed once per year)."""
    vn = _calendar(year)
    swaps = {d for d in vn.weekend_workdays if d.year == year}
    days = set(vn.keys())
    d = date(year, 1, 1)
    while d.year == year:
        if d.weekday() >= 5 and d not in swaps:
            days.add(d)
        d += timedelta(days=1)
    return frozenset(x for x in days if x.year == year)


def is_working_day(d: date) -> bool:
    """True when public offices work on `d`."""
    return d not in _non_working_days(d.year)


def holiday_name(d: date) -> str | None:
    """The public holiday's name on `d` (English, from `holidays`), else None."""
    return _calendar(d.year).get(d)


def previous_working_day(d: date, *, inclusive: bool = True) -> date:
    """`d` itself when it is a working day (unless inclusive=False), else the closest earlier one."""
    if not inclusive:
        d -= timedelta(days=1)
    for _ in range(_MAX_SCAN_DAYS):
        if is_working_day(d):
            return d
        d -= timedelta(days=1)
    raise ValueError(f"no working day within {_MAX_SCAN_DAYS} days before {d}")


def next_working_day(d: date, *, inclusive: bool = True) -> date:
    """`d` itself when it is a working day (unless inclusive=False), else the closest later one."""
    if not inclusive:
        d += timedelta(days=1)
    for _ in range(_MAX_SCAN_DAYS):
        if is_working_day(d):
            return d
        d += timedelta(days=1)
    raise ValueError(f"no working day within {_MAX_SCAN_DAYS} days after {d}")


def add_working_days(d: date, n: int) -> date:
    """The n-th working day after `d` (before it when n < 0); `d` itself when n == 0.

    `d` need not be a working day: add_working_days(Saturday, 1) is the next
    working day, as an office counts "within 1 working day".
    """
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        d += timedelta(days=step)
        if is_working_day(d):
            remaining -= 1
    return d


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end] — how many working days `end` is after `start`."""
    if end <= start:
        return 0
    count, d = 0, start
    while d < end:
        d += timedelta(days=1)
        count += is_working_day(d)
    return count


_DAYS = re.compile(r"^\s*(\d+)\s*d\s*$")


def parse_days(value: str | int) -> int:
    """'5d' → 5 (also accepts a plain non-negative int)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    m = _DAYS.match(str(value))
    if not m:
        raise ValueError(f"expected a number of days like '3d', got {value!r}")
    return int(m.group(1))
