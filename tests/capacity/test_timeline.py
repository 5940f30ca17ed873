"""Figures replayed over time (capacity.timeline): French days, totals at each day's end,
each indicator's steps."""

from __future__ import annotations

from datetime import date, datetime

from openror.capacity import timeline
from openror.store.capacity_dashboard import Change

AVAILABLE = ("01", "02", "01", "01", None, None, None, "01")
INSTALLED = ("01", "01", "01", None, None, None, None, "01")


def change(place: str, at: str, count: int | None, indicator: tuple[str | None, ...]
           = AVAILABLE, seq: int = 0) -> Change:
    return Change(place, indicator, datetime.fromisoformat(at), count, seq)


def test_days_end_at_midnight_paris_time_across_the_change_to_summer_time() -> None:
    now = datetime(2026, 3, 30, 10, 0)  # UTC; summer time began on Sunday 29 March
    days = timeline.last_days(now, 3)
    assert days.dates == (date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30))
    assert days.start == datetime(2026, 3, 27, 23, 0)  # midnight, winter time
    assert days.ends == (datetime(2026, 3, 28, 23, 0),  # end of the 28th, winter time
                         datetime(2026, 3, 29, 22, 0),  # end of the 29th, summer time
                         now)


def test_late_evening_utc_is_already_the_next_day_in_paris() -> None:
    days = timeline.last_days(datetime(2026, 11, 25, 23, 30), 2)
    assert days.dates == (date(2026, 11, 25), date(2026, 11, 26))


def test_totals_take_the_last_value_of_each_indicator_at_each_moment() -> None:
    changes = [change("a", "2026-11-01 12:00", 6),  # before the period
               change("b", "2026-11-20 08:00", 3),
               change("a", "2026-11-21 09:00", 2),
               change("a", "2026-11-21 10:00", 1),  # the same day: the last one counts
               change("b", "2026-11-22 10:00", None),  # the record went away
               change("c", "2026-11-22 11:00", 4)]
    moments = [datetime(2026, 11, 19), datetime(2026, 11, 20, 23), datetime(2026, 11, 21, 23),
               datetime(2026, 11, 22, 23)]
    family = {"a": "critical", "b": "critical", "c": "default"}
    assert timeline.totals_at(changes, moments, family.__getitem__) == {
        "critical": [6, 9, 4, 1], "default": [0, 0, 0, 4]}


def test_steps_start_with_the_value_before_the_period() -> None:
    start = datetime(2026, 11, 1)
    changes = [change("a", "2026-10-20 12:00", 20, INSTALLED),
               change("a", "2026-10-28 12:00", 6),
               change("a", "2026-11-03 12:00", 2),
               change("a", "2026-11-05 12:00", None)]
    assert timeline.steps(changes, start) == {
        INSTALLED: [(start, 20)],
        AVAILABLE: [(start, 6), (datetime(2026, 11, 3, 12), 2),
                    (datetime(2026, 11, 5, 12), None)]}
