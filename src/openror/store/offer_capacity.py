"""The capacity records of an offer's places, next to the offer's activities, in one table
(``search_offer_capacity``).

"The offers of this activity with an available, current, female bed" joins an offer's
activity (its index rows) to the typed capacity rows of the places it refers to
(``search_capacity``). Nationally an activity has up to 55,000 offers and such a group holds
on half the places, so whichever side a plan starts from, it probes tens of thousands of
candidates. Here each row is one (offer, activity, capacity row of one of its places): the
same question is one index range.

Unlike the other index tables, these rows depend on two resources: an offer's rows change
when the offer's activities or places change, and when one of its places' capacities does.
They are made from the index rows with SQL, after those are written (``refresh``), for the
offers and the places a write touched; a first load builds them whole at its end
(``rebuild``). ``openror check`` compares them with what ``expected`` selects.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa

from openror.store import rawsql
from openror.store.dialect import among_parameter, ids_value
from openror.store.search_tables import (
    CAPACITY_TOKENS,
    search_capacity,
    search_offer_capacity,
    search_ref,
    search_token,
)

OFFER, PLACE = "HealthcareService", "Location"
#: the offer's parameters whose rows these rows are made of
ACTIVITY, PLACES = "specialty", "location"
#: index tables whose rows of an offer or a place these rows copy
SOURCES = {OFFER: ("search_token", "search_ref"), PLACE: ("search_capacity",)}

_CAPACITY = ["grp", "n", *(c for name in CAPACITY_TOKENS for c in (name, f"{name}_system")),
             "nb", "updated_low", "updated_high"]
COLUMNS = ["id", "system", "code", "location_id", *_CAPACITY]

#: the refresh statements compiled: (database kind, statement, for one id) -> (SQL, …)
_COMPILED: dict[tuple[str, str, bool], tuple[str, dict[str, Any], tuple[str, ...] | None]] = {}

#: a first load writes the index tables without their indexes, which these rows' joins need
_PAUSED: ContextVar[bool] = ContextVar("offer_capacity_paused", default=False)


@contextmanager
def paused(pause: bool = True) -> Iterator[None]:
    """No ``refresh`` inside (this thread): a first load, whose end makes every row
    (``bulk_indexes.build``)."""
    token = _PAUSED.set(pause)
    try:
        yield
    finally:
        _PAUSED.reset(token)


#: one of the table's indexes: a first load drops them, then builds them after the rows
#: (``bulk_indexes``), so while it is missing the rows are not all there
_MARK = "ix_search_offer_capacity_place"
_READY = {
    "sqlite": "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = :name",
    # resolved in the search path, as the tables are (pg_indexes: 0.7 ms a search)
    "postgresql": "SELECT 1 WHERE to_regclass(:name) IS NOT NULL",
}


def ready(conn: sa.Connection) -> bool:
    """Whether the rows are all there: not during a first load, which makes them at its end
    (searches then read the index rows they are made from)."""
    sql = _READY[conn.dialect.name]
    return rawsql.run(conn, sql, {"name": _MARK}).fetchone() is not None


def sources_changed(rtype: str, tables: Iterable[str]) -> bool:
    """Whether a write of ``rtype`` that rewrote these index tables touches these rows."""
    return not set(SOURCES.get(rtype, ())).isdisjoint(tables)


def expected(where: Iterable[sa.ColumnElement[bool]] = ()) -> sa.Select[Any]:
    """The rows as made from the index rows (``where``: on ``search_token`` of the offer,
    ``search_ref`` and ``search_capacity`` of the place), in ``COLUMNS`` order. Distinct: an
    offer may name a place or an activity twice."""
    t, r, c = search_token, search_ref, search_capacity
    return sa.select(t.c.id, t.c.system, t.c.code, c.c.id, *(c.c[n] for n in _CAPACITY)) \
        .select_from(t.join(r, sa.and_(r.c.type == OFFER, r.c.id == t.c.id,
                                       r.c.param == PLACES, r.c.target_type == PLACE))
                     .join(c, sa.and_(c.c.type == PLACE, c.c.id == r.c.target_id))) \
        .where(t.c.type == OFFER, t.c.param == ACTIVITY, *where).distinct()


def refresh(conn: sa.Connection, offers: Iterable[str] = (), places: Iterable[str] = ()
            ) -> None:
    """Make the rows of these offers, and of the offers at these places, match the index
    rows as they now are (run after those are written)."""
    if _PAUSED.get():
        return
    offer_ids, place_ids = sorted(set(offers)), sorted(set(places))
    if place_ids:  # first: its rows of the offers below are then replaced whole
        _run(conn, "delete by place", place_ids)
        _run(conn, "insert by place", place_ids)
    if offer_ids:
        _run(conn, "delete by offer", offer_ids)
        _run(conn, "insert by offer", offer_ids)


def _run(conn: sa.Connection, kind: str, ids: list[str]) -> None:
    """One refresh statement, compiled once per database kind: built with SQLAlchemy at each
    write, they cost the capacity feed four times what running them does (0.65 ms a place
    in all, on SQLite). One id (a write of one resource) is a plain parameter: PostgreSQL
    may then keep a generic plan of the statement (the feed's transactions allow it), where
    with an array of unknown length it plans the join again at every run (0.9 ms)."""
    one = len(ids) == 1
    sql, params, order = _compiled(conn.dialect, kind, one)
    bound = {**params, "ids": ids[0] if one else ids_value(conn.dialect.name, ids)}
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(sql, tuple(bound[name] for name in order) if order else bound)


def _compiled(dialect: sa.Dialect, kind: str, one: bool
              ) -> tuple[str, dict[str, Any], tuple[str, ...] | None]:
    """The SQL text, its constant parameters and, for a positional style, their order (one
    per database kind: every engine of OpenROR's is made the same way)."""
    key = (dialect.name, kind, one)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = _compile(dialect, kind, one)
    return found


def _compile(dialect: sa.Dialect, kind: str, one: bool
             ) -> tuple[str, dict[str, Any], tuple[str, ...] | None]:
    o = search_offer_capacity

    def picked(column: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
        return column == sa.bindparam("ids", type_=sa.String) if one \
            else among_parameter(dialect.name, column, key="ids")

    statements: dict[str, Any] = {
        "delete by place": lambda: o.delete().where(picked(o.c.location_id)),
        "insert by place": lambda: _insert_rows(expected([picked(search_ref.c.target_id)])),
        "delete by offer": lambda: o.delete().where(picked(o.c.id)),
        "insert by offer": lambda: _insert_rows(expected([picked(search_token.c.id)])),
    }
    compiled = statements[kind]().compile(dialect=dialect)
    order = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup \
        else None
    return str(compiled), dict(compiled.construct_params({"ids": None})), order


def refresh_written(conn: sa.Connection, written: Iterable[tuple[str, str]]) -> None:
    """``refresh`` for the (type, id) of resources whose index rows were just written."""
    keys = list(written)
    refresh(conn, [i for t, i in keys if t == OFFER], [i for t, i in keys if t == PLACE])


def rebuild(conn: sa.Connection) -> None:
    """Make every row again (a first load, a reindex, a repair)."""
    conn.execute(search_offer_capacity.delete())
    conn.execute(_insert_rows(expected()))


def _insert_rows(rows: sa.Select[Any]) -> sa.Insert:
    o = search_offer_capacity
    return o.insert().from_select([o.c[n] for n in COLUMNS], rows)
