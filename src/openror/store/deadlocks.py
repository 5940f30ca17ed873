"""Run a write transaction again when PostgreSQL aborted it to break a deadlock.

The change feed's turn (``store.feed_order``) is taken after a writer has locked the row it
changes. A transaction that writes several resources holds the turn from its first one on,
and may then want the row of a single writer that waits for the turn: PostgreSQL detects the
cycle (after ``deadlock_timeout``) and aborts one of the two, usually the writer that began
waiting first, the single one. Its whole transaction was rolled back, so running it again
is safe; it then finds the row as the other one left it.

It waits a moment first: the aborted writer's row lock is free at once, and a writer that
runs again straight away may lock that row before the other transaction, which has waited
for it all along, wakes up, closing the same cycle again.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import psycopg
import sqlalchemy as sa

ATTEMPTS = 3
PAUSE_S = 0.05  # before running again; longer after each abort, jittered
_DEADLOCK = "40P01"  # SQLSTATE deadlock_detected
log = logging.getLogger("openror.store")

P = ParamSpec("P")
T = TypeVar("T")


def deadlocked(exc: BaseException) -> bool:
    """Raised by SQLAlchemy (the driver's error as ``orig``) or by the driver itself (the
    hot-path statements of ``store.rawsql``)."""
    return _DEADLOCK in (getattr(exc, "sqlstate", None),
                         getattr(getattr(exc, "orig", None), "sqlstate", None))


def retried(write: Callable[P, T]) -> Callable[P, T]:
    """``write`` (which opens and commits its own transaction) run again, up to
    ``ATTEMPTS`` times in all, when its transaction was the victim of a deadlock."""
    @functools.wraps(write)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return write(*args, **kwargs)
            except (sa.exc.DBAPIError, psycopg.Error) as exc:
                if not deadlocked(exc) or attempt == ATTEMPTS:
                    raise
                log.info("write aborted to break a deadlock; running it again (%s)",
                         write.__qualname__)
                time.sleep(PAUSE_S * attempt * random.uniform(0.5, 1.5))
        raise AssertionError("unreachable")
    return run
