"""Dates, ages and counts as French pages write them: Paris time, « il y a 3 h »,
« 1 lieu » / « 3 lieux »."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from openror.capacity.paris_time import local

WEEKDAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")


def paris(moment: datetime | None) -> str:
    """A naive UTC moment as Paris time: « 25/11/2026 à 09:00 »."""
    if moment is None:
        return "non datée"
    return local(moment).strftime("%d/%m/%Y à %H:%M")


def age(moment: datetime | None, now: datetime) -> str:
    """How long ago: « il y a 45 min », « il y a 5 h », « il y a 3 j 4 h »."""
    if moment is None:
        return "non datée"
    return f"il y a {duration(now - moment)}"


def duration(span: timedelta) -> str:
    minutes = max(int(span.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    days, rest = divmod(hours, 24)
    return f"{days} j {rest} h" if rest else f"{days} j"


def day(value: date) -> str:
    """« jeu. 19/11 »."""
    return f"{WEEKDAYS[value.weekday()]} {value.strftime('%d/%m')}"


def plural(count: int, one: str, many: str) -> str:
    """« 0 lieu », « 1 lieu », « 3 lieux » (French: 0 and 1 take the singular)."""
    shown = f"{count:,}".replace(",", "\u202f")
    return f"{shown} {one if count < 2 else many}"
