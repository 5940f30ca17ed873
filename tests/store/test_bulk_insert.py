"""rawsql.insert_many, the bulk writer's insert (positional parameters on SQLite, a binary
COPY on PostgreSQL from 64 rows on): what is read back is what was written, for every kind of
value the bulk writer stores. Both databases."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from openror.store import rawsql
from openror.store.database import Database

COLUMNS = ("type", "id", "version", "last_updated", "deleted", "region", "content")


def _rows(count: int, dialect: str) -> list[dict[str, object]]:
    return [{"type": "Location", "id": f"bulk-{n}", "version": n + 1,
             "last_updated": rawsql.db_time(datetime(2026, 11, 27, 7, 30, n % 60, n), dialect),
             "deleted": n % 2 == 1, "region": None if n % 3 else "84",
             # bytes a text COPY would have to escape: backslashes, tabs, NUL, not UTF-8
             "content": b'{"name": "caf\xc3\xa9 \\\\ \t"}' + bytes([0, 255, n % 256]) * n}
            for n in range(count)]


def _read(db: Database) -> list[tuple[object, ...]]:
    with db.read() as conn:
        return [(rtype, rid, version, rawsql.py_time(at), bool(deleted), region, bytes(content))
                for rtype, rid, version, at, deleted, region, content in conn.execute(sa.text(
                    "SELECT type, id, version, last_updated, deleted, region, content "
                    "FROM resource WHERE id LIKE 'bulk-%' ORDER BY version"))]


def test_many_rows_read_back_as_written(db: Database) -> None:
    rows = _rows(rawsql.COPY_FROM * 3, db.dialect)
    with db.write() as conn:
        rawsql.insert_many(conn, "resource", COLUMNS, rows)
    assert _read(db) == [(r["type"], r["id"], r["version"], rawsql.py_time(r["last_updated"]),
                          r["deleted"], r["region"], r["content"]) for r in rows]


def test_a_few_rows_and_then_many_in_one_transaction(db: Database) -> None:
    rows = _rows(rawsql.COPY_FROM + 10, db.dialect)
    with db.write() as conn:
        rawsql.insert_many(conn, "resource", COLUMNS, rows[:10])  # an executemany
        rawsql.insert_many(conn, "resource", COLUMNS, rows[10:])  # a COPY on PostgreSQL
    assert [r[1] for r in _read(db)] == [r["id"] for r in rows]
