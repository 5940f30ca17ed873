"""Named counters, used for functional identifiers (``<region>/<localId>``).

Incremented in the writer's transaction: a rolled-back write gives its number back, a
committed one never reuses it.
"""

from __future__ import annotations

import sqlalchemy as sa

from openror.store.dialect import insert
from openror.store.schema import counter


def next_value(conn: sa.Connection, name: str) -> int:
    stmt = insert(counter, conn.dialect.name).values(name=name, value=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[counter.c.name], set_={"value": counter.c.value + 1}
    ).returning(counter.c.value)
    return int(conn.execute(stmt).scalar_one())
