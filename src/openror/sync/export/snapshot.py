"""One point in time for a whole export: a read transaction every statement of the export
runs in, and the instant (``transactionTime``) it shows the data as of.

The instant must be one such that every write stamped at or before it is in the snapshot
(else a consumer passing it as the next ``_since`` would never get that write). The change
feed gives it: writers number their changes and settle their times in commit order, times
strictly increasing from one transaction to the next (``store.feed_order``). So the newest
change a snapshot sees is a boundary: every change stamped at or before its time is in the
snapshot, every change outside it is stamped later. The export reads that change first,
inside its read transaction (SQLite: one read transaction over the WAL; PostgreSQL:
REPEATABLE READ READ ONLY), and waits for no one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from openror.store import feed_order
from openror.store.database import Database

#: the instant of a directory that has never been written to: before any write
BEFORE_ANY_WRITE = datetime(1970, 1, 1)


@dataclass(frozen=True)
class Snapshot:
    conn: sa.Connection  # inside the snapshot's read transaction
    at: datetime  # naive UTC: the transactionTime
    seq: int  # the newest change it sees: the feed's position to go on from (0: none)


@contextmanager
def snapshot(db: Database) -> Iterator[Snapshot]:
    """A read transaction on the primary showing the data as of ``at``."""
    with db.read_primary() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        conn.begin()
        head = feed_order.newest(conn)  # the first read: the snapshot starts here
        try:
            yield Snapshot(conn, head.at or BEFORE_ANY_WRITE, head.seq)
        finally:
            conn.rollback()
