"""dialect.among, ``column IN values`` in one parameter (an array on PostgreSQL, JSON on
SQLite): it selects exactly the rows ``in_`` selects, whatever the values hold. Both
databases."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from openror.store import rawsql
from openror.store.database import Database
from openror.store.dialect import among
from openror.store.schema import resource

IDS = ["plain", "with 'quote'", 'with "double", comma', "accentué-é", "back\\slash", "[1]"]


def _stored(db: Database) -> None:
    rows = [{"type": "Location", "id": rid, "version": 1, "last_updated":
             rawsql.db_time(datetime(2026, 11, 27), db.dialect),
             "deleted": False, "region": None, "content": b"{}"} for rid in [*IDS, "other"]]
    with db.write() as conn:
        rawsql.insert_many(conn, "resource", tuple(rows[0]), rows)


def _chosen(db: Database, wanted: list[str]) -> list[str]:
    with db.read() as conn:
        return sorted(rid for (rid,) in conn.execute(sa.select(resource.c.id).where(
            resource.c.type == "Location", among(conn, resource.c.id, wanted))))


def test_the_same_rows_as_in(db: Database) -> None:
    _stored(db)
    wanted = [*IDS, "absent"]
    with db.read() as conn:
        by_in = sorted(rid for (rid,) in conn.execute(sa.select(resource.c.id).where(
            resource.c.type == "Location", resource.c.id.in_(wanted))))
    assert _chosen(db, wanted) == by_in == sorted(IDS)


def test_no_values_select_nothing(db: Database) -> None:
    _stored(db)
    assert _chosen(db, []) == []
    assert _chosen(db, ["other"]) == ["other"]
