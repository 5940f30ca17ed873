"""Named counters, used for functional identifiers (``<region>/<localId>``).

Incremented in the writer's transaction: a rolled-back write gives its number back, a
committed one never reuses it.
"""

from __future__ import annotations

import sqlalchemy as sa

from openror.store import rawsql

# Same SQL on both back-ends (SQLite >= 3.35 has UPSERT and RETURNING).
_NEXT = (
    "INSERT INTO counter (name, value) VALUES (:name, 1) "
    "ON CONFLICT (name) DO UPDATE SET value = counter.value + 1 RETURNING value"
)


def next_value(conn: sa.Connection, name: str) -> int:
    return int(rawsql.run(conn, _NEXT, {"name": name}).fetchone()[0])
