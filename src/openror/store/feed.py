"""The change feed (one monotonic sequence number per write) and the change log (who, when,
why, before/after), appended in the writer's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from openror.access.caller import SYSTEM, Caller
from openror.store import feed_order, rawsql, visibility
from openror.store.schema import change_feed, change_log, resource_version


@dataclass(frozen=True)
class LogEntry:
    """Who made a change and why. ``actor`` is a user, an API client or an import run."""

    actor: str
    request_id: str | None = None
    batch_id: str | None = None
    reason: str | None = None
    #: provenance label recorded on the fields this write changes (None: not recorded)
    provenance: str | None = None


@dataclass(frozen=True)
class HistoryRow:
    seq: int
    type: str
    id: str
    version: int
    action: str
    at: datetime
    content: bytes | None


@dataclass(frozen=True)
class ChangeRecord:
    seq: int
    type: str
    id: str
    action: str
    at: datetime
    actor: str
    request_id: str | None
    batch_id: str | None
    reason: str | None
    before: bytes | None
    after: bytes | None


_INSERT_FEED = (
    "INSERT INTO change_feed (type, id, version, action, at) "
    "VALUES (:type, :id, :version, :action, :at) RETURNING seq"
)
_INSERT_LOG = (
    "INSERT INTO change_log (seq, actor, at, request_id, batch_id, reason, before_version, "
    "after_version) VALUES (:seq, :actor, :at, :request_id, :batch_id, :reason, "
    ":before_version, :after_version)"
)


def append(conn: sa.Connection, rtype: str, rid: str, version: int, action: str,
           at: datetime, log: LogEntry) -> int:
    """Number one change. ``at`` must come from ``feed_order.settled_time`` under the turn
    this takes again (cheap, re-entrant): numbering order must be commit order."""
    feed_order.lock(conn)
    when = rawsql.db_time(at, conn.dialect.name)
    cursor = rawsql.run(conn, _INSERT_FEED, {
        "type": rtype, "id": rid, "version": version, "action": action, "at": when})
    seq = int(cursor.fetchone()[0])
    rawsql.run(conn, _INSERT_LOG, {
        "seq": seq, "actor": log.actor, "at": when, "request_id": log.request_id,
        "batch_id": log.batch_id, "reason": log.reason,
        "before_version": version - 1 if version > 1 else None, "after_version": version,
    })
    return seq


def history(
    conn: sa.Connection, *, rtype: str | None = None, rid: str | None = None,
    since: datetime | None = None, before_seq: int | None = None, limit: int = 100,
    caller: Caller,
) -> list[HistoryRow]:
    """Changes, newest first (FHIR _history order); page with ``before_seq``. Only those of
    the resources ``caller`` may see (``visibility.feed_condition``)."""
    cf, rv = change_feed, resource_version
    stmt = (
        sa.select(cf.c.seq, cf.c.type, cf.c.id, cf.c.version, cf.c.action, cf.c.at, rv.c.content)
        .join(rv, sa.and_(rv.c.seq == cf.c.seq))
        .order_by(cf.c.seq.desc())
        .limit(limit)
    )
    stmt = _feed_filter(stmt, rtype, rid, since, caller=caller)
    if before_seq is not None:
        stmt = stmt.where(cf.c.seq < before_seq)
    return [HistoryRow(*row) for row in conn.execute(stmt)]


def after(
    conn: sa.Connection, after_seq: int, *, rtype: str | None = None, rid: str | None = None,
    since: datetime | None = None, limit: int = 100, caller: Caller,
) -> list[HistoryRow]:
    """Changes numbered above ``after_seq``, oldest first (the feed consumers page forward
    with ``_after``): no change is skipped or repeated, since numbering order is commit
    order (``feed_order``). Only those of the resources ``caller`` may see."""
    cf, rv = change_feed, resource_version
    stmt = (
        sa.select(cf.c.seq, cf.c.type, cf.c.id, cf.c.version, cf.c.action, cf.c.at, rv.c.content)
        .join(rv, rv.c.seq == cf.c.seq)
        .where(cf.c.seq > after_seq)
        .order_by(cf.c.seq)
        .limit(limit)
    )
    stmt = _feed_filter(stmt, rtype, rid, since, caller=caller)
    return [HistoryRow(*row) for row in conn.execute(stmt)]


def _feed_filter(stmt: Any, rtype: str | None, rid: str | None,
                 since: datetime | None = None, *, caller: Caller) -> Any:
    """The filters shared by history pages, their count and the change log."""
    cf = change_feed
    seen = visibility.feed_condition(caller, cf.c.type, cf.c.id, cf.c.action)
    if seen is not None:
        stmt = stmt.where(seen)
    if rtype is not None:
        stmt = stmt.where(cf.c.type == rtype)
    if rid is not None:
        stmt = stmt.where(cf.c.id == rid)
    if since is not None:
        stmt = stmt.where(cf.c.at >= since)
    return stmt


def count_history(conn: sa.Connection, *, rtype: str | None = None, rid: str | None = None,
                  since: datetime | None = None, caller: Caller) -> int:
    stmt = _feed_filter(sa.select(sa.func.count()).select_from(change_feed), rtype, rid, since,
                        caller=caller)
    return int(conn.execute(stmt).scalar_one())


def changes(conn: sa.Connection, *, batch_id: str | None = None, rtype: str | None = None,
            rid: str | None = None, limit: int = 1000) -> Sequence[ChangeRecord]:
    """The change log, oldest first, with the before/after versions' stored content (for
    administrators and tests: not filtered by the read policy)."""
    cf, cl = change_feed, change_log
    before = resource_version.alias("before")
    after = resource_version.alias("after")
    stmt = (
        sa.select(cf.c.seq, cf.c.type, cf.c.id, cf.c.action, cl.c.at, cl.c.actor, cl.c.request_id,
                  cl.c.batch_id, cl.c.reason, before.c.content, after.c.content)
        .join(cl, cl.c.seq == cf.c.seq)
        .join(after, after.c.seq == cf.c.seq)
        .outerjoin(before, sa.and_(before.c.type == cf.c.type, before.c.id == cf.c.id,
                                   before.c.version == cl.c.before_version))
        .order_by(cf.c.seq)
        .limit(limit)
    )
    if batch_id is not None:
        stmt = stmt.where(cl.c.batch_id == batch_id)
    return [ChangeRecord(*row) for row in conn.execute(_feed_filter(stmt, rtype, rid,
                                                                    caller=SYSTEM))]


def last_seq(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(change_feed.c.seq), 0)))
               .scalar_one())
