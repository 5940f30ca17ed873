"""The audit trail of reads by API clients of profiles 1–5 (table ``read_audit``): who read
what, when, and what they were answered. Append-only; pruned after its retention period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from openror.store.schema import metadata

read_audit = sa.Table(
    "read_audit", metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("client_id", sa.String(80), nullable=False),
    sa.Column("profile", sa.Integer, nullable=False),
    sa.Column("method", sa.String(10), nullable=False),
    sa.Column("path", sa.String(2000), nullable=False),
    sa.Column("query", sa.String(4000), nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("request_id", sa.String(100), nullable=False),
)
sa.Index("ix_read_audit_client_at", read_audit.c.client_id, read_audit.c.at)
sa.Index("ix_read_audit_at", read_audit.c.at)


@dataclass(frozen=True)
class ReadRecord:
    at: datetime  # naive UTC
    client_id: str
    profile: int
    method: str
    path: str
    query: str
    status: int
    request_id: str


def append(conn: sa.Connection, records: Sequence[ReadRecord]) -> None:
    if records:
        conn.execute(read_audit.insert(), [
            {**r.__dict__, "path": r.path[:2000], "query": r.query[:4000]} for r in records])


def find(conn: sa.Connection, *, client_id: str | None = None, since: datetime | None = None,
         until: datetime | None = None, limit: int = 1000) -> list[ReadRecord]:
    """The most recent records first."""
    a = read_audit
    stmt = sa.select(a.c.at, a.c.client_id, a.c.profile, a.c.method, a.c.path, a.c.query,
                     a.c.status, a.c.request_id).order_by(a.c.seq.desc()).limit(limit)
    if client_id is not None:
        stmt = stmt.where(a.c.client_id == client_id)
    if since is not None:
        stmt = stmt.where(a.c.at >= since)
    if until is not None:
        stmt = stmt.where(a.c.at < until)
    return [ReadRecord(*row) for row in conn.execute(stmt)]


def prune(conn: sa.Connection, before: datetime) -> int:
    return int(conn.execute(read_audit.delete().where(read_audit.c.at < before)).rowcount)
