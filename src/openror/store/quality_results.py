"""Storing what a quality run found: its rule results (replaced whole, in one transaction)
and the week's indicator rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from openror.store import rawsql, schedules
from openror.store.quality_tables import indicator_snapshot, quality_result, quality_run

_INSERT = ("INSERT INTO quality_result (rule, unit, deviating, region, departement, field, "
           "category, site, detail, run_id) VALUES (:rule, :unit, :deviating, :region, "
           ":departement, :field, :category, :site, :detail, :run_id)")
_CHUNK = 5000
_SCHEDULE_KEY = "quality.scheduled_run"


def claim_schedule(conn: sa.Connection, now: datetime, every_s: int) -> bool:
    """Whether the scheduled run is due and this process takes it (``schedules.claim``)."""
    return schedules.claim(conn, _SCHEDULE_KEY, now, every_s)


def start(conn: sa.Connection, run_id: str, trigger: str, at: datetime) -> None:
    conn.execute(quality_run.insert().values(run_id=run_id, trigger=trigger, started_at=at))


def finish(conn: sa.Connection, run_id: str, at: datetime, summary: str) -> None:
    conn.execute(quality_run.update().where(quality_run.c.run_id == run_id)
                 .values(finished_at=at, summary=summary))


def replace_results(conn: sa.Connection, rows: Iterable[dict[str, Any]]) -> int:
    """Put this run's results in place of the last run's; return how many."""
    conn.execute(quality_result.delete())
    count, chunk = 0, []
    for row in rows:
        chunk.append(row)
        if len(chunk) == _CHUNK:
            rawsql.run_many(conn, _INSERT, chunk)
            count, chunk = count + len(chunk), []
    rawsql.run_many(conn, _INSERT, chunk)
    return count + len(chunk)


def replace_week(conn: sa.Connection, week: date, rows: list[dict[str, Any]]) -> None:
    """The week's indicator rows: the last run of a week stands for it."""
    conn.execute(indicator_snapshot.delete().where(indicator_snapshot.c.week == week))
    if rows:
        conn.execute(indicator_snapshot.insert(), [{"week": week, **row} for row in rows])
