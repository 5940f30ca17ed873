"""Failed-attempt throttling per key."""

from __future__ import annotations

from openror.access.throttle import FailureThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_blocks_until_the_oldest_failure_leaves_the_window() -> None:
    clock = Clock()
    throttle = FailureThrottle(limit=3, window_s=60, clock=clock)
    for _ in range(3):
        assert throttle.retry_after("a") == 0
        throttle.failed("a")
        clock.now += 10
    assert throttle.retry_after("a") == 30  # the first failure was at 1000, now is 1030
    assert throttle.retry_after("b") == 0  # per key
    clock.now += 30
    assert throttle.retry_after("a") == 0


def test_a_success_clears_the_failures() -> None:
    throttle = FailureThrottle(limit=2, window_s=60, clock=Clock())
    throttle.failed("a")
    throttle.succeeded("a")
    throttle.failed("a")
    assert throttle.retry_after("a") == 0


def test_memory_stays_bounded_by_max_keys() -> None:
    clock = Clock()
    throttle = FailureThrottle(limit=2, window_s=60, max_keys=100, clock=clock)
    for n in range(1000):
        throttle.failed(f"id-{n}")
    assert len(throttle._failures) <= 100
    throttle.failed("x")
    throttle.failed("x")
    assert throttle.retry_after("x") > 0
