"""Periodic work that one process of all the servers sharing a database does per interval
(the quality run, the planner statistics): a claim on a row of ``properties``."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from openror.store.schema import properties


def claim(conn: sa.Connection, key: str, now: datetime, every_s: int) -> bool:
    """Whether the work named ``key`` is due and this process takes it: the row is locked
    for the transaction, so of several server processes one takes it and the others see it
    taken until ``every_s`` seconds have passed."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(properties).values(key=key, value="").on_conflict_do_nothing())
    value = conn.execute(sa.select(properties.c.value).where(properties.c.key == key)
                         .with_for_update()).scalar_one()
    if value and (now - datetime.fromisoformat(value)).total_seconds() < every_s:
        return False
    conn.execute(properties.update().where(properties.c.key == key).values(value=now.isoformat()))
    return True
