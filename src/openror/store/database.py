"""The database handle: engines, read and write transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from openror.store.dialect import (
    WriterQueue,
    create_engines,
    dialect_of,
    normalise_url,
    side_url,
    sqlite_writer,
)
from openror.store.point_reads import PointReader
from openror.store.search_tables import search_snapshot


class Database:
    """One SQLite or PostgreSQL database behind the same interface.

    ``write()`` yields a connection inside a transaction that commits when the block ends and
    rolls back if it raises: a change, its version, its feed entry, its log entry and its derived
    rows are all written, or none is.
    """

    def __init__(self, url: str, *, readers: int = 4, pool_size: int = 8) -> None:
        self.url = normalise_url(url)
        self.dialect = dialect_of(self.url)
        self.writer, self.reader = create_engines(self.url, readers=readers, pool_size=pool_size)
        self.points = PointReader(self.url)
        self._writers = WriterQueue(self.url)
        side = side_url(self.url, "snapshots")
        self._snapshots = sqlite_writer(side) if side else None
        self._snapshots_ready = side is None  # the main database has the table (migrations)

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        # the pool's one writer connection first (this process's threads queue there), then
        # the turn among processes (SQLite), then the transaction
        with self.writer.connect() as conn, self._writers.turn(), conn.begin():
            yield conn

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.reader.connect() as conn:
            yield conn

    @contextmanager
    def snapshots(self) -> Iterator[sa.Connection]:
        """A transaction on the store of search paging snapshots: the database itself on
        PostgreSQL, a file of its own next to a SQLite database (``dialect.side_url``)."""
        if self._snapshots is None:
            with self.write() as conn:
                yield conn
            return
        if not self._snapshots_ready:  # a disposable cache: created on first use
            with self._snapshots.begin() as conn:
                conn.execute(sa.schema.CreateTable(search_snapshot, if_not_exists=True))
                for index in search_snapshot.indexes:
                    conn.execute(sa.schema.CreateIndex(index, if_not_exists=True))
            self._snapshots_ready = True
        with self._snapshots.begin() as conn:
            yield conn

    def dispose(self) -> None:
        self.points.close()
        self._writers.close()
        if self._snapshots is not None:
            self._snapshots.dispose()
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()

    def __repr__(self) -> str:
        return f"Database({sa.engine.make_url(self.url).render_as_string(hide_password=True)})"
