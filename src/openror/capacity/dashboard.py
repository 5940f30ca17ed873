"""The regional capacity dashboard, computed once for a caller and rendered as a page or a
CSV file: beds available now by activity family and département, with how many places
report them and how many of those have stale figures; the trend of the last 7 days per
family; the places with their state, for the map and the list.

A place reports when it has a current availability figure of beds (status 02, temporality
01, nature 01; its records by gender are summed, as alerts do). Its figures are stale when
one of those it has (every visible record but the installed capacity) is older than the
threshold of its family, or undated (``store.freshness``). Families are the places' current
ones, for the trend as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from openror.access.caller import Caller
from openror.capacity import timeline
from openror.geo import current_gazetteer
from openror.store import capacity_dashboard as queries
from openror.store import freshness
from openror.store.capacity_queries import visible_statuses
from openror.store.database import Database

TREND_DAYS = 7
ALL = "*"  # the total of every family, or of every département
#: the state of a place on the map
SOME, NONE, STALE, UNKNOWN = "some", "none", "stale", "unknown"


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    departement: str | None
    family: str
    available: int | None
    stale: bool
    oldest: datetime | None
    undated: bool
    position: tuple[float, float] | None

    @property
    def state(self) -> str:
        """Stale first: a stale figure is never shown as current."""
        if self.stale:
            return STALE
        if self.available is None:
            return UNKNOWN
        return SOME if self.available > 0 else NONE


@dataclass
class Cell:
    """Beds available now in a family × département (either may be ``ALL``)."""

    available: int = 0
    stale_available: int = 0  # of which from places with stale figures
    places: int = 0  # places reporting
    stale: int = 0  # of which with stale figures
    oldest: datetime | None = None  # the oldest dated figure of those places
    undated: bool = False  # one of their figures has no date

    def add(self, place: Place) -> None:
        available = place.available or 0
        self.available += available
        self.places += 1
        if place.stale:
            self.stale += 1
            self.stale_available += available
        if place.oldest is not None and (self.oldest is None or place.oldest < self.oldest):
            self.oldest = place.oldest
        self.undated = self.undated or place.undated


@dataclass(frozen=True)
class Trend:
    days: timeline.Days
    totals: dict[str, list[int]]  # family -> beds available at the end of each day


@dataclass
class Dashboard:
    region: str
    now: datetime
    departements: list[tuple[str, str]]  # (code, name), the columns of the table
    availability_visible: bool
    places: list[Place] = field(default_factory=list)
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    trend: Trend | None = None

    def cell(self, family: str, departement: str) -> Cell:
        return self.cells.get((family, departement)) or Cell()


def shows_availability(caller: Caller) -> bool:
    statuses = visible_statuses(caller)
    return statuses is None or queries.AVAILABLE in statuses


def departements_of(region: str) -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in current_gazetteer().rows.departements
            if d.region == region]


def build(db: Database, caller: Caller, region: str, now: datetime) -> Dashboard:
    """The dashboard of a region as the caller may see it (profile 5: no availability)."""
    found = Dashboard(region, now, departements_of(region), shows_availability(caller))
    if not found.availability_visible:
        return found
    days = timeline.last_days(now, TREND_DAYS)
    with db.read() as conn:
        rows = queries.region_places(conn, caller, region)
        changes = queries.changes(conn, caller, days.start, region=region,
                                  available_only=True)
        ids = sorted({r.id for r in rows} | {c.place for c in changes})
        families = freshness.families_of(conn, ids)
        names = queries.place_names(conn, [r.id for r in rows])
    found.places = [_place(r, families.get(r.id, freshness.DEFAULT), names[r.id], now)
                    for r in rows]
    found.cells = cells(found.places)
    _unknown_departements(found)
    totals = timeline.totals_at(changes, days.ends,
                                lambda place: families.get(place, freshness.DEFAULT))
    found.trend = Trend(days, {family: totals.get(family, [0] * len(days.ends))
                               for family in freshness.FAMILIES})
    return found


def _place(row: queries.PlaceFigures, family: str, name: str, now: datetime) -> Place:
    limit = freshness.thresholds().of(family)
    stale = row.figures > 0 and (row.undated > 0 or row.oldest is None
                                 or now - row.oldest > limit)
    return Place(row.id, name, row.departement, family, row.available, stale, row.oldest,
                 row.undated > 0, row.position)


def cells(places: Iterable[Place]) -> dict[tuple[str, str], Cell]:
    """Every family × département, with the totals by family, by département and overall,
    of the places that report availability."""
    found: dict[tuple[str, str], Cell] = {}
    for place in places:
        if place.available is None:
            continue
        departement = place.departement or ""
        for key in ((place.family, departement), (place.family, ALL), (ALL, departement),
                    (ALL, ALL)):
            found.setdefault(key, Cell()).add(place)
    return found


def _unknown_departements(found: Dashboard) -> None:
    """A column for places whose département is not one of the region's (or unknown)."""
    known = {code for code, _ in found.departements}
    for code in sorted({p.departement or "" for p in found.places} - known):
        found.departements.append((code, code or "département inconnu"))
