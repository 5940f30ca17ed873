"""Reads by primary key on a raw DB-API connection kept per thread.

A read by id is one index lookup; the pool checkout, BEGIN and ROLLBACK around it cost several
times more than the lookup itself. One autocommit connection per thread (SQLite: read-only;
PostgreSQL: prepared statements) makes the read a single round trip. A single SELECT sees one
consistent snapshot on both back-ends, so no transaction is needed.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from typing import Any

import psycopg
import sqlalchemy as sa

from openror.store.dialect import SQLITE_BUSY_TIMEOUT_MS
from openror.store.rawsql import for_dialect
from openror.store.resources import StoredResource, stored_from_row

#: page cache of each thread's SQLite connection, in KiB (SQLite's default: 2,000). A server
#: worker keeps one per request thread (dozens), and each filled its cache with the pages its
#: reads touched: about 2 MB more per connection as a load went on (measured: 40 connections
#: reading 3,000 offers each, 14 → 101 MB; at 512 KiB, 14 → 41 MB). A read by id descends
#: one index and reads one row, for which the upper pages suffice; the rest comes from the
#: operating system's cache. (The pool's connections, which search, keep SQLite's default:
#: at 512 KiB an activity's offers with their full offer graph took 142–149 ms rather than
#: 101, HTTP p50 on the national dataset.)
SQLITE_CACHE_KIB = 512

_CURRENT = (
    "SELECT version, last_updated, deleted, content FROM resource WHERE type = :t AND id = :i"
)
_VERSION = (
    "SELECT version, last_updated, deleted, content FROM resource_version "
    "WHERE type = :t AND id = :i AND version = :v"
)


class PointReader:
    def __init__(self, url: str) -> None:
        parsed = sa.engine.make_url(url)
        self.dialect = parsed.get_backend_name()
        self._sqlite_path = parsed.database or ""
        self._pg_conninfo = parsed.set(drivername="postgresql").render_as_string(
            hide_password=False)
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()
        self._async_pool: AsyncConnections | None = None
        self._closed = False
        self._current = for_dialect(_CURRENT, self.dialect)
        self._version = for_dialect(_VERSION, self.dialect)

    def _connection(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def _open(self) -> Any:
        if self.dialect == "sqlite":
            conn = sqlite3.connect(self._sqlite_path, isolation_level=None,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA query_only=ON")
            conn.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            return conn
        return psycopg.connect(self._pg_conninfo, autocommit=True, prepare_threshold=0)

    def _one(self, sql: str, params: dict[str, Any]) -> Any:
        if self._closed:  # a late read (a server stopping): a connection for it alone
            return self._once(sql, params)
        conn = self._connection()
        try:
            row = self._fetch(conn, sql, params)
        except (sqlite3.Error, psycopg.Error):
            self._forget(conn)  # a broken connection is replaced on the next read
            raise
        if self._closed:  # closed while this read ran: nobody else will close it
            self._forget(conn)
        return row

    def _fetch(self, conn: Any, sql: str, params: dict[str, Any]) -> Any:
        if self.dialect == "postgresql":
            return conn.cursor(binary=True).execute(sql, params).fetchone()
        return conn.execute(sql, params).fetchone()

    def _once(self, sql: str, params: dict[str, Any]) -> Any:
        conn = self._open()
        try:
            return self._fetch(conn, sql, params)
        finally:
            conn.close()

    def current(self, rtype: str, rid: str) -> StoredResource | None:
        row = self._one(self._current, {"t": rtype, "i": rid})
        return None if row is None else stored_from_row(rtype, rid, row)

    def version(self, rtype: str, rid: str, version: int) -> StoredResource | None:
        row = self._one(self._version, {"t": rtype, "i": rid, "v": version})
        return None if row is None else stored_from_row(rtype, rid, row)

    def row(self, sql: str, params: dict[str, Any]) -> Any:
        """Any other single-row lookup by key (``sql`` with ``:name`` parameters)."""
        return self._one(for_dialect(sql, self.dialect), params)

    # -- from the event loop ------------------------------------------------------------
    # SQLite answers a primary-key lookup in microseconds: it runs inline on the loop thread,
    # cheaper than any hand-off. A PostgreSQL round trip takes ~0.2 ms of waiting, during which
    # the loop serves other requests: those reads use asyncio connections.

    async def open_async(self, size: int) -> None:
        if self.dialect == "postgresql" and self._async_pool is None:
            self._async_pool = AsyncConnections(self._pg_conninfo, size)

    async def close_async(self) -> None:
        if self._async_pool is not None:
            await self._async_pool.close()
            self._async_pool = None

    async def _aone(self, sql: str, params: dict[str, Any]) -> Any:
        if self._async_pool is None:
            return self._one(sql, params)
        return await self._async_pool.fetchone(sql, params)

    async def acurrent(self, rtype: str, rid: str) -> StoredResource | None:
        row = await self._aone(self._current, {"t": rtype, "i": rid})
        return None if row is None else stored_from_row(rtype, rid, row)

    async def aversion(self, rtype: str, rid: str, version: int) -> StoredResource | None:
        row = await self._aone(self._version, {"t": rtype, "i": rid, "v": version})
        return None if row is None else stored_from_row(rtype, rid, row)

    async def arow(self, sql: str, params: dict[str, Any]) -> Any:
        return await self._aone(for_dialect(sql, self.dialect), params)

    def _forget(self, conn: Any) -> None:
        if getattr(self._local, "conn", None) is conn:
            self._local.conn = None
        with self._lock:
            if conn in self._all:
                self._all.remove(conn)
        conn.close()

    def close(self) -> None:
        """Close every kept connection; a read after this one uses a connection of its own
        (a thread still serving a request kept none that would be left open)."""
        self._closed = True
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


class AsyncConnections:
    """A fixed set of autocommit asyncio connections handed out through a queue.

    psycopg_pool's AsyncConnectionPool costs ~40 % more per read than this queue (measured:
    5,400 vs 7,600 point reads/s in one process), and point reads need none of its features:
    connections are opened lazily, and one that fails is replaced.
    """

    def __init__(self, conninfo: str, size: int) -> None:
        self._conninfo = conninfo
        self._idle: asyncio.Queue[psycopg.AsyncConnection[Any] | None] = asyncio.Queue()
        for _ in range(size):
            self._idle.put_nowait(None)  # a slot; the connection opens on first use
        self._open: list[psycopg.AsyncConnection[Any]] = []

    async def fetchone(self, sql: str, params: dict[str, Any]) -> Any:
        conn = await self._idle.get()
        try:
            if conn is None:
                conn = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, prepare_threshold=0)
                self._open.append(conn)
            # Binary results: bytea arrives as bytes, not as hex text to decode.
            cursor = await conn.cursor(binary=True).execute(sql, params)
            row = await cursor.fetchone()
        except BaseException:  # an error, or the request cancelled mid-read (a client gone)
            # the connection's state is unknown: close it and free its slot, or the slot is
            # lost and the half-used connection is left to the garbage collector
            if conn is not None:
                if conn in self._open:
                    self._open.remove(conn)
                await asyncio.shield(conn.close())
            self._idle.put_nowait(None)
            raise
        self._idle.put_nowait(conn)
        return row

    async def close(self) -> None:
        for conn in self._open:
            await conn.close()
        self._open.clear()
