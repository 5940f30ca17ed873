"""Versioned resources: the current row, every version, and the write of a new version.

Functions take an open connection; the caller owns the transaction (see services.writes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from openror.errors import InvalidInput, PreconditionFailed, error
from openror.store import feed, feed_order, rawsql
from openror.store.dialect import lock_clause


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


def naive_utc(text: str) -> datetime:
    """An ISO 8601 date or date-time as the naive UTC the store keeps (no zone: taken as UTC);
    ValueError when it is not one."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def parse_moment(raw: str, name: str) -> datetime:
    """A request parameter ``name`` that is a date or date-time (ISO 8601), as naive UTC;
    InvalidInput naming the parameter otherwise."""
    try:
        return naive_utc(raw)
    except ValueError:
        raise InvalidInput([error("invalid", f"{name} must be a date or date-time "
                                  "(ISO 8601), e.g. 2026-11-26T08:00:00Z", name)]) from None


_READ_CURRENT = (
    "SELECT version, last_updated, deleted, content FROM resource WHERE type = :t AND id = :i"
)
_INSERT_VERSION = (
    "INSERT INTO resource_version (type, id, version, last_updated, deleted, seq, content) "
    "VALUES (:type, :id, :version, :last_updated, :deleted, :seq, :content)"
)
_INSERT_CURRENT = (
    "INSERT INTO resource (type, id, version, last_updated, deleted, region, content) "
    "VALUES (:type, :id, :version, :last_updated, :deleted, :region, :content)"
)
_UPDATE_CURRENT = (
    "UPDATE resource SET version = :version, last_updated = :last_updated, deleted = :deleted, "
    "region = :region, content = :content "
    "WHERE type = :type AND id = :id AND version = :previous"
)
#: the feed, log and version rows of one change at once (PostgreSQL: DML in a WITH clause)
_NUMBER_PG = (
    "WITH f AS (INSERT INTO change_feed (type, id, version, action, at) "
    "VALUES (:type, :id, :version, :action, :at) RETURNING seq), "
    "l AS (INSERT INTO change_log (seq, actor, at, request_id, batch_id, reason, "
    "before_version, after_version) SELECT seq, :actor, CAST(:at AS timestamp), "
    "CAST(:request_id AS varchar), CAST(:batch_id AS varchar), CAST(:reason AS text), "
    "CAST(:before_version AS integer), CAST(:version AS integer) FROM f) "
    "INSERT INTO resource_version (type, id, version, last_updated, deleted, seq, content) "
    "SELECT :type, :id, :version, CAST(:at AS timestamp), CAST(:deleted AS boolean), seq, "
    "CAST(:content AS bytea) FROM f RETURNING seq"
)
_RESTAMP_CURRENT = (
    "UPDATE resource SET last_updated = :last_updated, content = :content "
    "WHERE type = :type AND id = :id AND version = :version"
)


def stored_from_row(rtype: str, rid: str, row: Any) -> StoredResource:
    version, last_updated, deleted, content = row
    deleted = bool(deleted)
    return StoredResource(rtype, rid, version, rawsql.py_time(last_updated), deleted,
                          None if deleted else bytes(content))


def read_current(
    conn: sa.Connection, rtype: str, rid: str, *, for_update: bool = False
) -> StoredResource | None:
    sql = _READ_CURRENT
    if for_update and lock_clause(conn.dialect.name):
        sql += " FOR UPDATE"
    row = rawsql.run(conn, sql, {"t": rtype, "i": rid}).fetchone()
    return None if row is None else stored_from_row(rtype, rid, row)


def write_current(conn: sa.Connection, new: NewVersion) -> None:
    """The current row of ``new``: inserted (version 1) or updated if it still holds the
    previous version (412 otherwise)."""
    current = {"type": new.type, "id": new.id, "version": new.version,
               "last_updated": rawsql.db_time(new.last_updated, conn.dialect.name),
               "deleted": new.content is None, "region": new.region,
               "content": new.content if new.content is not None else b""}
    if new.version == 1:
        rawsql.run(conn, _INSERT_CURRENT, current)
        return
    cursor = rawsql.run(conn, _UPDATE_CURRENT, {**current, "previous": new.version - 1})
    if cursor.rowcount != 1:
        raise PreconditionFailed([error(
            "conflict",
            f"{new.type}/{new.id} was changed by someone else meanwhile; read it again and retry",
        )])


def restamp_currents(conn: sa.Connection, news: Sequence[NewVersion]) -> None:
    """The current rows, written by ``write_current``, get ``news``' settled times and bytes
    (``services.writes.restamp``)."""
    rawsql.run_many(conn, _RESTAMP_CURRENT, [{
        "type": new.type, "id": new.id, "version": new.version,
        "last_updated": rawsql.db_time(new.last_updated, conn.dialect.name),
        "content": new.content if new.content is not None else b""} for new in news])


def number(conn: sa.Connection, new: NewVersion, log: feed.LogEntry) -> int:
    """The change-feed and change-log entries of ``new`` and its version row, under the
    feed's turn (taken again, re-entrant): return its sequence number. On PostgreSQL in one
    round trip, since every one under the turn makes every writer wait."""
    if conn.dialect.name == "postgresql":
        with rawsql.batched(conn):
            feed_order.lock(conn)
            cursor = rawsql.run(conn, _NUMBER_PG, {
                "type": new.type, "id": new.id, "version": new.version, "action": new.action,
                "at": new.last_updated, "actor": log.actor, "request_id": log.request_id,
                "batch_id": log.batch_id, "reason": log.reason,
                "before_version": new.version - 1 if new.version > 1 else None,
                "deleted": new.content is None, "content": new.content})
        return int(cursor.fetchone()[0])
    seq = feed.append(conn, new.type, new.id, new.version, new.action, new.last_updated, log)
    rawsql.run(conn, _INSERT_VERSION, {
        "type": new.type, "id": new.id, "version": new.version,
        "last_updated": rawsql.db_time(new.last_updated, conn.dialect.name),
        "deleted": new.content is None, "seq": seq, "content": new.content})
    return seq
