"""FHIR comparison prefixes as SQL conditions on date ranges and numbers."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from openror.search.model import NumberValue, TokenValue


def date_condition(low: Any, high: Any, prefix: str, v_low: Any, v_high: Any
                   ) -> sa.ColumnElement[bool]:
    """FHIR date prefixes between the target range [low, high] and the value's range."""
    inside = sa.and_(low >= v_low, high <= v_high)
    conditions: dict[str, sa.ColumnElement[bool]] = {
        "eq": inside, "ne": sa.not_(inside),
        "gt": high > v_high, "lt": low < v_low,
        "ge": sa.or_(high > v_high, inside), "le": sa.or_(low < v_low, inside),
        "sa": low > v_high, "eb": high < v_low,
        "ap": sa.and_(low <= v_high, high >= v_low),
    }
    return conditions[prefix]


def number_condition(column: Any, v: NumberValue) -> sa.ColumnElement[bool]:
    value, low, high = float(v.value), float(v.low), float(v.high)
    margin = abs(value) * 0.1
    conditions: dict[str, sa.ColumnElement[bool]] = {
        "eq": sa.and_(column >= low, column < high),
        "ne": sa.or_(column < low, column >= high),
        "gt": column > value, "lt": column < value, "ge": column >= value,
        "le": column <= value, "sa": column > value, "eb": column < value,
        "ap": sa.and_(column >= value - margin, column <= value + margin),
    }
    return conditions[v.prefix]


def token_condition(t: Any, v: TokenValue) -> sa.ColumnElement[bool]:
    """A ``system|code`` value on a table's ``system`` and ``code`` columns."""
    parts = []
    if v.code is not None:
        parts.append(t.c.code == v.code)
    if v.system is not None:
        parts.append(t.c.system == v.system)
    return sa.and_(*parts)
