"""Correlated capacity groups as conditions on one typed capacity row (``search_capacity``).

Used for every capacity group whose values the typed row can answer exactly; the others (a
label search with ``:text``, a unit on the count) keep the join of index rows.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from openror.search.conditions import date_condition, number_condition
from openror.search.model import Correlated, DateValue, Match, NumberValue, TokenValue, Value
from openror.store.capacity_records import COUNT, TOKEN_COLUMNS, UPDATED
from openror.store.search_tables import search_capacity

Ids = sa.Select[Any]


def typed(c: Correlated) -> bool:
    return c.group == "capacity" and all(_typed(m) for m in c.matches)


def typed_group(c: object) -> Correlated | None:
    """``c`` as a capacity group the typed rows answer (one parameter alone is a group of
    one: a single record holds it), or None."""
    if isinstance(c, Match) and c.param.group == "capacity":
        c = Correlated("capacity", (c,))
    return c if isinstance(c, Correlated) and typed(c) else None


def _typed(m: Match) -> bool:
    if m.modifier:
        return False
    name = m.param.name
    if name in TOKEN_COLUMNS:
        return all(isinstance(v, TokenValue) for v in m.values)
    if name == COUNT:
        return all(isinstance(v, NumberValue) and not v.unit and not v.system
                   for v in m.values)
    return name == UPDATED and all(isinstance(v, DateValue) for v in m.values)


def capacity_ids(rtype: str, c: Correlated, owner: Any = None) -> Ids:
    """Ids of the places with one capacity record on which every match of ``c`` holds."""
    t = search_capacity
    conditions = [t.c.type == rtype, *record_conditions(t, c)]
    if owner is not None:
        conditions.append(t.c.id == owner)
    return sa.select(t.c.id).where(*conditions)


def record_conditions(t: Any, c: Correlated) -> list[sa.ColumnElement[bool]]:
    """The group on one row of ``t`` (a table with the typed capacity columns)."""
    return [sa.or_(*(_value(t, m.param.name, v) for v in m.values)) for m in c.matches]


def _value(t: Any, name: str, v: Value) -> sa.ColumnElement[bool]:
    if isinstance(v, NumberValue):
        return number_condition(t.c.nb, v)
    if isinstance(v, DateValue):
        return date_condition(t.c.updated_low, t.c.updated_high, v.prefix, v.low, v.high)
    assert isinstance(v, TokenValue)
    column, usual = TOKEN_COLUMNS[name]
    parts = [t.c[column] == v.code if v.code is not None else t.c[column].is_not(None)]
    if v.system == usual:
        parts.append(t.c[f"{column}_system"].is_(None))
    elif v.system is not None:
        parts.append(t.c[f"{column}_system"] == v.system)
    return sa.and_(*parts)
