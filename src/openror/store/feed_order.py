"""The change feed's order: sequence numbers, and times, in commit order.

A consumer pages the feed with ``_after=<last seq seen>``: it must never see seq 6 before
seq 5 commits. SQLite has one writer at a time (``BEGIN IMMEDIATE``), so numbers are taken
in commit order already. PostgreSQL hands sequence values out before commit: a transaction
holding 5 could commit after one holding 6, and a reader that saw 6 would skip 5 for good.

So, on PostgreSQL, a writer takes one transaction-level advisory lock (``take_turn``)
just before numbering its feed rows and keeps it until its commit: the next writer
numbers only once the previous one is visible, numbering order is commit order, and any
snapshot (the primary's or a replica's, which replays commits in WAL order) sees a prefix
of the feed (with holes where writes rolled back, which no one will ever fill). The lock
serialises writers from numbering to commit only; what comes before (reading, patching,
validating) still runs side by side. docs/develop/architecture.md weighs the alternatives.

The time of a change (``at``, the resource's ``meta.lastUpdated``) is settled under the same
lock: later than the newest committed change's (``floor``), so that times increase along
the sequence (strictly from one transaction to the next) and ``_lastUpdated=ge<T>`` deltas
cannot miss a change.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from openror.store import backlog, rawsql

#: how the API names a change's sequence number: an extension on each history entry
#: (``valueString``: a 64-bit number, beyond FHIR R4 ``integer``) and the key of an export
#: manifest's position in the feed (docs/api/sync.md)
SEQUENCE_URL = "https://openror.org/fhir/StructureDefinition/change-sequence"

#: the advisory lock key of the feed's turn (an arbitrary constant: "feed" in ASCII)
FEED_LOCK_KEY = 0x66656564

#: the smallest step of a stored time (microseconds on both back-ends)
_TICK = timedelta(microseconds=1)
_LOCK = "SELECT pg_advisory_xact_lock(:key)"


def lock(conn: sa.Connection) -> None:
    """Hold the feed's turn until this transaction ends (PostgreSQL; SQLite's writer holds
    the whole database already). Re-entrant: taking it again costs one round trip. Taken
    by every numbering of feed rows, not remembered per transaction: a savepoint rolled
    back releases a lock taken inside it."""
    if conn.dialect.name == "postgresql":
        rawsql.run(conn, _LOCK, {"key": FEED_LOCK_KEY})


def take_turn(conn: sa.Connection) -> datetime | None:
    """Take the turn (``lock``) and return the floor of this writer's change times: the
    newest committed change's time (None: empty feed). Read after the lock, so that the
    previous holder's commit is seen (READ COMMITTED: a statement's snapshot is taken when
    it starts)."""
    with rawsql.batched(conn):  # PostgreSQL: one round trip, the read after the lock
        lock(conn)
        cursor = rawsql.run(conn, backlog.NEWEST, {})
    row = cursor.fetchone()
    return None if row is None else rawsql.py_time(row[1])


def settled_time(wanted: datetime, floor: datetime | None) -> datetime:
    """A change's time: ``wanted`` (stamped while preparing), or just after the floor when a
    change committed meanwhile carries that time or a later one. Strictly later: the time of
    the newest change a snapshot sees is then a boundary, everything stamped at or before it
    being in the snapshot (the ``transactionTime`` of ``$export``, sync.export.snapshot)."""
    return wanted if floor is None or wanted > floor else floor + _TICK


def newest(conn: sa.Connection) -> backlog.FeedHead:
    """The newest change this connection's transaction sees. Every change numbered lower
    is committed or rolled back for good, and every change to come has a later
    time: its seq is a horizon for ``_after`` pages, its time a safe next
    ``_lastUpdated=ge`` value. Read it before the page or search it qualifies (or in the
    same snapshot)."""
    return backlog.feed_head(conn)
