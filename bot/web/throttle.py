"""Login throttling. Pure: the caller passes `now` (a monotonic number of seconds).

Wrong passwords are counted per user name and per client address over a sliding window; once
either has `limit` failures in the window, further attempts wait until the oldest one leaves it.
Kept in memory: one console process serves the staff, and a restart forgets (an attacker gains
one window per restart, which the log shows)."""
from __future__ import annotations

from collections import defaultdict, deque
from threading import Lock


class LoginThrottle:
    def __init__(self, limit: int = 5, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = Lock()

    def _keys(self, username: str, address: str) -> tuple[str, str]:
        return f"user:{username.strip().casefold()}", f"addr:{address}"

    def _prune(self, key: str, now: float) -> deque[float]:
        q = self._failures[key]
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def wait_seconds(self, username: str, address: str, now: float) -> float:
        """0 when an attempt may be made now, else how long to wait."""
        with self._lock:
            waits = []
            for key in self._keys(username, address):
                q = self._prune(key, now)
                if len(q) >= self.limit:
                    waits.append(q[0] + self.window - now)
            return max(waits, default=0.0)

    def failed(self, username: str, address: str, now: float) -> None:
        with self._lock:
            for key in self._keys(username, address):
                self._prune(key, now).append(now)

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(username, address)[0], None)
