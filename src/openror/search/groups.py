"""Small sets, resolved to ids before planning.

A correlated group (an available, current, female bed…), a chained criterion (offers whose
place is in these communes, near this point) or a ``near`` is a subquery whose size no
planner can estimate: its conditions may be individually common and jointly rare, or the
opposite. When few resources match it, the best plan starts from them and looks the rest up
by id; when many do, it is better probed for each candidate the other criteria leave. So the
engine asks the database: it fetches at most ``SMALL + 1`` matching ids, and when there are no
more than ``SMALL`` the criterion becomes that list (``Resolved``), which the planner then
drives from (``sql.all_of``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from openror.search.model import (
    AllOf,
    AnyOf,
    Chain,
    Correlated,
    Criterion,
    Drive,
    Has,
    Match,
    Near,
    Not,
    Resolved,
)
from openror.search.offer_capacity import combine
from openror.search.sql import HALF_CIRCUMFERENCE_KM, correlated_ids, matching, near_ids
from openror.store import offer_capacity

SMALL = 5_000
#: a parameter matching up to this many resources may drive a plan (see ``_driver``)
DRIVER_MAX = 200_000

#: a parameter matching up to this many resources drives a plan with a large ``near``: each
#: of its resources costs a few index lookups, where computing the circle whole costs every
#: offer at every place inside it. Measured on the national dataset (SQLite, warm): the
#: offers of an activity (18,000 to 55,000) near Paris or Metz, 15 to 200 km, driven by
#: the activity 0.05–0.8 s, computed whole 0.06–4.1 s (docs/benchmarks.md, search notes)
NEAR_DRIVER_MAX = 60_000

#: criteria worth a probe: the planner cannot tell how many resources they hold for (an
#: offer's activity with its places' capacity is one range of a covering index: read whole,
#: it costs about what the probe would)
_PROBED = (Correlated, Chain, Near)


def prepare(conn: sa.Connection, rtype: str, criteria: AllOf) -> AllOf:
    """The criteria of a search, with small sets resolved to ids and, failing that, the
    parameter the plan should start from."""
    merged = combine(rtype, criteria.items)
    if merged is not criteria.items and not offer_capacity.ready(conn):
        merged = criteria.items  # a first load has not made those rows yet
    items = tuple(resolve(conn, rtype, c) for c in merged)
    return AllOf(_driver(conn, rtype, items))


def _driver(conn: sa.Connection, rtype: str, items: tuple[Criterion, ...]
            ) -> tuple[Criterion, ...]:
    """A large correlated group (through a chain or not) computed whole means an ``EXISTS``
    for every capacity record of the country; probed for each resource a plain parameter
    matches, it is a few index lookups each. A large ``near`` (thousands of places in a
    dense city, every place of the country for a national radius) is the same: computed
    whole, it is every position in the circle and every resource referring to them; probed,
    it is the candidate's few positions. So when no list bounds the search and such a
    criterion is there, the plain parameter with the fewest matches (counted up to a
    limit) drives the plan."""
    if any(isinstance(i, Resolved) for i in items):
        return items
    nears = [n for n in map(_near, items) if n is not None]
    if any(map(_correlated, items)) or any(n.km >= HALF_CIRCUMFERENCE_KM for n in nears):
        limit = DRIVER_MAX  # a circle around the whole Earth holds every position
    elif nears:
        limit = NEAR_DRIVER_MAX
    else:
        return items
    sized = [(_size(conn, rtype, i, limit), n) for n, i in enumerate(items)
             if isinstance(i, Match) and not i.modifier
             and i.param.name not in ("_id", "_lastUpdated")]  # those are read on the row
    if not sized or min(sized)[0] > limit:
        return items
    chosen = min(sized)[1]
    return tuple(Drive(i) if n == chosen else i for n, i in enumerate(items))


def _near(c: Criterion) -> Near | None:
    """A near left unresolved (large), on the resource or through a chain."""
    if isinstance(c, Chain):
        return _near(c.inner)
    if isinstance(c, AllOf):
        return next((n for n in map(_near, c.items) if n is not None), None)
    return c if isinstance(c, Near) else None


def _correlated(c: Criterion) -> bool:
    if isinstance(c, Chain):
        return _correlated(c.inner)
    if isinstance(c, AllOf):
        return any(map(_correlated, c.items))
    return isinstance(c, Correlated)


def _size(conn: sa.Connection, rtype: str, c: Criterion, limit: int) -> int:
    ids = matching(rtype, c).limit(limit + 1).subquery()
    return int(conn.execute(sa.select(sa.func.count()).select_from(ids)).scalar() or 0)


def resolve(conn: sa.Connection, rtype: str, c: Criterion) -> Criterion:
    """``c`` with each small probed criterion (inner ones first) replaced by its ids."""
    if isinstance(c, (AllOf, AnyOf)):
        return type(c)(tuple(resolve(conn, rtype, i) for i in c.items))
    if isinstance(c, Not):
        return Not(resolve(conn, rtype, c.item))
    if isinstance(c, Has):
        return replace(c, inner=resolve(conn, c.source, c.inner))
    if isinstance(c, Chain):
        c = replace(c, inner=resolve(conn, c.target, c.inner))
        if isinstance(c.inner, Match):  # places in these communes: few become a list
            c = replace(c, inner=_small(conn, c.target, c.inner))
        # organization:above walks the hierarchy from its roots (cheap already); what
        # refers to a criterion that stayed large is large too
        if c.above or isinstance(c.inner, (*_PROBED, Match)):
            return c
    if isinstance(c, _PROBED):
        return _small(conn, rtype, c)
    return c


def probe(rtype: str, c: Criterion) -> sa.Select[Any]:
    """At most ``SMALL + 1`` ids ``c`` holds for (with repeats: no sort, no distinct, so the
    database stops early when there are many)."""
    if isinstance(c, Correlated):
        return correlated_ids(rtype, c).limit(SMALL + 1)
    if isinstance(c, Near):
        return near_ids(rtype, c).limit(SMALL + 1)
    return matching(rtype, c).limit(SMALL + 1)


def _small(conn: sa.Connection, rtype: str, c: Criterion) -> Criterion:
    rows = conn.execute(probe(rtype, c)).all()
    if len(rows) > SMALL:
        return c
    return Resolved(tuple(sorted({row[0] for row in rows})), c)
