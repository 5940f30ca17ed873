"""Each caller's last write position on a PostgreSQL primary with streaming replicas: the
WAL position (bytes from 0/0) after its last write committed. A replica that has replayed
that far shows the caller everything it wrote; one that has not may not serve it.

The positions live on the primary, where every worker process of every server finds them,
and are read there by primary key once per request that a replica may serve.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from openror.store.schema import metadata

if TYPE_CHECKING:
    from openror.store.point_reads import PointReader

caller_write_position = sa.Table(
    "caller_write_position", metadata,
    sa.Column("caller", sa.String(200), primary_key=True),  # the actor: "client:…", "user:…"
    sa.Column("wal_position", sa.BigInteger, nullable=False),
    sa.Column("written_at", sa.DateTime, nullable=False),
)

# pg_current_wal_insert_lsn(), read after the commit, is at or past the end of its commit
# record, whether or not that record is flushed yet (synchronous_commit = off)
_NOW = "CAST(pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0') AS bigint)"
_RECORD = (
    "INSERT INTO caller_write_position (caller, wal_position, written_at) "
    f"VALUES (%(caller)s, {_NOW}, %(at)s) "
    "ON CONFLICT (caller) DO UPDATE SET written_at = EXCLUDED.written_at, "
    "wal_position = GREATEST(caller_write_position.wal_position, EXCLUDED.wal_position) "
    f"RETURNING wal_position, {_NOW}"
)
_POSITION = f"SELECT {_NOW}"
_LOOKUP = "SELECT wal_position FROM caller_write_position WHERE caller = :caller"


def record(conn: sa.Connection, caller: str | None) -> tuple[int, int | None]:
    """After a write transaction committed on ``conn``: the primary's position now, and
    ``caller``'s stored position once this write is counted in (None: no caller)."""
    with conn.begin():
        if caller is None:
            return int(conn.exec_driver_sql(_POSITION).scalar_one()), None
        # losing this row in a crash of the primary costs at most a stale read: no need to
        # wait for the disk
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
        stored, now = conn.exec_driver_sql(
            _RECORD, {"caller": caller, "at": datetime.now(UTC).replace(tzinfo=None)}).one()
        return int(now), int(stored)


def position(points: PointReader) -> int:
    """The primary's WAL position now: everything committed so far is before it."""
    return int(points.row(_POSITION, {})[0])


def lookup(points: PointReader, caller: str) -> int:
    found = points.row(_LOOKUP, {"caller": caller})
    return 0 if found is None else int(found[0])


async def alookup(points: PointReader, caller: str) -> int:
    found = await points.arow(_LOOKUP, {"caller": caller})
    return 0 if found is None else int(found[0])
