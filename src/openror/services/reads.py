"""Reads: current version, a given version, history. They serve stored bytes as they are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from openror.errors import Gone, NotFound, error
from openror.services.writes import resource_type
from openror.store import feed
from openror.store.database import Database
from openror.store.resources import StoredResource, read_current


@dataclass(frozen=True)
class HistoryPage:
    rows: list[feed.HistoryRow]
    total: int
    next_before: int | None  # pass as before_seq to get the next (older) page


class Reader:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def read(self, rtype: str, rid: str) -> StoredResource:
        resource_type(rtype, "read")
        found = await self.db.points.acurrent(rtype, rid)
        if found is None:
            raise NotFound([error("not-found", f"{rtype}/{rid} does not exist")])
        if found.deleted:
            raise Gone([error("deleted", f"{rtype}/{rid} was deleted (version {found.version})")])
        return found

    async def vread(self, rtype: str, rid: str, version: int) -> StoredResource:
        resource_type(rtype, "vread")
        found = await self.db.points.aversion(rtype, rid, version)
        if found is None:
            raise NotFound([error("not-found", f"{rtype}/{rid} has no version {version}")])
        if found.deleted:
            raise Gone([error("deleted", f"version {version} of {rtype}/{rid} is a deletion")])
        return found

    def history(self, rtype: str | None, rid: str | None, *, since: datetime | None,
                count: int, before_seq: int | None) -> HistoryPage:
        if rtype is not None:
            resource_type(rtype, "history-instance" if rid else "history-type")
        with self.db.read() as conn:
            if rid is not None and rtype is not None and read_current(conn, rtype, rid) is None:
                raise NotFound([error("not-found", f"{rtype}/{rid} does not exist")])
            rows = feed.history(conn, rtype=rtype, rid=rid, since=since,
                                before_seq=before_seq, limit=count + 1)
            total = feed.count_history(conn, rtype=rtype, rid=rid, since=since)
        more = len(rows) > count
        rows = rows[:count]
        return HistoryPage(rows, total, rows[-1].seq if more and rows else None)
