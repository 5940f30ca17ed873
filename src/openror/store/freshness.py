"""How old the availability figures of a place are, and whether they are stale.

Every capacity record but the installed capacity is a figure that ages (available, occupied,
reserved, closed, supplementary). A place's figures are stale when one is older than the
threshold of the place's activity family — the most demanding family among the offers held
there (critical care before emergency before the rest). Reads and searches add the
extension ``FRESHNESS_URL`` to a place with figures (``annotate``), computed at the time of
the answer, so that a figure is never shown as current without its age.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import orjson
import sqlalchemy as sa

from openror.config import Settings
from openror.errors import InvalidInput, error
from openror.fhir import capacity_indicators as ci
from openror.store.capacity_history import figures
from openror.store.search_tables import search_ref, search_token
from openror.terminology import default_terminology

FRESHNESS_URL = "https://openror.fr/fhir/StructureDefinition/capacity-freshness"
CRITICAL, EMERGENCY, DEFAULT = "critical", "emergency", "default"
#: most demanding first: a place with both kinds of offer takes the first
FAMILIES = (CRITICAL, EMERGENCY, DEFAULT)
_PREFIXES = {CRITICAL: ("réanimation", "soins intensifs", "surveillance continue"),
             EMERGENCY: ("urgences", "smur")}
_AGE = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


@cache
def family_codes() -> dict[str, frozenset[str]]:
    """Family -> its operational activities (TRE_R211), by the start of their NOS label."""
    concepts = default_terminology().expand("JDV_J17-ActiviteOperationnelle-ROR")
    return {family: frozenset(c.code for c in concepts
                              if c.display.lower().startswith(prefixes))
            for family, prefixes in _PREFIXES.items()}


def family_of(code: str, codes: dict[str, frozenset[str]]) -> str:
    """The family of an activity code (``codes``: ``family_codes()``)."""
    return CRITICAL if code in codes[CRITICAL] else \
        EMERGENCY if code in codes[EMERGENCY] else DEFAULT


def most_demanding(known: str | None, family: str) -> str:
    """Of a place's family so far (None: none yet) and one more, the one whose figures
    go stale first."""
    return family if known is None else min(known, family, key=FAMILIES.index)


@dataclass(frozen=True)
class Thresholds:
    by_family: dict[str, timedelta] = field(default_factory=lambda: {
        CRITICAL: timedelta(hours=24), EMERGENCY: timedelta(hours=24),
        DEFAULT: timedelta(hours=72)})

    def of(self, family: str) -> timedelta:
        return self.by_family.get(family, self.by_family[DEFAULT])

    @classmethod
    def parse(cls, text: str) -> Thresholds:
        """``critical=24h,emergency=24h,default=72h`` (ages in m, h or d)."""
        found = dict(cls().by_family)
        for part in filter(None, (p.strip() for p in text.split(","))):
            family, _, age = part.partition("=")
            m = _AGE.match(age)
            if family.strip() not in FAMILIES or not m:
                raise InvalidInput([error("value", f"capacity_stale_after: '{part}' should "
                                          f"be family=age, family one of {', '.join(FAMILIES)}"
                                          ", age like 30m, 24h or 7d")])
            found[family.strip()] = timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
        return cls(found)


_current = [Thresholds()]


def use_thresholds(settings: Settings) -> None:
    """Set the thresholds reads apply (at start-up, from the settings)."""
    _current[0] = Thresholds.parse(settings.capacity_stale_after)


def thresholds() -> Thresholds:
    return _current[0]


def families_of(conn: sa.Connection, place_ids: list[str]) -> dict[str, str]:
    """Place id -> its activity family (only places with a critical or emergency offer)."""
    found: dict[str, str] = {}
    for start in range(0, len(place_ids), _CHUNK):  # bounded: SQLite's parameter limit
        found.update(_families(conn, place_ids[start:start + _CHUNK]))
    return found


_CHUNK = 900


def _families(conn: sa.Connection, place_ids: list[str]) -> dict[str, str]:
    """In two statements that follow the indexes from the places: the offers at them
    (``search_ref`` by target), then those offers' activities (``search_token`` by owner).
    Joined in one statement, SQLite started from the tokens of every critical and emergency
    offer of the country (half a second for a page of places)."""
    codes = family_codes()
    r, t = search_ref, search_token
    at: dict[str, list[str]] = {}
    for place, offer in conn.execute(sa.select(r.c.target_id, r.c.id).where(
            r.c.target_type == "Location", r.c.target_id.in_(place_ids),
            r.c.type == "HealthcareService", r.c.param == "location")):
        at.setdefault(offer, []).append(place)
    found: dict[str, str] = {}
    offers = sorted(at)
    for start in range(0, len(offers), _CHUNK):
        for offer, code in conn.execute(sa.select(t.c.id, t.c.code).where(
                t.c.type == "HealthcareService", t.c.id.in_(offers[start:start + _CHUNK]),
                t.c.param == "specialty")):
            family = family_of(code, codes)
            if family != DEFAULT:  # a place found nowhere here is of the default family
                for place in at[offer]:
                    found[place] = most_demanding(found.get(place), family)
    return found


@dataclass(frozen=True)
class Freshness:
    family: str
    max_age: timedelta
    oldest: datetime | None  # the oldest figure's update date; None: a figure has none
    stale: list[ci.Key]  # the indicators whose figure is too old (or undated)
    figures: int  # how many figures age (every record but the installed capacity)

    @property
    def is_stale(self) -> bool:
        return bool(self.stale)


def freshness(body: dict[str, Any], family: str, now: datetime,
              limits: Thresholds | None = None) -> Freshness | None:
    """The freshness of a place's figures; None when it has none (installed capacity only)."""
    max_age = (limits or thresholds()).of(family)
    ageing = {k: f for k, f in figures(body).items() if k[1] != ci.INSTALLED}
    if not ageing:
        return None
    dates = [f.updated for f in ageing.values()]
    stale = [k for k, f in ageing.items() if f.updated is None or now - f.updated > max_age]
    oldest = None if None in dates else min(d for d in dates if d is not None)
    return Freshness(family, max_age, oldest, stale, len(ageing))


def annotate(content: bytes, family: str, now: datetime) -> bytes:
    """A place's bytes with its freshness extension (the same bytes when it has no figures)."""
    if ci.URL.encode() not in content:
        return content
    body = orjson.loads(content)
    return orjson.dumps(body) if annotate_body(body, family, now) else content


def annotate_body(body: dict[str, Any], family: str, now: datetime) -> bool:
    """Add the freshness extension to a parsed place; False when it has no figures."""
    found = freshness(body, family, now)
    if found is None:
        return False
    body["extension"] = [*body.get("extension", []), _extension(found, now)]
    return True


def _extension(found: Freshness, now: datetime) -> dict[str, Any]:
    hours = found.max_age.total_seconds() / 3600
    parts: list[dict[str, Any]] = [
        {"url": "asOf", "valueInstant": _instant(now)},
        {"url": "family", "valueCode": found.family},
        {"url": "maxAge", "valueDuration": {"value": hours, "unit": "h",
                                            "system": "http://unitsofmeasure.org",
                                            "code": "h"}},
        {"url": "stale", "valueBoolean": found.is_stale},
        {"url": "staleCount", "valueInteger": len(found.stale)},
    ]
    if found.oldest is not None:
        parts.append({"url": "oldestUpdate", "valueDateTime": _instant(found.oldest)})
    return {"url": FRESHNESS_URL, "extension": parts}


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds") + "Z"


def annotate_places(conn: sa.Connection, contents: dict[str, bytes],
                    now: datetime) -> dict[str, bytes]:
    """Place id -> bytes, each with its freshness: one query for the page's families."""
    with_figures = [rid for rid, content in contents.items() if ci.URL.encode() in content]
    families = families_of(conn, with_figures)
    return {rid: annotate(content, families.get(rid, DEFAULT), now) if rid in with_figures
            else content for rid, content in contents.items()}
