"""Versioned resources: the current row, every version, and the write of a new version.

Functions take an open connection; the caller owns the transaction (see services.writes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from openror.errors import PreconditionFailed, error
from openror.store import feed
from openror.store.schema import resource, resource_version


@dataclass(frozen=True)
class StoredResource:
    type: str
    id: str
    version: int
    last_updated: datetime  # naive UTC
    deleted: bool
    content: bytes | None  # None for a deletion tombstone

    @property
    def etag(self) -> str:
        return f'W/"{self.version}"'


@dataclass(frozen=True)
class NewVersion:
    """What the write path hands to the store: the next version of one resource."""

    type: str
    id: str
    version: int
    last_updated: datetime
    content: bytes | None  # None: delete
    region: str | None
    action: str  # create, update, patch, delete


def utcnow() -> datetime:
    """Naive UTC with microseconds: stored the same way on both back-ends, orders as text."""
    return datetime.now(UTC).replace(tzinfo=None)


_current_cols = (
    resource.c.version, resource.c.last_updated, resource.c.deleted, resource.c.content
)

_READ_CURRENT = sa.select(*_current_cols).where(
    resource.c.type == sa.bindparam("t"), resource.c.id == sa.bindparam("i")
)


def read_current(
    conn: sa.Connection, rtype: str, rid: str, *, for_update: bool = False
) -> StoredResource | None:
    stmt = _READ_CURRENT.with_for_update() if for_update else _READ_CURRENT
    row = conn.execute(stmt, {"t": rtype, "i": rid}).first()
    if row is None:
        return None
    return StoredResource(rtype, rid, row.version, row.last_updated, row.deleted,
                          None if row.deleted else row.content)


def read_version(conn: sa.Connection, rtype: str, rid: str, version: int) -> StoredResource | None:
    rv = resource_version
    row = conn.execute(
        sa.select(rv.c.last_updated, rv.c.deleted, rv.c.content).where(
            rv.c.type == rtype, rv.c.id == rid, rv.c.version == version
        )
    ).first()
    if row is None:
        return None
    return StoredResource(rtype, rid, version, row.last_updated, row.deleted, row.content)


def write_version(conn: sa.Connection, new: NewVersion, log: feed.LogEntry) -> int:
    """Append ``new`` as the next version; return its change-feed sequence number.

    The current row is updated only if it still holds the previous version, so two writers that
    read the same version cannot both win: the loser gets 412.
    """
    seq = feed.append(conn, new.type, new.id, new.version, new.action, new.last_updated, log)
    conn.execute(
        resource_version.insert().values(
            type=new.type, id=new.id, version=new.version, last_updated=new.last_updated,
            deleted=new.content is None, seq=seq, content=new.content,
        )
    )
    values = {
        "version": new.version, "last_updated": new.last_updated,
        "deleted": new.content is None, "region": new.region,
        "content": new.content if new.content is not None else b"",
    }
    if new.version == 1:
        conn.execute(resource.insert().values(type=new.type, id=new.id, **values))
        return seq
    result = conn.execute(
        resource.update()
        .where(resource.c.type == new.type, resource.c.id == new.id,
               resource.c.version == new.version - 1)
        .values(**values)
    )
    if result.rowcount != 1:
        raise PreconditionFailed([error(
            "conflict",
            f"{new.type}/{new.id} was changed by someone else meanwhile; read it again and retry",
        )])
    return seq


def count_versions(conn: sa.Connection, rtype: str, rid: str) -> int:
    rv = resource_version
    stmt = sa.select(sa.func.count()).select_from(rv).where(rv.c.type == rtype, rv.c.id == rid)
    return int(conn.execute(stmt).scalar_one())
