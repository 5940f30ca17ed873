"""The database handle: engines, read and write transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from openror.store.dialect import create_engines, dialect_of, normalise_url
from openror.store.point_reads import PointReader


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

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        with self.writer.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.reader.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.points.close()
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()

    def __repr__(self) -> str:
        return f"Database({sa.engine.make_url(self.url).render_as_string(hide_password=True)})"
