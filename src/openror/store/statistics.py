"""Planner statistics. Without them SQLite picks poor plans for the search joins (measured: a
correlated capacity search took 2 s instead of 30 ms on the demo data), and PostgreSQL's
autovacuum may not have caught up after a bulk import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa

from openror.store import schedules, table_jobs
from openror.store.database import Database
from openror.store.resources import utcnow

#: rows SQLite samples per index: approximate statistics in a fraction of a second
SQLITE_ANALYSIS_LIMIT = 1000
_REFRESH_KEY = "statistics.refreshed"


def refresh(conn: sa.Connection, *tables: str) -> None:
    """Recompute the statistics the query planner uses (inside the caller's transaction):
    of ``tables`` only, or of the whole database."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
    for statement in [f"ANALYZE {table}" for table in tables] or ["ANALYZE"]:
        conn.exec_driver_sql(statement)


def refresh_database(db: Database, *tables: str) -> None:
    """``refresh`` in a transaction of its own. Its ``tables`` are, for instance, those an
    import has just filled and will page through: on PostgreSQL, the staged records of a
    national import (2.5 million rows, never analysed while they came in) were taken for
    1,866 rows, and each page of 2,000 of them sorted all 2.4 million on disk (14 s a page;
    an index scan takes milliseconds)."""
    with db.write() as conn:
        refresh(conn, *tables)


def refresh_if_due(db: Database, every_s: int) -> bool:
    """Refresh the statistics unless another process did less than ``every_s`` seconds ago:
    one refresh per interval for all the workers of all the servers on the database (each
    ANALYZE reads samples of every table, and on PostgreSQL cancels a running autovacuum of
    the table it reaches)."""
    with db.write() as conn:
        if not schedules.claim(conn, _REFRESH_KEY, utcnow(), every_s):
            return False
        refresh(conn)
    return True


def after_bulk_load(db: Database, *,
                    first: Mapping[str, Sequence[table_jobs.Step]] | None = None) -> None:
    """After an import: statistics, and on PostgreSQL a vacuum too, which marks the new rows
    visible to all in the visibility map, so that searches read the search indexes alone
    (measured after a 254,000-resource import: 20 million heap fetches for one search).
    On PostgreSQL, table by table in parallel (``table_jobs``), each table's ``first``
    statements before its vacuum (``bulk_indexes.build_and_analyse``: its index builds)."""
    if db.dialect != "postgresql":
        refresh_database(db)
        return
    first = first or {}
    table_jobs.run(db, {name: [*first.get(name, ()), vacuum_analyse(name)]
                        for name in {*table_jobs.tables(db), *first}})


def vacuum_analyse(table: str) -> table_jobs.Step:
    return lambda conn: conn.exec_driver_sql(f'VACUUM (ANALYZE) "{table}"')
