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

from openror.store.dialect import among
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
    offer_ids, place_ids = sorted(set(offers)), sorted(set(places))
    if _PAUSED.get():
        return
    o = search_offer_capacity
    if place_ids:  # first: its rows of the offers below are then replaced whole
        conn.execute(o.delete().where(among(conn, o.c.location_id, place_ids)))
        _insert(conn, expected([among(conn, search_ref.c.target_id, place_ids)]))
    if offer_ids:
        conn.execute(o.delete().where(among(conn, o.c.id, offer_ids)))
        _insert(conn, expected([among(conn, search_token.c.id, offer_ids)]))


def refresh_written(conn: sa.Connection, written: Iterable[tuple[str, str]]) -> None:
    """``refresh`` for the (type, id) of resources whose index rows were just written."""
    keys = list(written)
    refresh(conn, [i for t, i in keys if t == OFFER], [i for t, i in keys if t == PLACE])


def rebuild(conn: sa.Connection) -> None:
    """Make every row again (a first load, a reindex, a repair)."""
    conn.execute(search_offer_capacity.delete())
    _insert(conn, expected())


def _insert(conn: sa.Connection, rows: sa.Select[Any]) -> None:
    o = search_offer_capacity
    conn.execute(o.insert().from_select([o.c[n] for n in COLUMNS], rows))
