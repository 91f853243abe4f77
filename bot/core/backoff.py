"""Waiting before a retry: one policy for the mailer, the inbox reconnect and the watcher restart."""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Backoff:
    base_seconds: float = 60.0
    cap_seconds: float = 3600.0

    def seconds(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Exponential, with 'equal jitter': between half and all of base·2^(attempt-1), capped."""
        full = min(self.cap_seconds, self.base_seconds * 2 ** min(max(0, attempt - 1), 64))
        return full * (0.5 + 0.5 * rand())

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> timedelta:
        return timedelta(seconds=self.seconds(attempt, rand))


# Work that failed and is tried again later (an outbox row, a stored message): 1–2 min, 2–4 min, … 1 h.
RETRY = Backoff()


def sleep_unless(seconds: float, should_stop: Callable[[], bool]) -> None:
    """Sleep, waking every 0.2 s to give up as soon as should_stop() says so."""
    end = time.monotonic() + seconds
    while not should_stop() and (left := end - time.monotonic()) > 0:
        time.sleep(min(0.2, left))
