"""store.table_jobs, PostgreSQL maintenance after a bulk load: each table's statements in
order on one connection, tables at the same time on others; a failure on one table is
raised after every other table was done. PostgreSQL only."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from openror.store import table_jobs
from openror.store.database import Database


def _postgresql_only(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite has one writer: its index builds and ANALYZE run in turn")


def test_tables_at_the_same_time_each_one_in_order(db: Database) -> None:
    _postgresql_only(db)
    both_started = threading.Barrier(2, timeout=10)  # broken unless two tables run at once
    done: dict[str, list[str]] = {"resource": [], "search_token": []}

    def step(table: str, name: str, meet: bool = False) -> table_jobs.Step:
        def one(conn: sa.Connection) -> None:
            conn.exec_driver_sql(f"SELECT count(*) FROM {table}")
            if meet:
                both_started.wait()
            done[table].append(name)
        return one

    table_jobs.run(db, {table: [step(table, "first", meet=True), step(table, "second")]
                        for table in done}, connections=2)
    assert done == {"resource": ["first", "second"], "search_token": ["first", "second"]}


def test_a_failed_table_does_not_stop_the_others(db: Database) -> None:
    _postgresql_only(db)
    done: list[str] = []

    def fail(conn: sa.Connection) -> None:
        conn.exec_driver_sql("SELECT * FROM no_such_table")

    with pytest.raises(sa.exc.ProgrammingError, match="no_such_table"):
        table_jobs.run(db, {"resource": [fail, lambda conn: done.append("never")],
                            "search_token": [lambda conn: done.append("token")],
                            "change_feed": [lambda conn: done.append("feed")]},
                       connections=1)
    assert sorted(done) == ["feed", "token"]
