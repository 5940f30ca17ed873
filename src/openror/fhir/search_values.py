"""Normal forms of searchable values, shared by the indexer and the query parser so that both
sides of a comparison are written the same way.

- text: lower case, accents removed, spaces collapsed (French names are searched without
  accents: « maternite » finds « Maternité »);
- dates: a [low, high] range of UTC instants written as fixed-width text, so that text order is
  time order on both databases; a date without a time zone is taken as UTC;
- quantities: converted to a canonical UCUM unit (seconds, grams, metres) when the unit is
  known, so that 6 mo and 0.5 a compare.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

UCUM = "http://unitsofmeasure.org"
LOWEST = "0001-01-01T00:00:00.000000"
HIGHEST = "9999-12-31T23:59:59.999999"

_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+")
_DATE = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?"
    r"(Z|[+-]\d{2}:\d{2})?)?)?)?$")

#: unit -> (canonical unit, factor); UCUM codes the ROR data and its searches use
_UNITS: dict[str, tuple[str, Decimal]] = {
    "s": ("s", Decimal(1)), "min": ("s", Decimal(60)), "h": ("s", Decimal(3600)),
    "d": ("s", Decimal(86400)), "wk": ("s", Decimal(604800)),
    "mo": ("s", Decimal(2629800)), "a": ("s", Decimal(31557600)),
    "g": ("g", Decimal(1)), "kg": ("g", Decimal(1000)), "mg": ("g", Decimal("0.001")),
    "t": ("g", Decimal(1000000)),
    "m": ("m", Decimal(1)), "cm": ("m", Decimal("0.01")), "mm": ("m", Decimal("0.001")),
    "km": ("m", Decimal(1000)),
}


#: distinct texts remembered by the text functions: the indexer meets the same names, cities,
#: dates and terminology labels again and again (a few thousand distinct ones per 17,000
#: resources of the national dataset)
_CACHED = 16384


@lru_cache(maxsize=_CACHED)
def normalize_text(text: str) -> str:
    bare = text
    if not text.isascii():  # NFKD changes no ASCII character and adds no combining one
        decomposed = unicodedata.normalize("NFKD", text)
        bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare.lower()).strip()


def words(text: str) -> list[str]:
    return list(_words(text))


@lru_cache(maxsize=_CACHED)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(normalize_text(text)))


def prefix_upper_bound(prefix: str) -> str:
    """The smallest text greater than every text starting with ``prefix`` (for range scans)."""
    return prefix + "\uffff"


class BadDate(ValueError):
    pass


@lru_cache(maxsize=_CACHED)
def date_range(text: str) -> tuple[str, str]:
    """The instants a FHIR date, dateTime or instant covers, by its precision."""
    m = _DATE.match(text.strip())
    if m is None:
        raise BadDate(text)
    year, month, day, hour, minute, second, fraction, zone = m.groups()
    try:
        low = datetime(int(year), int(month or 1), int(day or 1), int(hour or 0),
                       int(minute or 0), int(second or 0),
                       int(Decimal(fraction or "0") * 1_000_000), tzinfo=UTC)
    except ValueError as exc:
        raise BadDate(text) from exc
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        low -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    high = _end_of(low, month, day, hour, second, fraction)
    return _text(low), _text(high)


def _end_of(low: datetime, month: str | None, day: str | None, hour: str | None,
            second: str | None, fraction: str | None) -> datetime:
    if month is None:
        nxt = low.replace(year=low.year + 1)
    elif day is None:
        nxt = (low.replace(day=28) + timedelta(days=4)).replace(day=1)
    elif hour is None:
        nxt = low + timedelta(days=1)
    elif second is None:
        nxt = low + timedelta(minutes=1)
    elif fraction is None:
        nxt = low + timedelta(seconds=1)
    else:
        return low
    return nxt - timedelta(microseconds=1)


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def instant_text(moment: datetime) -> str:
    """A stored timestamp (naive = UTC) in the same form as ``date_range``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _text(moment)


def canonical_quantity(value: Decimal, system: str, unit: str) -> tuple[Decimal, str]:
    """(value, unit) in the canonical unit when ``unit`` is a known UCUM unit."""
    if system in ("", UCUM) and unit in _UNITS:
        canonical, factor = _UNITS[unit]
        return value * factor, canonical
    return value, unit


def implicit_range(text: str) -> tuple[Decimal, Decimal]:
    """The values a number written with this precision stands for (``100`` = [99.5, 100.5))."""
    value = Decimal(text)
    exponent = value.as_tuple().exponent
    half = Decimal(5).scaleb(int(exponent) - 1) if isinstance(exponent, int) else Decimal(0)
    return value - half, value + half
