"""The SQL behind the regional capacity dashboard and a place's capacity chart.

- ``region_places``: the places of a region with capacity records, each with its current
  figures summed up (beds available now, how many figures age, the oldest update date) from
  the typed capacity rows (``search_capacity``), its département and its position;
- ``changes``: the changes of figures from a moment on, from the capacity history, bounded:
  the last row of each (place, indicator) before that moment, plus the rows after it — enough
  to replay the values at any moment of the period and no more;
- ``place_names``: the names of the places a page shows, from their stored contents.

What a caller sees follows the read policy of ``store.capacity_queries``, applied to the
current rows and the history alike by ``figure_policy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

from openror.access.caller import Caller
from openror.fhir import capacity_indicators as ci
from openror.store.capacity_history import capacity_history
from openror.store.capacity_queries import INDICATOR_COLUMNS, figure_policy
from openror.store.schema import resource
from openror.store.search_tables import search_capacity, search_geo, search_token

#: the availability record a dashboard sums: available (02) beds (01) now (01)
AVAILABLE, BEDS, NOW = "02", "01", "01"

#: an indicator: its codes in the order of ``capacity_queries.INDICATOR_COLUMNS``
Indicator = tuple[str | None, ...]


# -- the places of a region, now -------------------------------------------------------------

@dataclass(frozen=True)
class PlaceFigures:
    id: str
    available: int | None  # beds available now (every gender); None: no such figure
    figures: int  # figures that age (every visible record but the installed capacity)
    oldest: datetime | None  # the oldest dated one's update date
    undated: int  # how many have no update date
    departement: str | None = None
    position: tuple[float, float] | None = None  # latitude, longitude


def region_places(conn: sa.Connection, caller: Caller, region: str) -> list[PlaceFigures]:
    """The places of the region (by their commune) with capacity records the caller may
    see, ordered by id."""
    in_region = _places_of(region)
    departements = _tokens(conn, "departement", in_region)
    positions = _positions(conn, in_region)
    return [PlaceFigures(
        row.id, None if row.available is None else int(row.available), row.figures,
        _moment(row.oldest), row.undated, departements.get(row.id), positions.get(row.id))
        for row in conn.execute(_summary(caller, in_region))]


def _places_of(region: str) -> sa.Select[Any]:
    t = search_token.alias("in_region")
    return sa.select(t.c.id).where(t.c.type == "Location", t.c.param == "region",
                                   t.c.code == region)


def _summary(caller: Caller, places: sa.Select[Any]) -> sa.Select[Any]:
    c = search_capacity
    now = sa.and_(c.c.status == AVAILABLE, c.c.temporality == NOW, c.c.nature == BEDS)
    ageing = c.c.status != ci.INSTALLED
    return (sa.select(
        c.c.id,
        sa.func.sum(sa.case((now, c.c.nb))).label("available"),
        sa.func.count(sa.case((ageing, 1))).label("figures"),
        sa.func.min(sa.case((ageing, c.c.updated_low))).label("oldest"),
        sa.func.count(sa.case((sa.and_(ageing, c.c.updated_low.is_(None)), 1)))
        .label("undated"))
        .where(c.c.type == "Location", c.c.n == 0, c.c.id.in_(places),
               *figure_policy(caller, c.c.id, c.c.status))
        .group_by(c.c.id).order_by(c.c.id))


def _tokens(conn: sa.Connection, param: str, places: sa.Select[Any]) -> dict[str, str]:
    t = search_token
    return {rid: code for rid, code in conn.execute(sa.select(t.c.id, t.c.code).where(
        t.c.type == "Location", t.c.param == param, t.c.id.in_(places)))}


def _positions(conn: sa.Connection, places: sa.Select[Any]) -> dict[str, tuple[float, float]]:
    g = search_geo
    return {rid: (lat, lon) for rid, lat, lon in conn.execute(sa.select(
        g.c.id, g.c.lat, g.c.lon).where(g.c.type == "Location", g.c.id.in_(places)))}


def _moment(text: str | None) -> datetime | None:
    """An index date (fixed-width UTC text) as the naive UTC the store keeps."""
    return datetime.fromisoformat(text) if text else None


# -- changes over a period -------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """An indicator of a place took ``count`` at ``at`` (None: it went away)."""

    place: str
    indicator: Indicator
    at: datetime
    count: int | None
    seq: int


def changes(conn: sa.Connection, caller: Caller, since: datetime, *, region: str | None = None,
            place: str | None = None, available_only: bool = False) -> list[Change]:
    """The changes of figures the caller may see, in time order: for each (place,
    indicator) its last row before ``since``, then every row from ``since`` on. A row's
    time is the figure's update date (the time of the change when it has none), the date
    ``/api/capacity/history`` filters on."""
    h = capacity_history
    at = sa.func.coalesce(h.c.updated_at, h.c.recorded_at)
    scope = [*_scope(region, place, available_only),
             *figure_policy(caller, h.c.place_id, h.c.status)]
    key = [h.c.place_id, *(h.c[column] for column in INDICATOR_COLUMNS)]
    last_before = sa.select(sa.func.max(h.c.seq)).where(*scope, at < since).group_by(*key)
    columns = [*key, at.label("at"), h.c.nb, h.c.seq]
    stmt = sa.union_all(sa.select(*columns).where(h.c.seq.in_(last_before)),
                        sa.select(*columns).where(*scope, at >= since))
    found = [Change(row[0], tuple(row[1:-3]), _time(row[-3]), row[-2], row[-1])
             for row in conn.execute(stmt)]
    return sorted(found, key=lambda c: (c.at, c.seq))


def _scope(region: str | None, place: str | None,
           available_only: bool) -> list[sa.ColumnElement[bool]]:
    h = capacity_history
    found: list[sa.ColumnElement[bool]] = []
    if region is not None:
        found.append(h.c.region == region)
    if place is not None:
        found.append(h.c.place_id == place)
    if available_only:
        found += [h.c.status == AVAILABLE, h.c.temporality == NOW, h.c.nature == BEDS]
    return found


def _time(value: Any) -> datetime:
    """A timestamp from a union (SQLite hands back its stored text)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


# -- names -----------------------------------------------------------------------------------

def place_names(conn: sa.Connection, ids: list[str]) -> dict[str, str]:
    """Place id -> its name (the id when it has none), from the stored contents."""
    r, found = resource, {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for rid, content in conn.execute(sa.select(r.c.id, r.c.content).where(
                r.c.type == "Location", r.c.id.in_(chunk))):
            found[rid] = str(orjson.loads(content).get("name") or rid)
    return {rid: found.get(rid, rid) for rid in ids}
