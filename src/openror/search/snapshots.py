"""The matches of a search kept for its later pages (table ``search_snapshot``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import orjson
import sqlalchemy as sa

from openror.store.search_tables import search_snapshot as table

Hit = tuple[str, int, float | None, float | None]  # id, version, distance, score


@dataclass(frozen=True)
class Snapshot:
    token: str
    rtype: str
    hits: list[Hit]
    total: int | None  # None: more than the cap, not counted


def save_snapshot(conn: sa.Connection, snap: Snapshot, now: datetime, expired: datetime
                  ) -> None:
    if conn.dialect.name == "postgresql":
        # a snapshot lost in a crash only costs a client its next page: no need to wait for
        # the disk (SQLite in WAL mode with synchronous=NORMAL does not wait either)
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
    conn.execute(table.delete().where(table.c.created_at < expired))
    conn.execute(table.insert().values(
        token=snap.token, created_at=now, type=snap.rtype,
        matches=orjson.dumps(snap.hits), total=snap.total))


def load_snapshot(conn: sa.Connection, token: str, expired: datetime) -> Snapshot | None:
    row = conn.execute(sa.select(table).where(table.c.token == token,
                                              table.c.created_at >= expired)).first()
    if row is None:
        return None
    hits = [(h[0], h[1], h[2], h[3]) for h in orjson.loads(row.matches)]
    return Snapshot(row.token, row.type, hits, row.total)
