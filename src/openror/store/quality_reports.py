"""Reading what quality runs stored: rule results with filters and keyset paging, and the
weekly indicator rows summed over the dimensions a report keeps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from openror.store.quality_tables import indicator_snapshot, quality_result, quality_run
from openror.store.rawsql import py_time

#: the dimensions an indicator report may keep (the others are summed over)
DIMENSIONS = ("region", "departement", "field", "category")
MEASURES = ("perimeter", "conformant", "partial", "deviating")


@dataclass(frozen=True)
class ResultFilter:
    rules: tuple[str, ...] = ()
    regions: frozenset[str] = frozenset()  # empty: every region
    departement: str | None = None
    site: str | None = None  # "Organization/<id>"
    deviating: bool | None = None
    after: tuple[str, str] | None = None  # (rule, unit) of the previous page's last row
    limit: int = 100


def _plain(row: sa.RowMapping) -> dict[str, Any]:
    """Keys as plain ``str`` (SQLAlchemy's quoted names are a subclass JSON encoders refuse)."""
    return {str(key): value for key, value in row.items()}


def results(conn: sa.Connection, where: ResultFilter) -> list[dict[str, Any]]:
    qr = quality_result.c
    stmt = sa.select(quality_result).order_by(qr.rule, qr.unit).limit(where.limit)
    if where.rules:
        stmt = stmt.where(qr.rule.in_(where.rules))
    if where.regions:
        stmt = stmt.where(qr.region.in_(sorted(where.regions)))
    if where.departement:
        stmt = stmt.where(qr.departement == where.departement)
    if where.site:
        stmt = stmt.where(qr.site == where.site)
    if where.deviating is not None:
        stmt = stmt.where(qr.deviating.is_(where.deviating))
    if where.after:
        stmt = stmt.where(sa.tuple_(qr.rule, qr.unit) > sa.tuple_(*where.after))
    return [_plain(row) for row in conn.execute(stmt).mappings()]


def weeks(conn: sa.Connection) -> list[date]:
    rows = conn.execute(sa.select(indicator_snapshot.c.week).distinct()
                        .order_by(indicator_snapshot.c.week))
    return [row[0] for row in rows]


def indicators(conn: sa.Connection, week: date, keep: Sequence[str],
               rules: tuple[str, ...] = (), regions: frozenset[str] = frozenset()
               ) -> list[dict[str, Any]]:
    """The week's rows summed per indicator and the kept dimensions."""
    ind = indicator_snapshot.c
    return _sums(conn, [ind.indicator, *(ind[name] for name in keep)], week, rules, regions)


def trend(conn: sa.Connection, rules: tuple[str, ...], regions: frozenset[str]
          ) -> list[dict[str, Any]]:
    """Per week and indicator, the totals (for charts of the quality over time)."""
    ind = indicator_snapshot.c
    return _sums(conn, [ind.week, ind.indicator], None, rules, regions)


def _sums(conn: sa.Connection, groups: list[sa.Column[Any]], week: date | None,
          rules: tuple[str, ...], regions: frozenset[str]) -> list[dict[str, Any]]:
    ind = indicator_snapshot.c
    stmt = (sa.select(*groups, *(sa.func.sum(ind[m]).label(m) for m in MEASURES))
            .group_by(*groups).order_by(*groups))
    if week is not None:
        stmt = stmt.where(ind.week == week)
    if rules:
        stmt = stmt.where(ind.indicator.in_(rules))
    if regions:
        stmt = stmt.where(ind.region.in_(sorted(regions)))
    return [{**_plain(row), **{m: int(row[m]) for m in MEASURES}}
            for row in conn.execute(stmt).mappings()]


def last_run(conn: sa.Connection) -> tuple[datetime, datetime | None] | None:
    """(started, finished or None while it runs) of the latest quality run."""
    row = conn.execute(sa.select(quality_run.c.started_at, quality_run.c.finished_at)
                       .order_by(quality_run.c.started_at.desc()).limit(1)).first()
    return None if row is None else (py_time(row[0]),
                                     None if row[1] is None else py_time(row[1]))


def week_measured_at(conn: sa.Connection, week: date) -> datetime | None:
    """When the run that stored the week's indicator rows stored them (its end), if any."""
    ind, run = indicator_snapshot.c, quality_run.c
    found = conn.execute(sa.select(sa.func.max(run.finished_at))
                         .select_from(indicator_snapshot.join(
                             quality_run, quality_run.c.run_id == ind.run_id))
                         .where(ind.week == week)).scalar()
    return None if found is None else py_time(found)
