"""How far the orientation looks, in at most three searches.

The radii are those of ``candidates.scopes``: the first one (by density), doubled while it
stays within ``MAX_RADIUS_KM``, then the whole country. The first radius is searched
alone — in a city it is enough. When it is not, the widest of the doubled radii is
searched once for its ``WIDE_CANDIDATES`` nearest offers, and the smallest doubled radius
that holds ``count`` offers passing the filters is read off their distances: as long as
those nearest offers reach beyond a radius, they are every offer within it, exactly what a
search of that radius would have found; from the first radius they stop short of, the
radii are searched one at a time. Doubling one search at a time cost up to seven searches
before going national.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from openror.search.engine import SearchEngine
from openror.search.orientation import candidates as stage
from openror.search.orientation import filters
from openror.search.orientation.model import Candidate, Dropped, Need, Where

#: the nearest offers read within the widest radius (each is parsed and filtered)
WIDE_CANDIDATES = 200

Places = Callable[[list[Candidate]], None]


@dataclass
class Reached:
    scope: stage.Scope
    found: list[Candidate] = field(default_factory=list)  # nearest first
    kept: list[tuple[Candidate, list[filters.Check]]] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)


def reach(engine: SearchEngine, need: Need, where: Where, now: datetime, count: int,
          places: Places) -> Reached:
    radii = list(stage.scopes(engine, need, where))
    local = [s for s in radii if not s.national]
    if local:
        first = _search(engine, need, where, now, local[0], places)
        if len(first.kept) >= count:
            return first
    if len(local) > 1:
        widest = _search(engine, need, where, now, local[-1], places, WIDE_CANDIDATES)
        for n, scope in enumerate(local[1:], 1):
            if not _complete(widest, scope.radius_km):  # read offers stop short of it:
                return _one_at_a_time(engine, need, where, now, count, places,  # search it
                                      [*local[n:], radii[-1]])
            within = _within(widest, scope)
            if len(within.kept) >= count:
                return within
    return _search(engine, need, where, now, radii[-1], places)


def _one_at_a_time(engine: SearchEngine, need: Need, where: Where, now: datetime, count: int,
                   places: Places, scopes: list[stage.Scope]) -> Reached:
    """Each radius searched in turn (where hundreds of offers lie within a radius and the
    filters keep fewer than ``count`` of them: rare)."""
    for scope in scopes:
        done = _search(engine, need, where, now, scope, places)
        if len(done.kept) >= count:
            break
    return done


def _search(engine: SearchEngine, need: Need, where: Where, now: datetime,
            scope: stage.Scope, places: Places, limit: int | None = None) -> Reached:
    found = stage.candidates(engine, need, where, scope, limit)
    if need.equipment is not None:  # the search kept only offers with the equipment
        places(found)
    kept, dropped = filters.apply(need, found, now)
    return Reached(scope, found, kept, dropped)


def _within(done: Reached, scope: stage.Scope) -> Reached:
    def inside(c: Candidate) -> bool:
        return c.distance_km is not None and c.distance_km <= scope.radius_km

    found = [c for c in done.found if inside(c)]
    ids = {c.id for c in found}
    return Reached(scope, found, [(c, checks) for c, checks in done.kept if inside(c)],
                   [d for d in done.dropped if d.id in ids])


def _complete(done: Reached, km: float) -> bool:
    """Whether the nearest offers read hold every offer within ``km``."""
    if len(done.found) < WIDE_CANDIDATES:
        return True
    farthest = done.found[-1].distance_km
    return farthest is not None and farthest > km
