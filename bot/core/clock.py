"""The clock, injected: read once per decision (pure logic takes `now` as a parameter).

`SystemClock` is the wall clock. `AcceleratedClock` runs simulated time faster than real
time (the demo plays a three-week campaign in about a minute) while everything else —
planner, outbox, mailer, intake — is the production code, unaware of the difference.
"""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, aware (UTC)."""

    def real_seconds(self, simulated: timedelta) -> float:
        """How long to really wait for `simulated` time to pass."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def real_seconds(self, simulated: timedelta) -> float:
        return simulated.total_seconds()


class AcceleratedClock:
    """Simulated time = start + real elapsed time × speed."""

    def __init__(self, start: datetime, speed: float) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be aware")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.start, self.speed = start.astimezone(UTC), speed
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)

    def real_seconds(self, simulated: timedelta) -> float:
        return simulated.total_seconds() / self.speed


class FixedClock:
    """Time standing still at one moment (`reportbot web --now`: look at data as of then)."""

    def __init__(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("moment must be aware")
        self.moment = moment.astimezone(UTC)

    def now(self) -> datetime:
        return self.moment

    def real_seconds(self, simulated: timedelta) -> float:
        return simulated.total_seconds()
