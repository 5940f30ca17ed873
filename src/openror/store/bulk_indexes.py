"""A first import into an empty database without the indexes of the search index tables.

Inserting millions of rows into tables whose indexes are already large costs each row a few
random index insertions; on PostgreSQL, the database's work was most of the national import's
time. Nothing an import does reads those tables for the resources it creates, so a first load
drops their secondary indexes, writes the rows, and builds the indexes at the end in one
sorted pass each (docs/benchmarks.md, *Import: the national dataset into PostgreSQL*).

An import that stops half-way leaves them missing: continuing it (``openror import …
--continue apply``) builds them at its end, and so does ``openror db upgrade``. Searches are
correct but slow meanwhile. A federation catch-up into an empty database does the same
(``deferred``), but builds them even when it stops: the instance serves meanwhile.

The offers' capacity rows (``store.offer_capacity``) are made from the other tables with
joins that need their indexes: a first load leaves them to the end, then makes them whole
before their own indexes are built.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from openror.store import offer_capacity, statistics, table_jobs
from openror.store.database import Database
from openror.store.schema import metadata, resource
from openror.store.search_tables import INDEX_TABLES, search_offer_capacity

#: made from the others (``offer_capacity.rebuild``) once their indexes are there
_DERIVED = search_offer_capacity.name
_TABLES = (*INDEX_TABLES, _DERIVED)

#: the catalogues (SQLAlchemy's reflection skips the expression index of the grid cells)
_PRESENT = {
    "sqlite": sa.text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
                      "(SELECT value FROM json_each(:tables))").bindparams(
        sa.bindparam("tables", type_=sa.JSON)),
    "postgresql": sa.text("SELECT indexname FROM pg_indexes WHERE schemaname = "
                          "current_schema() AND tablename = ANY(:tables)"),
}


def _indexes(tables: tuple[str, ...] = _TABLES) -> list[sa.Index]:
    return [index for name in tables for index in metadata.tables[name].indexes]


def missing(conn: sa.Connection) -> list[str]:
    """Names of the search index tables' indexes that are not in the database."""
    present = {row[0] for row in conn.execute(_PRESENT[conn.dialect.name],
                                              {"tables": list(_TABLES)})}
    return [str(index.name) for index in _indexes() if index.name not in present]


def first_load(conn: sa.Connection) -> bool:
    """Whether an import may write without the indexes: the database holds no resource
    yet, or a first load that stopped half-way left them missing."""
    empty = conn.execute(sa.select(resource.c.id).limit(1)).first() is None
    return empty or bool(missing(conn))


def drop(conn: sa.Connection) -> None:
    for index in _indexes():
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")


def build(conn: sa.Connection) -> list[str]:
    """Create the missing ones; returns their names. On SQLite the sorts of the builds use
    helper threads, one per CPU (measured on 2 CPUs: 7.8 → 6.2 s for the indexes of 93,459
    resources)."""
    absent = set(missing(conn))
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        conn.exec_driver_sql(f"PRAGMA threads={os.cpu_count() or 1}")
    try:
        for index in _indexes(INDEX_TABLES):
            if index.name in absent:
                index.create(conn)
        _derived_steps(absent)(conn)
    finally:
        if sqlite:
            conn.exec_driver_sql("PRAGMA threads=0")
    return sorted(absent)


def build_and_analyse(db: Database) -> list[str]:
    """``build``, then ``statistics.after_bulk_load``; on PostgreSQL both at once, table by
    table over parallel connections (``store.table_jobs``). Returns the indexes built."""
    if db.dialect != "postgresql":
        with db.write() as conn:
            built = build(conn)
        statistics.after_bulk_load(db)
        return built
    with db.read_primary() as conn:
        absent = set(missing(conn))
    builds: dict[str, list[table_jobs.Step]] = {
        name: [index.create for index in metadata.tables[name].indexes if index.name in absent]
        for name in INDEX_TABLES}
    statistics.after_bulk_load(db, first=builds)
    if any(index.name in absent for index in _indexes((_DERIVED,))):
        table_jobs.run(db, {_DERIVED: [_derived_steps(absent),
                                       statistics.vacuum_analyse(_DERIVED)]})
    return sorted(absent)


def _derived_steps(absent: set[str]) -> table_jobs.Step:
    """The offers' capacity rows made whole, then their indexes, when those are missing."""
    def run(conn: sa.Connection) -> None:
        indexes = [index for index in _indexes((_DERIVED,)) if index.name in absent]
        if indexes:
            offer_capacity.rebuild(conn)
            for index in indexes:
                index.create(conn)
    return run


def drop_for_first_load(db: Database) -> bool:
    """Drop the indexes if what comes is a first load (``first_load``); returns whether."""
    with db.write() as conn:
        if not first_load(conn):
            return False
        drop(conn)
    return True


@contextmanager
def deferred(db: Database) -> Iterator[bool]:
    """Around a bulk write that may be a first load: without the indexes if so (yields
    whether), built at its end whatever happens, with fresh statistics."""
    first = drop_for_first_load(db)
    try:
        with offer_capacity.paused(first):
            yield first
    finally:
        if first:
            build_and_analyse(db)
