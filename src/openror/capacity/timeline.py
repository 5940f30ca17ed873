"""Capacity figures over time, replayed from their changes (``store.capacity_dashboard
.changes``): the total of a group of places at given moments (the dashboard's trend), and
each indicator's values over a period (a place's chart).

Days are French days: a day ends at midnight, Paris time (summer time included); moments are
naive UTC, as the store keeps them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from openror.capacity.paris_time import PARIS, from_paris, local
from openror.store.capacity_dashboard import Change, Indicator

__all__ = ["PARIS", "Days", "last_days", "local", "steps", "totals_at"]


@dataclass(frozen=True)
class Days:
    """The last days up to now: ``ends[i]`` is the end of ``dates[i]`` (now for today)."""

    start: datetime  # the first day's midnight
    dates: tuple[date, ...]
    ends: tuple[datetime, ...]


def last_days(now: datetime, count: int) -> Days:
    """The ``count`` days ending today (naive UTC ``now``)."""
    midnight = local(now).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    starts = [midnight - timedelta(days=back) for back in range(count - 1, -1, -1)]
    # each midnight with its own offset: summer time or not
    ends = [from_paris(s + timedelta(days=1)) for s in starts[:-1]]
    return Days(from_paris(starts[0]), tuple(s.date() for s in starts), (*ends, now))


def totals_at(changes: Iterable[Change], moments: Sequence[datetime],
              group: Callable[[str], str]) -> dict[str, list[int]]:
    """Group of places -> the sum of the last value of each (place, indicator) at or before
    each moment. ``changes`` in time order; an indicator that went away counts no more."""
    state: dict[tuple[str, Indicator], int | None] = {}
    pending = iter(changes)
    waiting = next(pending, None)
    totals: dict[str, list[int]] = {}
    for index, moment in enumerate(moments):
        while waiting is not None and waiting.at <= moment:
            state[waiting.place, waiting.indicator] = waiting.count
            waiting = next(pending, None)
        for (place, _), count in state.items():
            sums = totals.setdefault(group(place), [0] * len(moments))
            sums[index] += count or 0
    return totals


#: one indicator's values over a period: (moment, count) pairs, None where it was absent
Steps = list[tuple[datetime, int | None]]


def steps(changes: Iterable[Change], start: datetime) -> dict[Indicator, Steps]:
    """Indicator -> its value at ``start`` (its last change before), then each change after
    (a place's changes, in time order)."""
    found: dict[Indicator, Steps] = {}
    for change in changes:
        series = found.setdefault(change.indicator, [])
        if change.at < start:
            series[:] = [(start, change.count)]
        else:
            series.append((change.at, change.count))
    return found
