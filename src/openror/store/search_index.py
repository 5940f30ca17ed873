"""Write and clear the search index rows of resources, in the writer's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import sqlalchemy as sa

from openror.store import rawsql
from openror.store.schema import metadata
from openror.store.search_rows import Rows
from openror.store.search_tables import INDEX_TABLES

#: table -> rows, each a tuple in the order of ``columns(table)``
TupleRows = dict[str, list[tuple[Any, ...]]]


@cache
def columns(table: str) -> tuple[str, ...]:
    return tuple(c.name for c in metadata.tables[table].columns)


def insert(conn: sa.Connection, rows: Iterable[Rows]) -> None:
    """Insert the rows of one or many resources, one executemany per table."""
    merged: dict[str, list[dict[str, object]]] = {}
    for resource_rows in rows:
        for table, table_rows in resource_rows.items():
            merged.setdefault(table, []).extend(table_rows)
    for table, table_rows in merged.items():
        rawsql.insert_many(conn, table, columns(table), table_rows)


def insert_tuples(conn: sa.Connection, rows: TupleRows) -> None:
    """Insert rows given as tuples (``derive_process``), one statement per table."""
    for table, table_rows in rows.items():
        rawsql.insert_rows(conn, table, columns(table), table_rows)


def clear(conn: sa.Connection, rtype: str, rid: str) -> None:
    clear_many(conn, [{"type": rtype, "id": rid}])


def clear_many(conn: sa.Connection, owners: list[dict[str, str]],
               tables: Iterable[str] = INDEX_TABLES) -> None:
    """Remove the rows of resources given as ``{"type": …, "id": …}``."""
    for table in tables:
        rawsql.run_many(conn, f"DELETE FROM {table} WHERE type = :type AND id = :id", owners)


def clear_keys(conn: sa.Connection, table: str, rtype: str, rid: str,
               keys: list[dict[str, Any]]) -> None:
    """Remove the rows of one resource with these ``{"param": …, "grp": …}`` (a param of
    None: rows without one, ``search_capacity``'s)."""
    with_param = [{"type": rtype, "id": rid, **k} for k in keys if k["param"] is not None]
    rawsql.run_many(conn, f"DELETE FROM {table} WHERE type = :type AND id = :id "
                    "AND param = :param AND grp = :grp", with_param)
    without = [{"type": rtype, "id": rid, "grp": k["grp"]} for k in keys if k["param"] is None]
    rawsql.run_many(conn, f"DELETE FROM {table} WHERE type = :type AND id = :id "
                    "AND grp = :grp", without)


def clear_all(conn: sa.Connection, tables: tuple[str, ...] = INDEX_TABLES,
              rtype: str | None = None) -> None:
    """Empty the tables, or remove the rows of the resources of ``rtype`` from them."""
    for table in tables:
        if rtype is None:
            conn.execute(sa.text(f"DELETE FROM {table}"))
        else:
            conn.execute(sa.text(f"DELETE FROM {table} WHERE type = :t"), {"t": rtype})
