"""Reads: current version, a given version, history. They serve stored bytes as they are,
except where the read policy withholds something from the caller (``store.read_policy``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool

from openror.access.caller import Caller
from openror.errors import Gone, NotFound, error
from openror.services.writes import resource_type
from openror.store import (
    capacity_history,
    feed,
    feed_epoch,
    feed_order,
    freshness,
    read_policy,
    visibility,
)
from openror.store.database import Database
from openror.store.resources import StoredResource, read_current, utcnow


@dataclass(frozen=True)
class HistoryPage:
    rows: list[feed.HistoryRow]
    total: int | None  # None: not counted (``_after`` pages)
    next_before: int | None  # pass as before_seq to get the next (older) page
    #: ``_after`` pages: where the next page starts (pass as after_seq); None otherwise
    next_after: int | None = None
    #: every change made before this time is in the feed already (None: empty feed)
    as_of: datetime | None = None
    #: ``_after`` pages: the feed's epoch, whose change numbers the cursors are
    #: (store.feed_epoch)
    epoch: str | None = None


class Reader:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def read(self, rtype: str, rid: str, caller: Caller) -> StoredResource:
        resource_type(rtype, "read")
        found = await self.db.points.acurrent(rtype, rid)
        if found is None:
            raise _not_found(rtype, rid)
        if found.deleted:
            raise Gone([error("deleted", f"{rtype}/{rid} was deleted (version {found.version})")])
        seen = await self.as_seen(found, caller)
        if rtype == "Location" and capacity_history.has_capacity(seen.content):
            return await run_in_threadpool(self._with_freshness, seen)
        return seen

    def _with_freshness(self, seen: StoredResource) -> StoredResource:
        """A place's figures with their age (store.freshness), as of this read."""
        assert seen.content is not None
        with self.db.read() as conn:
            content = freshness.annotate_places(conn, {seen.id: seen.content}, utcnow())
        return replace(seen, content=content[seen.id])

    async def vread(self, rtype: str, rid: str, version: int, caller: Caller) -> StoredResource:
        resource_type(rtype, "vread")
        found = await self.db.points.aversion(rtype, rid, version)
        if found is None:
            raise NotFound([error("not-found", f"{rtype}/{rid} has no version {version}")])
        if found.deleted:
            raise Gone([error("deleted", f"version {version} of {rtype}/{rid} is a deletion")])
        return await self.as_seen(found, caller)

    async def as_seen(self, found: StoredResource, caller: Caller) -> StoredResource:
        """``found`` as the caller may see it; NotFound when it may not see it at all."""
        if caller.sees_everything:  # no policy query: the fast path of point reads
            return found
        return await run_in_threadpool(self._seen, found, caller)

    def _seen(self, found: StoredResource, caller: Caller) -> StoredResource:
        """The resource as the caller may see it; a hidden one is answered exactly as an
        absent one, so that a caller cannot tell them apart."""
        with self.db.read() as conn:
            seen = _as_seen(conn, found, caller)
        if seen is None:
            raise _not_found(found.type, found.id)
        return seen

    def seen_now(self, rtype: str, rid: str, caller: Caller,
                 conn: sa.Connection) -> StoredResource | None:
        """The current version as the caller may see it; None when absent, deleted or
        hidden (pages that list what a caller may see)."""
        found = read_current(conn, rtype, rid)
        if found is None or found.deleted:
            return None
        return found if caller.sees_everything else _as_seen(conn, found, caller)

    def history(self, rtype: str | None, rid: str | None, caller: Caller, *,
                since: datetime | None, count: int, before_seq: int | None,
                after_seq: int | None = None) -> HistoryPage:
        """Newest first, paged with ``before_seq``; or, with ``after_seq``, the changes
        numbered above it, oldest first (the gap-free feed)."""
        if rtype is not None:
            resource_type(rtype, "history-instance" if rid else "history-type")
        with self.db.read() as conn:
            if rid is not None and rtype is not None and not _exists(conn, rtype, rid, caller):
                raise _not_found(rtype, rid)
            # first: what the page's own reads will see at least (store.feed_order.newest)
            head = feed_order.newest(conn)
            if after_seq is not None:
                return self._forward(conn, rtype, rid, caller, since, count, after_seq,
                                     head.seq, head.at)
            rows = feed.history(conn, rtype=rtype, rid=rid, since=since,
                                before_seq=before_seq, limit=count + 1, caller=caller)
            total = feed.count_history(conn, rtype=rtype, rid=rid, since=since, caller=caller)
            more = len(rows) > count
            rows = rows[:count]
            shown = [_row_as_seen(conn, row, caller) for row in rows]
        return HistoryPage(shown, total, rows[-1].seq if more and rows else None,
                           as_of=head.at)

    def _forward(self, conn: sa.Connection, rtype: str | None, rid: str | None,
                 caller: Caller, since: datetime | None, count: int, after_seq: int,
                 horizon: int, as_of: datetime | None) -> HistoryPage:
        """An ``_after`` page. A page that is not full holds every change up to the
        horizon this caller may see: the next one starts there, past the changes of other
        types or hidden from the caller, which are not scanned again."""
        rows = feed.after(conn, after_seq, rtype=rtype, rid=rid, since=since, limit=count,
                          caller=caller)
        last = rows[-1].seq if rows else after_seq
        next_after = last if len(rows) == count else max(last, horizon, after_seq)
        shown = [_row_as_seen(conn, row, caller) for row in rows]
        return HistoryPage(shown, None, None, next_after=next_after, as_of=as_of,
                           epoch=feed_epoch.current(conn))


def _as_seen(conn: sa.Connection, found: StoredResource,
             caller: Caller) -> StoredResource | None:
    assert found.content is not None
    if not visibility.is_visible(conn, found.type, found.id, caller) \
            or read_policy.version_withheld(caller, found.type, found.content):
        return None
    return replace(found, content=read_policy.shown(conn, caller, found.type, found.id,
                                                     found.content))


def _exists(conn: sa.Connection, rtype: str, rid: str, caller: Caller) -> bool:
    current = read_current(conn, rtype, rid)
    if current is None:
        return False
    return current.deleted or caller.sees_everything \
        or visibility.is_visible(conn, rtype, rid, caller)


def _row_as_seen(conn: sa.Connection, row: feed.HistoryRow, caller: Caller
                 ) -> feed.HistoryRow:
    """An entry as the caller may see it: a version withheld keeps its entry (so that the
    count stays true) without its content."""
    if caller.sees_everything or row.content is None:
        return row
    if read_policy.version_withheld(caller, row.type, row.content):
        return replace(row, content=None)
    return replace(row, content=read_policy.shown(conn, caller, row.type, row.id, row.content))


def _not_found(rtype: str, rid: str) -> NotFound:
    return NotFound([error("not-found", f"{rtype}/{rid} does not exist")])
