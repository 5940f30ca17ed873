"""Hot-path SQL run straight on the DB-API cursor, inside the caller's SQLAlchemy transaction.

Building a SQLAlchemy Core statement costs more than executing a primary-key insert or lookup
(profiled: 60 % of a create). The few statements every write and every read run are therefore
written once as text with ``:name`` parameters, and converted to the driver's style per dialect.
Everything else stays SQLAlchemy Core.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import cache
from operator import itemgetter
from typing import Any

import psycopg
import sqlalchemy as sa

_NAMED = re.compile(r":([a-z_][a-z0-9_]*)")


@cache
def for_dialect(text: str, dialect: str) -> str:
    if dialect == "postgresql":
        return _NAMED.sub(r"%(\1)s", text)
    return text  # sqlite3 understands :name


def db_time(moment: datetime, dialect: str) -> Any:
    """What the driver stores for a timestamp: the same text SQLAlchemy writes on SQLite."""
    if dialect == "sqlite":
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment


def py_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def run(conn: sa.Connection, text: str, params: dict[str, Any]) -> Any:
    """Execute on the DB-API cursor of ``conn`` (same transaction); return the cursor."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(for_dialect(text, conn.dialect.name), params)
    return cursor


@contextlib.contextmanager
def batched(conn: sa.Connection) -> Iterator[None]:
    """On PostgreSQL, send the statements run inside as one batch (psycopg's pipeline mode):
    one network round trip for them all instead of one each, in the same transaction. For
    statements whose results nobody reads before the block ends (deletes, inserts); an error
    is raised, at the latest, when the block ends. Elsewhere, nothing changes."""
    if conn.dialect.name != "postgresql":
        yield
        return
    with conn.connection.dbapi_connection.pipeline():  # type: ignore[union-attr]
        yield


def run_many(conn: sa.Connection, text: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.executemany(for_dialect(text, conn.dialect.name), rows)


#: from this many rows on, PostgreSQL gets them by COPY rather than by an executemany
COPY_FROM = 64


@cache
def _positional_insert(table: str, columns: tuple[str, ...], mark: str) -> str:
    return (f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join([mark] * len(columns))})")


@cache
def values_of(columns: tuple[str, ...]) -> Callable[[dict[str, Any]], Any]:
    """A row's values in the order of ``columns``, picked in C (``operator.itemgetter``)."""
    if len(columns) == 1:
        column = columns[0]
        return lambda row: (row[column],)
    return itemgetter(*columns)


def insert_many(conn: sa.Connection, table: str, columns: tuple[str, ...],
                rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (each holding every one of ``columns``) into ``table``.

    On PostgreSQL, many rows go by COPY: an executemany, even pipelined, spends most of an
    import's client time adapting and sending them one statement each (profiled: 285,000
    derived rows of 8,766 resources). Not in psycopg's pipeline mode (``batched``), where
    COPY is not allowed: there, as on SQLite, an executemany with positional parameters."""
    if rows:
        insert_rows(conn, table, columns, list(map(values_of(columns), rows)))


def insert_rows(conn: sa.Connection, table: str, columns: tuple[str, ...],
                rows: list[tuple[Any, ...]]) -> None:
    """``insert_many`` with each row's values in the order of ``columns``: positional
    parameters (on SQLite, the driver binds a named one by a lookup in the row, ~30 % of the
    cost of inserting a search index row), or a COPY."""
    if not rows:
        return
    dbapi = conn.connection.dbapi_connection
    cursor = dbapi.cursor()  # type: ignore[union-attr]
    if conn.dialect.name == "sqlite":
        cursor.executemany(_positional_insert(table, columns, "?"), rows)
        return
    if len(rows) < COPY_FROM or \
            dbapi.info.pipeline_status != psycopg.pq.PipelineStatus.OFF:  # type: ignore[union-attr]
        cursor.executemany(_positional_insert(table, columns, "%s"), rows)
        return
    types = _column_types(cursor, table, columns)
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


#: (table, columns) -> the type OIDs of the columns, for a binary COPY
_TYPES: dict[tuple[str, tuple[str, ...]], list[int]] = {}
_COLUMN_TYPES = ("SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = "
                 "to_regclass(%s) AND attnum > 0 AND NOT attisdropped")
#: OIDs below this one are PostgreSQL's own types: the same in every database
_FIRST_USER_OID = 16384


def _column_types(cursor: Any, table: str, columns: tuple[str, ...]) -> list[int]:
    """The binary COPY: the JSON bodies travel as bytes rather than as hexadecimal text the
    server then decodes (measured: 67 against 15 µs per resource row of 3.5 kB). Its values
    must be sent in the columns' exact types, read once per process from the catalogue (of
    the table the connection's search path finds)."""
    key = (table, columns)
    if key not in _TYPES:
        found = dict(cursor.execute(_COLUMN_TYPES, (table,)).fetchall())
        types = [int(found[c]) for c in columns]
        if any(oid >= _FIRST_USER_OID for oid in types):
            return types  # a type of this database: not kept for others
        _TYPES[key] = types
    return _TYPES[key]
