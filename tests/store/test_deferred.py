"""Checks deferred to the commit (store.deferred), on both back-ends: they run before the
commit and a failing one rolls the transaction back; a transaction that is rolled back
forgets its checks (the pooled connection's next transaction does not run them)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from openror.store import deferred
from openror.store.database import Database


def _refuse(conn: sa.Connection) -> None:
    raise ValueError("refused at commit")


def _count(db: Database) -> int:
    with db.read() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM counter").scalar_one())


def _insert(conn: sa.Connection, name: str) -> None:
    conn.exec_driver_sql(f"INSERT INTO counter (name, value) VALUES ('{name}', 1)")


def test_a_failing_check_rolls_back_and_a_rolled_back_one_is_forgotten(db: Database) -> None:
    before = _count(db)
    with pytest.raises(ValueError, match="refused at commit"), db.write() as conn:
        _insert(conn, "deferred-a")
        deferred.defer(conn, "a", _refuse)
    assert _count(db) == before
    with pytest.raises(RuntimeError), db.write() as conn:
        deferred.defer(conn, "b", _refuse)
        raise RuntimeError("rolled back by its writer")
    with db.write() as conn:  # the same pooled connection: nothing left to run
        assert deferred.pending(conn) == []
        _insert(conn, "deferred-c")
    assert _count(db) == before + 1
