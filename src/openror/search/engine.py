"""Run a search: match (at most ``CAP``), page, fetch, include.

The first page fixes the matches: when there is more than one page they are kept as a
snapshot (ids with the version that matched, distances, scores), and the following pages are
slices of it, each resource served in that version. A client paging while data changes
therefore never sees a match twice or misses one, and sees every match as it was when it
matched (even when a concurrent writer commits late, which a change-feed position would miss
on PostgreSQL, where sequence numbers are taken before commit).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

import sqlalchemy as sa

from openror.access.caller import Caller
from openror.errors import InvalidInput, error
from openror.search import groups, guard
from openror.search.includes import Included, include
from openror.search.model import Content, Drive, Query
from openror.search.plan import statement
from openror.search.scope import searching_as
from openror.search.snapshots import Hit as RawHit
from openror.search.snapshots import Snapshot, load_snapshot, save_snapshot
from openror.search.sql import all_of, index_only
from openror.store import feed_order, rawsql, read_context
from openror.store.database import Database
from openror.store.freshness import annotate_places
from openror.store.read_policy import shown
from openror.store.resources import utcnow

CAP = 10_000
SNAPSHOT_TTL = timedelta(hours=1)
#: hits per version lookup: SQLite refuses an expression tree deeper than 1,000, which an
#: OR of a full page of 1,000 (id, version) pairs is
VERSIONS_CHUNK = 500


class Hit(NamedTuple):  # a tuple: up to 10,000 are made per search
    id: str
    version: int  # the version that matched: later pages serve exactly it
    distance: float | None
    score: float | None


@dataclass
class Page:
    query: Query
    offset: int
    matches: list[tuple[Hit, bytes]]  # stored JSON, served as it is
    included: list[Included] = field(default_factory=list)
    total: int | None = None  # None: over the cap and not counted (_total=none)
    kept: int = 0  # matches that can be paged through (at most CAP)
    cursor: str | None = None  # the snapshot, when there are several pages
    #: first pages: every change made before this time was visible to the search, a safe
    #: next ``_lastUpdated=ge`` value (store.feed_order.newest); None on later pages
    as_of: datetime | None = None

    @property
    def truncated(self) -> bool:
        if self.query.summary == "count":
            return False
        return self.total is None or self.total > self.kept

    @property
    def next_offset(self) -> int | None:
        end = self.offset + self.query.count
        return end if self.cursor and self.query.count and end < self.kept else None


class SearchEngine:
    """Searches for one caller: what it may not see neither matches nor is counted nor comes
    in through an include, and what it gets is redacted for it (``access.policy``)."""

    def __init__(self, db: Database, caller: Caller) -> None:
        self.db = db
        self.caller = caller

    def search(self, q: Query, paged: bool = True, fresh: bool = True) -> Page:
        """``paged=False``: the caller reads the first page only, so no snapshot is kept
        for the next ones (the page has no cursor). ``fresh=False``: matched places come
        without their freshness extension, for a caller that parses them and adds it
        itself (``freshness.annotate_body``) rather than have them parsed twice."""
        guard.check(self.caller, q)
        with self.db.read() as conn, searching_as(self.caller, conn.dialect.name):
            _consistent(conn)
            as_of = feed_order.newest(conn).at  # first: the snapshot the search sees
            q = replace(q, criteria=groups.prepare(conn, q.rtype, q.criteria))
            if q.summary == "count":
                return Page(q, 0, [], total=_count(conn, q), as_of=as_of)
            hits, total = _matches(conn, q)
            matches, included = self._served(conn, q, [Hit(*h) for h in hits[:q.count]],
                                             fresh)
        page = Page(q, 0, matches, included, total, len(hits), as_of=as_of)
        if paged and q.count and len(hits) > q.count:
            page.cursor = self._save(q, hits, total)
        return page

    def page(self, q: Query, cursor: str) -> Page:
        token, offset = decode_cursor(cursor)
        with self.db.snapshots() as conn:
            snap = load_snapshot(conn, self._key(token), utcnow() - SNAPSHOT_TTL)
        if snap is None or snap.rtype != q.rtype:
            raise InvalidInput([error("invalid", "this page link has expired or is not "
                                      "valid; run the search again", "_cursor")])
        read_context.must_see(_position(token))  # a replica without the matches won't do
        with self.db.read() as conn, searching_as(self.caller, conn.dialect.name):
            page_hits = [Hit(*h) for h in snap.hits[offset:offset + q.count]]
            matches, included = self._served(conn, q, page_hits)
        return Page(q, offset, matches, included, snap.total, len(snap.hits), cursor=token)

    def _served(self, conn: sa.Connection, q: Query, page_hits: list[Hit], fresh: bool = True
                ) -> tuple[list[tuple[Hit, bytes]], list[Included]]:
        """The page's matches in the versions that matched, and the included resources, as
        the caller may see them."""
        found = _versions(conn, q.rtype, page_hits)
        seen = {h.id: shown(conn, self.caller, q.rtype, h.id, found[h.id])
                for h in page_hits if h.id in found}
        if q.rtype == "Location" and fresh:
            seen = annotate_places(conn, seen, utcnow())
        matches = [(h, seen[h.id]) for h in page_hits if h.id in seen]
        included = [i._replace(content=shown(conn, self.caller, i.type, i.id, i.content))
                    for i in include(conn, q.rtype, q.includes,
                                     {(q.rtype, h.id) for h, _ in matches})]
        places = annotate_places(conn, {i.id: i.content for i in included
                                        if i.type == "Location"}, utcnow())
        return matches, [i._replace(content=places[i.id]) if i.type == "Location" else i
                         for i in included]

    def _save(self, q: Query, hits: list[RawHit], total: int | None) -> str:
        token = secrets.token_hex(16)
        position = self.db.wal_position()
        if position is not None:  # replicas: the later pages must see the versions matched
            token += f".{position:x}"
        snap = Snapshot(self._key(token), q.rtype, hits, total)
        with self.db.snapshots() as conn:
            save_snapshot(conn, snap, utcnow(), utcnow() - SNAPSHOT_TTL)
        return token

    def _key(self, token: str) -> str:
        """Snapshots are stored under the token bound to what the caller may see: a page
        link handed to a caller with other rights is not valid for it."""
        bound = f"{token}|{self.caller.policy_key}".encode()
        return hashlib.sha256(bound).hexdigest()[:32]


def encode_cursor(token: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{token}:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        token, offset = base64.urlsafe_b64decode(padded).decode().split(":")
        if int(offset) < 0:
            raise ValueError(offset)
        return token, int(offset)
    except ValueError:
        raise InvalidInput([error("invalid", "this page link is not valid; use the links "
                                  "the server returns", "_cursor")]) from None


def _position(token: str) -> int:
    """The primary's WAL position when the snapshot was made (0: made without replicas),
    from a token that found its snapshot (the position is part of the snapshot's key)."""
    _, dot, position = token.partition(".")
    return int(position, 16) if dot else 0


def _consistent(conn: sa.Connection) -> None:
    """Every statement of the search sees the same data (SQLite: one read transaction)."""
    if conn.dialect.name == "postgresql":
        conn.execution_options(isolation_level="REPEATABLE READ")


def _matches(conn: sa.Connection, q: Query) -> tuple[list[RawHit], int | None]:
    """Up to ``CAP`` matches in order, and the count of all (None with ``_total=none``).

    The count comes with the matches (``count(*) over ()``) when every match is computed
    anyway, to be ordered by score, distance or a sort parameter, and when the plan probes
    each candidate of a driving parameter (``Drive``): counting apart would probe them all
    again. Otherwise the matches come in id order and stop at the cap, and a count apart
    reads index entries only (67,000 places: 57 against 83 ms)."""
    inline = q.total != "none" and (_ordered_whole(q) or any(
        isinstance(i, Drive) for i in q.criteria.items))
    stmt = statement(q)
    if inline:
        stmt = stmt.add_columns(sa.func.count().over().label("total"))
    result = conn.execute(stmt.limit(CAP + 1))
    # plain DB-API tuples (id, version, distance, score[, total]): up to 10,000 of them, kept
    # as they are for the snapshot, so no Row or Hit objects are made for them
    rows = result.cursor.fetchall()
    result.close()
    if inline:
        return [r[:4] for r in rows[:CAP]], (rows[0][4] if rows else 0)
    if len(rows) <= CAP:
        return list(rows), len(rows)
    return list(rows[:CAP]), (_count(conn, q) if q.total != "none" else None)


def _ordered_whole(q: Query) -> bool:
    """Whether the order needs every match first (not the id order of the indexes)."""
    return bool(q.sort) or q.near is not None or any(
        isinstance(i, Content) for i in q.criteria.items)


def _count(conn: sa.Connection, q: Query) -> int:
    ids = index_only(q.rtype, q.criteria)
    inner = (all_of(q.rtype, q.criteria) if ids is None else ids).subquery()
    return int(conn.execute(sa.select(sa.func.count()).select_from(inner)).scalar() or 0)


def _versions(conn: sa.Connection, rtype: str, hits: list[Hit]) -> dict[str, bytes]:
    """Each matched resource in the version that matched (stored versions never change)."""
    if not hits:
        return {}
    found: dict[str, bytes] = {}
    for start in range(0, len(hits), VERSIONS_CHUNK):
        chunk = hits[start:start + VERSIONS_CHUNK]
        params: dict[str, object] = {"t": rtype}
        for n, h in enumerate(chunk):
            params[f"i{n}"], params[f"v{n}"] = h.id, h.version
        rows = rawsql.run(conn, _versions_sql(len(chunk)), params).fetchall()
        found.update((rid, bytes(content)) for rid, content in rows if content is not None)
    return found


@lru_cache(maxsize=64)  # one text per page size in use
def _versions_sql(n: int) -> str:
    # one primary-key lookup per hit: SQLite scans the table for a (id, version) IN list
    wanted = " OR ".join(f"(id = :i{k} AND version = :v{k})" for k in range(n))
    return f"SELECT id, content FROM resource_version WHERE type = :t AND ({wanted})"
