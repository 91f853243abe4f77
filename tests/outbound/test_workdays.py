"""The Vietnamese working-day calendar."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.campaigns.workdays import (
    add_working_days,
    holiday_name,
    is_working_day,
    next_working_day,
    previous_working_day,
    working_days_between,
)


@pytest.mark.parametrize("day, working", [
    (date(2024, 12, 27), True),    # Friday
    (date(2024, 12, 28), False),   # Saturday
    (date(2024, 12, 29), False),   # Sunday
    (date(2024, 12, 31), True),
    (date(2025, 1, 1), False),     # Tết Dương lịch
    (date(2025, 1, 27), False),    # Tết Ất Tỵ: 27/01 – 31/01/2025 off
    (date(2025, 1, 31), False),
    (date(2025, 2, 3), True),
    (date(2025, 4, 7), False),     # Giỗ Tổ Hùng Vương
    (date(2025, 4, 30), False),
    (date(2025, 5, 1), False),
    (date(2025, 5, 2), False),     # day off swapped with Saturday 26/04/2025
    (date(2025, 4, 26), True),     # ... which became a working Saturday
    (date(2024, 4, 29), False),    # swap in 2024: Monday 29/04 off ...
    (date(2024, 5, 4), True),      # ... Saturday 04/05 worked
    (date(2024, 9, 2), False),
    (date(2024, 9, 3), False),
])
def test_is_working_day_follows_the_official_calendar(day, working):
    assert is_working_day(day) is working


def test_new_year_2025_is_named():
    assert holiday_name(date(2025, 1, 1))
    assert holiday_name(date(2024, 12, 31)) is None


def test_previous_working_day_skips_weekends_and_holidays():
    assert previous_working_day(date(2024, 12, 28)) == date(2024, 12, 27)
    assert previous_working_day(date(2025, 1, 1)) == date(2024, 12, 31)
    assert previous_working_day(date(2025, 2, 2)) == date(2025, 1, 24)  # back over Tết
    assert previous_working_day(date(2024, 12, 27)) == date(2024, 12, 27)
    assert previous_working_day(date(2024, 12, 27), inclusive=False) == date(2024, 12, 26)


def test_next_working_day():
    assert next_working_day(date(2024, 12, 30), inclusive=False) == date(2024, 12, 31)
    assert next_working_day(date(2024, 12, 31), inclusive=False) == date(2025, 1, 2)
    assert next_working_day(date(2025, 1, 25)) == date(2025, 2, 3)


def test_add_working_days_skips_new_year_and_weekend():
    # 31/12/2024 + 3 working days: 02/01, 03/01, 06/01 (01/01 holiday, 04-05/01 weekend)
    assert add_working_days(date(2024, 12, 31), 3) == date(2025, 1, 6)
    assert add_working_days(date(2025, 1, 6), 3) == date(2025, 1, 9)
    assert add_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)   # over Tết
    assert add_working_days(date(2024, 12, 28), 1) == date(2024, 12, 30)  # from a Saturday
    assert add_working_days(date(2025, 1, 6), -3) == date(2024, 12, 31)
    assert add_working_days(date(2025, 1, 1), 0) == date(2025, 1, 1)


def test_add_working_days_inverts_working_days_between():
    start = date(2024, 12, 20)
    for n in range(0, 40):
        end = add_working_days(start, n)
        assert working_days_between(start, end) == n


def test_a_year_has_a_plausible_number_of_working_days():
    # 2025: 365 days, 104 weekend days, 11 public holidays on weekdays (+/- swaps).
    days = [date(2025, 1, 1) + timedelta(days=i) for i in range(365)]
    count = sum(is_working_day(d) for d in days)
    assert 245 <= count <= 252, count
