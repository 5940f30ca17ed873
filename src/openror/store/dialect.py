"""Everything that differs between SQLite and PostgreSQL lives here, and nowhere else.

SQLite: WAL journal, one writer connection per process (``BEGIN IMMEDIATE`` so that a second
process waits instead of failing half-way), a pool of reader connections.
PostgreSQL: psycopg 3 with a connection pool; writers lock the rows they change.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine

from openror.store import deadline

SQLITE_BUSY_TIMEOUT_MS = 30_000


def dialect_of(url: str) -> str:
    name = sa.engine.make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise ValueError(f"unsupported database '{name}': use sqlite:/// or postgresql://")
    return name


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use psycopg 3 for them."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_setup(engine: Engine, *, writer: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take over transaction control from the sqlite3 module.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        # NORMAL is crash-safe in WAL mode (a killed process loses no committed transaction).
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        if not writer:
            cur.execute("PRAGMA query_only=ON")
        cur.close()

    begin = "BEGIN IMMEDIATE" if writer else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql(begin)


def create_engines(url: str, *, readers: int, pool_size: int) -> tuple[Engine, Engine]:
    """Return (writer, reader) engines; on PostgreSQL both are the same pooled engine."""
    url = normalise_url(url)
    if dialect_of(url) == "sqlite":
        reader = sa.create_engine(
            url, connect_args={"check_same_thread": False}, poolclass=sa.pool.QueuePool,
            pool_size=readers, max_overflow=readers,
        )
        _sqlite_setup(reader, writer=False)
        return sqlite_writer(url), reader
    # no JIT compilation: the searches are short statements whose cost estimates, on a
    # national directory, pass the JIT threshold; compiling them took longer than running
    # them (measured: an orientation candidate search, 39 → 17 ms planning, 317 → 190 ms).
    # No generic plans: psycopg prepares a statement run 5 times, and PostgreSQL may then plan
    # it once for any parameters; for ``id IN (:1, …, :1000)`` that plan tests each row
    # against the list one element after the other instead of hashing it (measured: a
    # federation page's ownership read, 17 ms with its parameters, 630 ms generic)
    engine = sa.create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
                              connect_args={"options": "-c jit=off "
                                            "-c plan_cache_mode=force_custom_plan"})
    sa.event.listen(engine, "begin", deadline.on_begin)
    return engine, engine


def allow_generic_plans(conn: sa.Connection) -> None:
    """PostgreSQL: let the rest of this transaction's prepared statements run on generic
    plans (the engines' connections force custom plans, for the lists of ids; see above).
    A statement of fixed shape, prepared by psycopg after its fifth run, is then planned once
    per connection instead of at every run: about 12 % more capacity updates per second,
    in-process (docs/benchmarks.md, capacity feed notes)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = auto")


def side_url(url: str, name: str) -> str | None:
    """A SQLite file next to the database's, for data that is not part of it (the paging
    snapshots): its own writer lock, so that a search never waits for the data's writers.
    None on PostgreSQL, and for an in-memory SQLite database."""
    parsed = sa.engine.make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = parsed.database
    stem, dot, suffix = path.rpartition(".")
    side = f"{stem}-{name}.{suffix}" if dot and "/" not in suffix else f"{path}-{name}"
    return parsed.set(database=side).render_as_string(hide_password=False)


def sqlite_writer(url: str) -> Engine:
    """One writer connection per process (``BEGIN IMMEDIATE``)."""
    engine = sa.create_engine(url, connect_args={"check_same_thread": False},
                              poolclass=sa.pool.QueuePool, pool_size=1, max_overflow=0,
                              pool_timeout=60)
    _sqlite_setup(engine, writer=True)
    return engine


def lock_clause(dialect: str) -> bool:
    """Whether SELECT ... FOR UPDATE is meaningful (SQLite already holds the write lock)."""
    return dialect == "postgresql"


class WriterQueue:
    """SQLite: the processes that write one database take turns in the order they asked.

    Without it, a process that finds the database locked polls for it in SQLite's busy
    handler, sleeping up to 100 ms between tries: with two server workers writing, the
    loser of each race waited for nothing while the winner took the lock again (p95 of the
    capacity feed 1.1 s, bench/capacity_feed.py). An exclusive ``flock`` on a file next to
    the database queues the processes in the kernel, which wakes the next one at release.
    Each process has one writer connection, so one thread per process holds it at a time.
    """

    def __init__(self, url: str) -> None:
        parsed = sa.engine.make_url(url)
        path = parsed.database or ""
        self._fd: int | None = None
        if parsed.get_backend_name() == "sqlite" and path and path != ":memory:":
            try:
                import fcntl  # noqa: F401 (POSIX only: elsewhere, the busy handler alone)
            except ImportError:
                return
            self._path = f"{path}-writers.lock"

    @contextmanager
    def turn(self) -> Iterator[None]:
        if not hasattr(self, "_path"):
            yield
            return
        import fcntl

        if self._fd is None:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def any_of(column: sa.ColumnElement[Any], values: Collection[str]) -> sa.ColumnElement[bool]:
    """PostgreSQL: ``column = ANY(:values)``, the values in one array parameter."""
    return among_parameter("postgresql", column, values)


def among(conn: sa.Connection, column: sa.ColumnElement[Any], values: Collection[str]
          ) -> sa.ColumnElement[bool]:
    """``column IN values`` with the values in one parameter: an array on PostgreSQL
    (``= ANY``), a JSON array on SQLite (``json_each``). ``in_`` binds one parameter per
    value, which SQLAlchemy renders and the driver parses again at every execution: for the
    1,000 ids of a bulk batch read by primary key, measured 15.2 → 7.4 ms on PostgreSQL,
    3.1 → 1.5 ms on SQLite."""
    return among_parameter(conn.dialect.name, column, values)


def among_parameter(dialect: str, column: sa.ColumnElement[Any],
                    values: Collection[str] | None = None, key: str | None = None
                    ) -> sa.ColumnElement[bool]:
    """``among``, for ``dialect``: the values bound now, or (``values`` None) given at each
    run to a statement compiled once, as its parameter ``key`` (``ids_value``)."""
    value = None if values is None else ids_value(dialect, values)
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(key, value, type_=postgresql.ARRAY(sa.String)))
    listed = sa.func.json_each(sa.bindparam(key, value, type_=sa.String)).table_valued("value")
    return column.in_(sa.select(listed.c.value))


def ids_value(dialect: str, values: Collection[str]) -> Any:
    """The value of ``among_parameter``'s parameter: an array, or a JSON array's text."""
    return list(values) if dialect == "postgresql" else orjson.dumps(list(values)).decode()
