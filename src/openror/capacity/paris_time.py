"""Paris time, in which French pages count days. The IANA data comes from the pinned
``tzdata`` package, so that a server without system time zone data (a slim container)
counts days right too."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def local(moment: datetime) -> datetime:
    """A naive UTC moment in Paris time."""
    return moment.replace(tzinfo=UTC).astimezone(PARIS)


def from_paris(wall_clock: datetime) -> datetime:
    """A naive Paris wall-clock time as naive UTC."""
    return wall_clock.replace(tzinfo=PARIS).astimezone(UTC).replace(tzinfo=None)
