"""Run a search: match (at most ``CAP``), page, fetch, include.

The first page fixes the matches: when there is more than one page they are kept as a
snapshot (ids, distances, scores and the change-feed position), and the following pages are
slices of it, served as each resource was at that position. A client paging while data
changes therefore never sees a match twice or misses one.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import orjson
import sqlalchemy as sa

from openror.errors import InvalidInput, error
from openror.search.includes import include
from openror.search.model import Query
from openror.search.plan import statement
from openror.search.snapshots import Snapshot, load_snapshot, save_snapshot
from openror.store.database import Database
from openror.store.feed import last_seq
from openror.store.resources import utcnow
from openror.store.schema import resource, resource_version

CAP = 10_000
SNAPSHOT_TTL = timedelta(hours=1)


@dataclass(frozen=True)
class Hit:
    id: str
    distance: float | None
    score: float | None


@dataclass
class Page:
    query: Query
    offset: int
    matches: list[tuple[Hit, dict[str, Any]]]
    included: list[dict[str, Any]] = field(default_factory=list)
    total: int | None = None
    truncated: bool = False
    cursor: str | None = None  # the snapshot, when there are several pages

    @property
    def next_offset(self) -> int | None:
        end = self.offset + self.query.count
        return end if self.cursor and self.total is not None and end < min(
            self.total, CAP) else None


class SearchEngine:
    def __init__(self, db: Database) -> None:
        self.db = db

    def search(self, q: Query) -> Page:
        with self.db.read() as conn:
            _consistent(conn)
            if q.summary == "count":
                return Page(q, 0, [], total=_count(conn, q))
            rows = conn.execute(statement(q).limit(CAP + 1)).all()
            hits = [Hit(r.id, r.distance, r.score) for r in rows[:CAP]]
            truncated = len(rows) > CAP
            total = (_count(conn, q) if q.total != "none" else None) if truncated else len(hits)
            page_hits = hits[:q.count]
            found = _current(conn, q.rtype, [h.id for h in page_hits])
            matches = [(h, found[h.id]) for h in page_hits if h.id in found]
            included = include(conn, q.includes, [m for _, m in matches])
            seq = last_seq(conn)
        page = Page(q, 0, matches, included, total, truncated)
        if len(hits) > q.count:
            page.cursor = self._save(q, hits, seq, total)
        return page

    def page(self, q: Query, cursor: str) -> Page:
        token, offset = decode_cursor(cursor)
        with self.db.read() as conn:
            snap = load_snapshot(conn, token, utcnow() - SNAPSHOT_TTL)
            if snap is None or snap.rtype != q.rtype:
                raise InvalidInput([error("invalid", "this page link has expired or is not "
                                          "valid; run the search again", "_cursor")])
            count = q.count
            page_hits = [Hit(*h) for h in snap.hits[offset:offset + count]]
            found = _as_of(conn, q.rtype, [h.id for h in page_hits], snap.seq)
            matches = [(h, found[h.id]) for h in page_hits if h.id in found]
            included = include(conn, q.includes, [m for _, m in matches])
        return Page(q, offset, matches, included, snap.total, snap.total > CAP, cursor=token)

    def _save(self, q: Query, hits: list[Hit], seq: int, total: int | None) -> str:
        token = secrets.token_hex(16)
        snap = Snapshot(token, q.rtype, seq, [(h.id, h.distance, h.score) for h in hits],
                        total if total is not None else len(hits))
        with self.db.write() as conn:
            save_snapshot(conn, snap, utcnow(), utcnow() - SNAPSHOT_TTL)
        return token


def encode_cursor(token: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{token}:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        token, offset = base64.urlsafe_b64decode(padded).decode().split(":")
        return token, int(offset)
    except ValueError:
        raise InvalidInput([error("invalid", "this page link is not valid; use the links "
                                  "the server returns", "_cursor")]) from None


def _consistent(conn: sa.Connection) -> None:
    """Every statement of the search sees the same data (SQLite: one read transaction)."""
    if conn.dialect.name == "postgresql":
        conn.execution_options(isolation_level="REPEATABLE READ")


def _count(conn: sa.Connection, q: Query) -> int:
    from openror.search.sql import all_of

    inner = all_of(q.rtype, q.criteria).subquery()
    return int(conn.execute(sa.select(sa.func.count()).select_from(inner)).scalar() or 0)


def _current(conn: sa.Connection, rtype: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    rows = conn.execute(sa.select(resource.c.id, resource.c.content).where(
        resource.c.type == rtype, resource.c.id.in_(ids), resource.c.deleted.is_(False)))
    return {rid: orjson.loads(content) for rid, content in rows}


def _as_of(conn: sa.Connection, rtype: str, ids: list[str], seq: int
           ) -> dict[str, dict[str, Any]]:
    """Each resource as it was at change-feed position ``seq``."""
    if not ids:
        return {}
    v = resource_version
    latest = sa.select(v.c.id, sa.func.max(v.c.seq).label("seq")).where(
        v.c.type == rtype, v.c.id.in_(ids), v.c.seq <= seq).group_by(v.c.id).subquery()
    rows = conn.execute(sa.select(v.c.id, v.c.content).join(
        latest, sa.and_(v.c.id == latest.c.id, v.c.seq == latest.c.seq)).where(
        v.c.type == rtype))
    return {rid: orjson.loads(content) for rid, content in rows if content is not None}
