"""The database handle: engines, read and write transactions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa

from openror.store import deadline, deferred, write_positions
from openror.store.dialect import (
    WriterQueue,
    allow_generic_plans,
    create_engines,
    dialect_of,
    normalise_url,
    side_url,
    sqlite_writer,
)
from openror.store.point_reads import PointReader
from openror.store.replicas import Replicas, check_urls
from openror.store.routed_points import RoutedPoints
from openror.store.search_tables import search_snapshot


class Database:
    """One SQLite or PostgreSQL database behind the same interface.

    ``write()`` yields a connection inside a transaction that commits when the block ends and
    rolls back if it raises: a change, its version, its feed entry, its log entry and its derived
    rows are all written, or none is. The checks deferred to the commit (``store.deferred``)
    run just before it.

    With ``replicas`` (PostgreSQL streaming replicas, ``store.replicas``), ``read()`` and the
    point reads of a request under a read context (``store.read_context``) may be served by a
    replica that has replayed what the request must see; ``read_primary()`` never is.
    """

    def __init__(self, url: str, *, readers: int = 4, pool_size: int = 8,
                 replicas: Sequence[str] = ()) -> None:
        check_urls(url, replicas)
        self.url = normalise_url(url)
        self.dialect = dialect_of(self.url)
        self.writer, self.reader = create_engines(self.url, readers=readers, pool_size=pool_size)
        primary = PointReader(self.url)
        self.replicas = Replicas(replicas, pool_size, primary, self.url) if replicas else None
        self.points = RoutedPoints(primary, self.replicas)
        self._writers = WriterQueue(self.url)
        side = side_url(self.url, "snapshots")
        self._snapshots = sqlite_writer(side) if side else None
        self._snapshots_ready = side is None  # the main database has the table (migrations)

    @contextmanager
    def write(self, *, fixed_shape: bool = False) -> Iterator[sa.Connection]:
        """``fixed_shape``: the transaction's statements are the same text every time, with
        no list of ids (the capacity feed's): on PostgreSQL they may then run on generic
        plans (dialect.allow_generic_plans)."""
        with self._transaction(noted=True) as conn:
            if fixed_shape:
                allow_generic_plans(conn)
            yield conn

    @contextmanager
    def _transaction(self, noted: bool) -> Iterator[sa.Connection]:
        # the pool's one writer connection first (this process's threads queue there), then
        # the turn among processes (SQLite), then the transaction
        with self.writer.connect() as conn:
            with self._writers.turn(), conn.begin():
                yield conn
                deferred.settle(conn)  # what must hold at commit (store.deferred)
            if noted and self.replicas is not None:  # what the caller's later reads must see
                self.replicas.after_write(conn)

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A connection for reading: to a replica that may serve the request under way, or
        to the primary. A replica that cannot be reached is left aside for the primary.
        Inside a request, its statements stop at the request's deadline (``store.deadline``)."""
        replica = self.replicas.choose() if self.replicas is not None else None
        on_replica = replica.connect() if replica is not None else None
        if replica is None or on_replica is None:
            with self.reader.connect() as conn, deadline.bounded(conn):
                yield conn
                _end_read(conn)
            return
        with on_replica, deadline.bounded(on_replica):
            try:
                yield on_replica
                _end_read(on_replica)
            except sa.exc.DBAPIError as exc:
                if exc.connection_invalidated:  # the replica went away under this read
                    replica.failed(exc.orig or exc)
                raise

    @contextmanager
    def read_primary(self, *, autocommit: bool = False, fixed_shape: bool = False
                     ) -> Iterator[sa.Connection]:
        """A connection to the primary, for a read that must see every committed write:
        one a write is based on (read, change, write back), or one of credentials and
        sessions (a revoked one must stop at once).

        ``autocommit``: each statement on its own, for a read whose statements need no
        common snapshot. On PostgreSQL, whose READ COMMITTED statements take a snapshot each
        anyway, that spares the BEGIN and COMMIT round trips; SQLite reads in a transaction
        as before (its snapshot is the transaction's).

        ``fixed_shape``: as for ``write``; on PostgreSQL in a transaction (``SET LOCAL``),
        whose round trips cost less than planning each statement again."""
        with self.reader.connect() as conn:
            if fixed_shape:
                allow_generic_plans(conn)
            elif autocommit and self.dialect == "postgresql":
                conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn
            _end_read(conn)

    def wal_position(self) -> int | None:
        """With replicas: the primary's WAL position now (everything committed so far is
        before it); None without (SQLite, or no replicas)."""
        if self.replicas is None:
            return None
        return write_positions.position(self.points.primary)

    @contextmanager
    def snapshots(self) -> Iterator[sa.Connection]:
        """A transaction on the store of search paging snapshots: the database itself on
        PostgreSQL, a file of its own next to a SQLite database (``dialect.side_url``)."""
        if self._snapshots is None:  # no caller's write: nobody's read must wait for it
            with self._transaction(noted=False) as conn:
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
        if self.replicas is not None:
            self.replicas.close()
        self.points.close()
        self._writers.close()
        if self._snapshots is not None:
            self._snapshots.dispose()
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()

    def __repr__(self) -> str:
        return f"Database({sa.engine.make_url(self.url).render_as_string(hide_password=True)})"


def _end_read(conn: sa.Connection) -> None:
    """End a read that went well by committing its transaction rather than letting the
    connection roll it back: a rollback makes psycopg forget the statements it prepared on
    the connection (``DEALLOCATE ALL``), so on PostgreSQL every read transaction started
    again from unprepared statements. A read that raised is rolled back as before.
    Statements run on the DB-API connection itself (``rawsql``) begin a transaction that
    SQLAlchemy does not see: that one is committed on the DB-API connection."""
    if conn.in_transaction():
        conn.commit()
    else:
        conn.connection.dbapi_connection.commit()  # type: ignore[union-attr]
