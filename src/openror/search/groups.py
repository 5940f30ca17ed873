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
    Has,
    Near,
    Not,
    Resolved,
)
from openror.search.sql import correlated_ids, matching

SMALL = 5_000

#: criteria worth a probe: the planner cannot tell how many resources they hold for
_PROBED = (Correlated, Chain, Near)


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
        if c.above:  # a recursive walk of the hierarchy: already cheap from its roots
            return c
    if isinstance(c, _PROBED):
        return _small(conn, rtype, c)
    return c


def probe(rtype: str, c: Criterion) -> sa.Select[Any]:
    """At most ``SMALL + 1`` ids ``c`` holds for (with repeats: no sort, no distinct, so the
    database stops early when there are many)."""
    ids = correlated_ids(rtype, c) if isinstance(c, Correlated) else matching(rtype, c)
    return ids.limit(SMALL + 1)


def _small(conn: sa.Connection, rtype: str, c: Criterion) -> Criterion:
    rows = conn.execute(probe(rtype, c)).all()
    if len(rows) > SMALL:
        return c
    return Resolved(tuple(sorted({row[0] for row in rows})), c)
