"""Correlated groups, resolved before planning when they are small.

A correlated group (an available, current, female bed…) is a join of index rows. When few
places match it, the best plan computes them first and looks the rest up by id; when many
do, it is better probed for each candidate the other criteria leave. No planner can tell the
two apart (the conditions are individually common and jointly rare, or the opposite), so the
engine asks the database: it fetches at most ``SMALL + 1`` matching ids, and when there are
no more than ``SMALL`` the group becomes that list of ids.
"""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa

from openror.fhir.search_params import param
from openror.search.model import (
    AllOf,
    AnyOf,
    Chain,
    Correlated,
    Criterion,
    Has,
    Match,
    Not,
    TokenValue,
)
from openror.search.sql import correlated_ids

SMALL = 5_000


def resolve(conn: sa.Connection, rtype: str, c: Criterion) -> Criterion:
    """``c`` with each small correlated group replaced by the ids it matches."""
    if isinstance(c, Correlated):
        return _small_group(conn, rtype, c)
    if isinstance(c, (AllOf, AnyOf)):
        return type(c)(tuple(resolve(conn, rtype, i) for i in c.items))
    if isinstance(c, Not):
        return Not(resolve(conn, rtype, c.item))
    if isinstance(c, (Chain, Has)):
        inner_type = c.target if isinstance(c, Chain) else c.source
        return replace(c, inner=resolve(conn, inner_type, c.inner))
    return c


def _small_group(conn: sa.Connection, rtype: str, c: Correlated) -> Criterion:
    rows = conn.execute(correlated_ids(rtype, c).limit(SMALL + 1)).all()
    if len(rows) > SMALL:
        return c
    ids = {row[0] for row in rows}
    id_param = param(rtype, "_id")
    assert id_param is not None
    # no id at all: a value no id can have (ids are 1 to 64 characters)
    return Match(id_param, "", tuple(TokenValue(None, i) for i in sorted(ids))
                 or (TokenValue(None, ""),))
