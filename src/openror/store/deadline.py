"""How long the reads of one request may run (setting ``request_time_limit_s``).

A search whose plan goes wrong on a national directory can run for minutes. Its client gives
up long before, but the statement goes on holding a pooled connection and a CPU; a few of
them exhaust the pool and every other request waits (bench/load_mixed.py on PostgreSQL,
docs/benchmarks.md). So the API gives each request a deadline, and every read it makes
through ``Database.read`` is interrupted when the deadline passes: PostgreSQL cancels the
statement (``statement_timeout``, set for the transaction only), SQLite stops it from its
progress handler. The request then gets a 503 ``timeout`` OperationOutcome that says to
narrow the search; nothing is written, so nothing is lost.

Reads outside a request (the command line, exports, scheduled work) have no deadline.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa

from openror.errors import OpenRORError, error

#: SQLite virtual machine instructions between two looks at the clock (about 1 ms of work)
_SQLITE_STEPS = 10_000
#: PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout
_QUERY_CANCELED = "57014"
#: the execution option that carries a bounded read's deadline to ``on_begin``
_OPTION = "openror_deadline"

_deadline: ContextVar[tuple[float, float] | None] = ContextVar("openror_deadline",
                                                               default=None)


class TimedOut(OpenRORError):
    """503: the request's reads ran past its time limit."""


def timed_out(limit_s: float) -> TimedOut:
    return TimedOut([error("timeout", f"this request took longer than {limit_s:g} s, the "
                           "server's limit for one request: narrow it (fewer values, a "
                           "smaller radius, a region or département) or, for bulk reads, "
                           "use $export")], 503)


@contextmanager
def within(limit_s: float) -> Iterator[None]:
    """The reads inside the block must end within ``limit_s`` seconds of its start
    (0 or less: no limit)."""
    if limit_s <= 0:
        yield
        return
    with _until(time.monotonic() + limit_s, limit_s):
        yield


@contextmanager
def share(fraction: float) -> Iterator[None]:
    """The reads inside the block must end within ``fraction`` of the time the current
    deadline leaves (no deadline: none), so that the caller keeps the rest to answer with
    what it has if they do not (an orientation that stops widening its radius)."""
    current = _deadline.get()
    if current is None:
        yield
        return
    at, limit_s = current
    now = time.monotonic()
    with _until(now + max(0.0, at - now) * fraction, limit_s):
        yield


@contextmanager
def _until(at: float, limit_s: float) -> Iterator[None]:
    """The reads inside the block end at ``at`` (``limit_s``: the request's limit, named
    in the timeout's message)."""
    token = _deadline.set((at, limit_s))
    try:
        yield
    finally:
        _deadline.reset(token)


@contextmanager
def bounded(conn: sa.Connection) -> Iterator[None]:
    """Interrupt the statements run on ``conn`` inside the block at the current deadline;
    an interrupted one raises :class:`TimedOut`."""
    current = _deadline.get()
    if current is None:
        yield
        return
    at, limit_s = current
    left = at - time.monotonic()
    if left <= 0:
        raise timed_out(limit_s)
    sqlite = conn.dialect.name == "sqlite"
    raw = conn.connection.dbapi_connection
    if sqlite:
        raw.set_progress_handler(  # type: ignore[union-attr]
            lambda: int(time.monotonic() > at), _SQLITE_STEPS)
    else:  # read by the engine's "begin" listener (``on_begin``)
        conn.execution_options(**{_OPTION: at})
    try:
        yield
    except sa.exc.OperationalError as exc:
        if _interrupted(exc, sqlite):
            raise timed_out(limit_s) from exc
        raise
    finally:
        if sqlite:
            raw.set_progress_handler(None, 0)  # type: ignore[union-attr]


def on_begin(conn: sa.Connection) -> None:
    """PostgreSQL engines' "begin" listener: a transaction of a bounded read gets the time
    left as its ``statement_timeout`` (``SET LOCAL``: it ends with the transaction). Set when
    the transaction begins, not before: a statement before it would begin it, and the search
    could no longer choose its isolation level."""
    at = conn.get_execution_options().get(_OPTION)
    if at is not None:  # on the DB-API cursor: the connection's options may ask for a
        # server-side cursor (stream_results), which cannot run a SET
        left_ms = max(1, int((at - time.monotonic()) * 1000))
        with conn.connection.dbapi_connection.cursor() as cursor:  # type: ignore[union-attr]
            cursor.execute(f"SET LOCAL statement_timeout = {left_ms}")


def _interrupted(exc: sa.exc.OperationalError, sqlite: bool) -> bool:
    if sqlite:
        return "interrupted" in str(exc.orig)
    return getattr(exc.orig, "sqlstate", None) == _QUERY_CANCELED
