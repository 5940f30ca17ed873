"""Every capacity figure over time (table ``capacity_history``), derived from the versions of
the places: one row each time a write changes an indicator's count, source or update date,
and one with no count when the indicator goes away (its record removed, or the place
deleted). Written in the writer's transaction; ``rebuild`` recomputes it from
``resource_version``, so it is derived data like the search index.

A row carries the region and département the place had at that version, so that a period
of a département reads its own rows, however the places moved since.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

from openror.fhir import capacity_indicators as ci
from openror.fhir import profiles as p
from openror.fhir.ext_rules import dicts
from openror.geo.current import current_gazetteer
from openror.store import rawsql, resources  # resources: not "from": schema imports us
from openror.store.schema import metadata, resource_version

Row = dict[str, Any]
#: indicator attribute -> column
COLUMNS = {"capacityType": "nature", "capacityStatus": "status",
           "temporalityCapacity": "temporality", "genderCapacityAvailable": "gender",
           "capacityClosingType": "closing", "additionalBedType": "additional",
           "crisisType": "crisis", "temporaryAssignement": "assignment"}
_CODE = sa.String(8)

capacity_history = sa.Table(
    "capacity_history", metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("place_id", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),  # when the server took it
    sa.Column("updated_at", sa.DateTime, nullable=True),  # capacityUpdateDate, naive UTC
    sa.Column("region", _CODE, nullable=True),
    sa.Column("departement", _CODE, nullable=True),
    *(sa.Column(column, _CODE, nullable=True) for column in COLUMNS.values()),
    sa.Column("nb", sa.Integer, nullable=True),  # NULL: the indicator went away
    sa.Column("source", _CODE, nullable=True),
)
sa.Index("ix_capacity_history_place", capacity_history.c.place_id, capacity_history.c.seq)
sa.Index("ix_capacity_history_departement", capacity_history.c.departement,
         capacity_history.c.recorded_at)
sa.Index("ix_capacity_history_region", capacity_history.c.region,
         capacity_history.c.recorded_at)
#: the dashboard's trend: a region's availability figures by their date
sa.Index("ix_capacity_history_trend", capacity_history.c.region, capacity_history.c.status,
         capacity_history.c.updated_at)

_FIELDS = ("place_id", "version", "recorded_at", "updated_at", "region", "departement",
           *COLUMNS.values(), "nb", "source")


@dataclass(frozen=True)
class Figure:
    """One indicator's value at one version: what a history row says."""

    count: int | None
    source: str | None
    updated: datetime | None


def figures(body: dict[str, Any] | None) -> dict[ci.Key, Figure]:
    """Indicator (nature first) -> its figure, for every capacity record of a place."""
    if body is None:
        return {}
    found = {}
    for _, record in ci.records(body):
        count = record.count if isinstance(record.count, int) else None
        found[record.key] = Figure(count, record.codes.get("capacitySourceType"),
                                   moment(record.updated))
    return found


def moment(text: str | None) -> datetime | None:
    try:
        return resources.naive_utc(text) if text else None
    except ValueError:
        return None


def departement_of(body: dict[str, Any]) -> str | None:
    """The département of a place's commune, as the gazetteer knows it (the search index's
    ``departement``, which alerts sum and the dashboard groups by)."""
    for _, ext in dicts(body.get("extension")):
        if ext.get("url") == p.EXT_COMMUNE_COG:
            codings = (ext.get("valueCodeableConcept") or {}).get("coding") or [{}]
            commune = current_gazetteer().current(str(codings[0].get("code") or ""))
            return commune.departement if commune is not None else None
    return None


def changes(place_id: str, version: int, at: datetime, region: str | None,
            before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Row]:
    """The history rows of one write of a place (``after`` None: deleted)."""
    old, new = figures(before), figures(after)
    located = after if after is not None else before
    where = {"region": region, "departement": departement_of(located) if located else None}
    rows = []
    for key in [*new, *(k for k in old if k not in new)]:
        figure = new.get(key)
        if figure is not None and old.get(key) == figure:
            continue
        row: Row = {"place_id": place_id, "version": version, "recorded_at": at, **where,
                    **dict(zip(COLUMNS.values(), key, strict=True)),
                    "nb": figure.count if figure else None,
                    "source": figure.source if figure else None,
                    "updated_at": figure.updated if figure else at}
        rows.append(row)
    return rows


def has_capacity(content: bytes | None) -> bool:
    """Whether a stored body may hold capacity records (a byte test: no parsing)."""
    return content is not None and ci.URL.encode() in content


def record(conn: sa.Connection, rows: Iterable[Row]) -> None:
    """Insert history rows (by COPY on PostgreSQL when there are many: a batch's places)."""
    dialect = conn.dialect.name
    rawsql.insert_many(conn, "capacity_history", _FIELDS, [
        {**row, "recorded_at": rawsql.db_time(row["recorded_at"], dialect),
         "updated_at": row["updated_at"] and rawsql.db_time(row["updated_at"], dialect)}
        for row in rows])


def record_write(conn: sa.Connection, place_id: str, version: int, at: datetime,
                 region: str | None, previous: bytes | None,
                 body: dict[str, Any] | None,
                 previous_body: dict[str, Any] | None = None) -> None:
    """The history rows of one write of a place, from its previous stored bytes (and those
    bytes parsed, when the caller has parsed them already)."""
    record(conn, write_rows(place_id, version, at, region, previous, body, previous_body))


def write_rows(place_id: str, version: int, at: datetime, region: str | None,
               previous: bytes | None, body: dict[str, Any] | None,
               previous_body: dict[str, Any] | None = None) -> list[Row]:
    """What ``record_write`` records, for a caller that records a batch's rows at once."""
    if not has_capacity(previous) and not (body and ci.has_records(body)):
        return []
    before = previous_body or (orjson.loads(previous) if previous else None)
    return changes(place_id, version, at, region, before, body)


def rebuild(conn: sa.Connection) -> int:
    """Recompute the whole history from the stored versions of the places; return its rows."""
    conn.execute(capacity_history.delete())
    v = resource_version
    stmt = sa.select(v.c.id, v.c.version, v.c.last_updated, v.c.content).where(
        v.c.type == "Location").order_by(v.c.id, v.c.version)
    count = 0
    for batch in _batches(_replayed(conn.execute(stmt)), 1000):
        record(conn, batch)
        count += len(batch)
    return count


def place_history(conn: sa.Connection, where: list[sa.ColumnElement[bool]]) -> Iterator[Row]:
    """The rows ``rebuild`` makes for the places whose versions match ``where`` (conditions
    on ``resource_version``), read a few versions at a time."""
    v = resource_version
    stmt = sa.select(v.c.id, v.c.version, v.c.last_updated, v.c.content).where(
        v.c.type == "Location", *where).order_by(v.c.id, v.c.version)
    return _replayed(conn.execute(stmt.execution_options(yield_per=200)))


def rebuild_places(conn: sa.Connection, place_ids: list[str]) -> int:
    """Recompute the history of some places (``openror check --repair``); return its rows."""
    conn.execute(capacity_history.delete().where(capacity_history.c.place_id.in_(place_ids)))
    rows = list(place_history(conn, [resource_version.c.id.in_(place_ids)]))
    record(conn, rows)
    return len(rows)


def _replayed(versions: Iterable[Any]) -> Iterator[Row]:
    previous_id, previous = None, None
    for rid, version, at, content in versions:
        if rid != previous_id:
            previous_id, previous = rid, None
        body = orjson.loads(content) if content is not None else None
        tagged = body if body is not None else previous
        region = p.region_of(tagged) if tagged is not None else None
        yield from changes(rid, version, at, region, previous, body)
        previous = body


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
