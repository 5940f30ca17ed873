"""Opening hours of an offer, from ``HealthcareService.availableTime`` with the ROR
extensions: open now and until when, or closed and when it opens next (within 7 days).

A slot is a time range on some days: the day comes from ``ror-available-time-number-days-
of-week`` (1 = Monday … 7 = Sunday), else from ``daysOfWeek``, else every day; ``allDay``,
or ``availableStartTime``–``availableEndTime`` (an end at 23:59 or 00:00 is midnight, an end
before the start passes midnight); ``ror-available-time-effective-opening-closing-date``
limits it to a period. Every type of time (J41: opening, operating, consultation with or
without appointment) counts as open. Times are wall-clock times of the offer's time zone:
Europe/Paris, or that of its overseas region (its ``meta.tag`` region).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from openror.fhir.profiles import (
    EXT_DAYS_OF_WEEK,
    EXT_EFFECTIVE_DATES,
    EXT_TYPE_OF_TIME,
    region_of,
)
from openror.search.orientation.model import Json, Opening

PARIS = ZoneInfo("Europe/Paris")
#: overseas regions (TRE_R30) -> their time zone
ZONES = {"01": ZoneInfo("America/Guadeloupe"), "02": ZoneInfo("America/Martinique"),
         "03": ZoneInfo("America/Cayenne"), "04": ZoneInfo("Indian/Reunion"),
         "06": ZoneInfo("Indian/Mayotte")}
HORIZON_DAYS = 7
DAY_MINUTES = 24 * 60
_DAY_CODES = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
_DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
#: J41 types told in the text (opening and operating hours need no words)
_KINDS = {"06": "consultation sans rendez-vous", "07": "consultation sur rendez-vous"}
UNKNOWN = Opening(None, None, "horaires non renseignés")


class Slot(NamedTuple):  # tuples: a few are built per result, on every query
    days: frozenset[int]  # 1 = Monday … 7 = Sunday
    start: int  # minutes after midnight
    end: int  # minutes after midnight, > start (beyond a day: overnight)
    kind: str | None  # TRE_R252 code
    first: date | None  # the effective period, both days included
    last: date | None


class _Span(NamedTuple):
    start: datetime  # wall-clock, naive
    end: datetime
    kinds: frozenset[str | None]


def zone(offer: Json) -> ZoneInfo:
    return ZONES.get(region_of(offer) or "", PARIS)


def opening(offer: Json, now: datetime) -> Opening:
    """``now`` is naive UTC (or aware)."""
    found = slots(offer)
    if not found:
        return UNKNOWN
    if any(s.start == 0 and s.end >= DAY_MINUTES and len(s.days) == 7 and s.first is None
           and s.last is None for s in found):  # the usual hospital offer: nothing to scan
        return Opening(True, None, "ouvert 24 h/24" + _kind({s.kind for s in found}))
    tz = zone(offer)
    local = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(tz).replace(tzinfo=None)
    first_day = local.date() - timedelta(days=1)
    last_day = local.date() + timedelta(days=HORIZON_DAYS + 1)
    spans = _spans(found, first_day, last_day)
    current = next((s for s in spans if s.start <= local < s.end), None)
    if current is not None:
        if current.start <= _midnight(first_day) and current.end >= _midnight(last_day):
            return Opening(True, None, "ouvert 24 h/24" + _kind(current.kinds))
        return Opening(True, None, f"ouvert jusqu'à {_until(current.end, local)}"
                       + _kind(current.kinds), current.end.replace(tzinfo=tz))
    ahead = next((s for s in spans if local < s.start
                  and s.start <= local + timedelta(days=HORIZON_DAYS)), None)
    if ahead is None:
        return Opening(False, None, f"fermé, pas d'ouverture prévue dans les {HORIZON_DAYS} "
                                    "jours")
    return Opening(False, ahead.start.replace(tzinfo=tz),
                   f"fermé, ouvre {_when(ahead.start, local)}" + _kind(ahead.kinds))


def slots(offer: Json) -> list[Slot]:
    found = [_slot(entry) for entry in offer.get("availableTime") or []
             if isinstance(entry, dict)]
    return [s for s in found if s is not None]


def _slot(entry: Json) -> Slot | None:
    ext = {e.get("url"): e for e in entry.get("extension") or [] if isinstance(e, dict)}
    if entry.get("allDay") is True:
        start, end = 0, DAY_MINUTES
    else:
        start_at, end_at = _minutes(entry.get("availableStartTime")), \
            _minutes(entry.get("availableEndTime"))
        if start_at is None and end_at is None:
            return None  # no hours said
        start, end = start_at or 0, end_at if end_at is not None else DAY_MINUTES
        if end >= DAY_MINUTES - 1 or end == 0:
            end = DAY_MINUTES  # 23:59 and 00:00 end the day
        elif end <= start:
            end += DAY_MINUTES  # overnight
    period = (ext.get(EXT_EFFECTIVE_DATES) or {}).get("valuePeriod") or {}
    return Slot(_days(entry, ext), start, end, _code(ext.get(EXT_TYPE_OF_TIME)),
                _day(period.get("start")), _day(period.get("end")))


def _days(entry: Json, ext: dict[Any, Json]) -> frozenset[int]:
    number = (ext.get(EXT_DAYS_OF_WEEK) or {}).get("valueInteger")
    if isinstance(number, int) and 1 <= number <= 7:
        return frozenset({number})
    named = frozenset(_DAY_CODES[d] for d in entry.get("daysOfWeek") or []
                      if isinstance(d, str) and d in _DAY_CODES)
    return named or frozenset(range(1, 8))


def _minutes(text: Any) -> int | None:
    if not isinstance(text, str):
        return None
    try:
        at = clock.fromisoformat(text)
    except ValueError:
        return None
    return at.hour * 60 + at.minute


def _day(text: Any) -> date | None:
    if not isinstance(text, str):
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _code(ext: Json | None) -> str | None:
    codings = ((ext or {}).get("valueCodeableConcept") or {}).get("coding") or [{}]
    code = codings[0].get("code") if isinstance(codings[0], dict) else None
    return code if isinstance(code, str) else None


def _spans(found: list[Slot], first_day: date, last_day: date) -> list[_Span]:
    """The slots on each day from ``first_day`` to ``last_day`` (excluded), merged where
    they overlap or touch, in order."""
    raw: list[_Span] = []
    for offset in range((last_day - first_day).days):
        day = first_day + timedelta(days=offset)
        weekday, midnight = day.isoweekday(), _midnight(day)
        raw += [_Span(midnight + timedelta(minutes=s.start), midnight + timedelta(minutes=s.end),
                      frozenset((s.kind,)))
                for s in found if weekday in s.days and (s.first is None or s.first <= day)
                and (s.last is None or day <= s.last)]
    merged: list[_Span] = []
    for span in sorted(raw, key=lambda s: (s.start, s.end)):
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = _Span(last.start, max(last.end, span.end), last.kinds | span.kinds)
        else:
            merged.append(span)
    return merged


def _midnight(day: date) -> datetime:
    return datetime.combine(day, clock())


def _kind(kinds: set[str | None] | frozenset[str | None]) -> str:
    told = {_KINDS.get(k or "") for k in kinds}
    return f" ({told.pop()})" if len(told) == 1 and None not in told else ""


def _hour(at: datetime) -> str:
    return f"{at.hour} h" + (f" {at.minute:02d}" if at.minute else "")


def _day_word(at: datetime, local: datetime) -> str:
    days = (at.date() - local.date()).days
    if days >= 7:
        return f"le {at:%d/%m}"
    return "" if days == 0 else "demain" if days == 1 else _DAY_NAMES[at.weekday()]


def _until(end: datetime, local: datetime) -> str:
    if end.time() == clock() and (end.date() - local.date()).days == 1:
        return "minuit"
    day = _day_word(end, local)
    return f"{day} {_hour(end)}" if day else _hour(end)


def _when(start: datetime, local: datetime) -> str:
    day = _day_word(start, local)
    return f"{day} à {_hour(start)}" if day else f"à {_hour(start)}"
