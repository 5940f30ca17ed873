"""Requests per caller over time: a token bucket per key (an API client, or the address of
an anonymous caller), refilled at a steady rate with room for a burst.

In-process, like ``access.throttle``: with N workers a caller gets at most N times its rate.
That bounds what one client can take from the others, which is the point; an exact shared
quota would need a shared store on every request.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, per_minute: int, burst: int, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> int:
        """Spend one request of ``key``; 0 if it may go on, else the seconds to wait."""
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return max(1, math.ceil((1 - tokens) / self.rate))
            if key not in self._buckets and len(self._buckets) >= self.max_keys:
                self._forget_full(now)
            self._buckets[key] = (tokens - 1, now)
            return 0

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that have refilled: they hold nothing worth remembering."""
        for key, (tokens, at) in list(self._buckets.items()):
            if tokens + (now - at) * self.rate >= self.burst:
                del self._buckets[key]
