"""Failed-attempt throttling: after too many failures for one key (a client id) within a
window, further attempts are refused until the oldest failure leaves the window.

In-process: each worker counts its own failures, so with N workers an attacker gets at most
N times the limit. A shared store would be needed to do better; for guessing 256-bit secrets
this is plenty.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class FailureThrottle:
    def __init__(self, limit: int = 10, window_s: float = 300, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window_s, self.max_keys = limit, window_s, max_keys
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()  # the token endpoint runs in the thread pool

    def retry_after(self, key: str) -> int:
        """Seconds to wait before ``key`` may try again; 0 when it may now."""
        now = self._clock()
        with self._lock:
            recent = self._failures.get(key)
            if recent is None or len(_prune(recent, now, self.window_s)) < self.limit:
                return 0
            return max(1, math.ceil(recent[0] + self.window_s - now))

    def failed(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            if key not in self._failures and len(self._failures) >= self.max_keys:
                self._forget_old(now)
            recent = self._failures.setdefault(key, deque(maxlen=self.limit))
            _prune(recent, now, self.window_s).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _forget_old(self, now: float) -> None:
        """Bound the memory unknown client ids can take: drop keys with no recent failure,
        then the oldest ones."""
        for key in [k for k, t in self._failures.items() if not t or t[-1] <= now - self.window_s]:
            del self._failures[key]
        while len(self._failures) >= self.max_keys:
            del self._failures[next(iter(self._failures))]


def _prune(times: deque[float], now: float, window_s: float) -> deque[float]:
    while times and times[0] <= now - window_s:
        times.popleft()
    return times
