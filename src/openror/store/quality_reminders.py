"""The last freshness reminder sent to each recipient about each unit.

A reminder is claimed before its mail is queued, in the same transaction: the upsert takes
the (recipient, unit) row only when it is absent or older than the interval, so two runs at
once (worker processes) never remind anybody twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from openror.store import rawsql
from openror.store.quality_confirmations import upsert
from openror.store.quality_tables import quality_reminder


def last_sent(conn: sa.Connection, recipient: str, units: Iterable[str]
              ) -> dict[str, datetime]:
    table = quality_reminder
    stmt = sa.select(table.c.unit, table.c.sent_at).where(
        table.c.recipient == recipient, table.c.unit.in_(list(units)))
    return {unit: rawsql.py_time(at) for unit, at in conn.execute(stmt)}


def claim(conn: sa.Connection, recipient: str, unit: str, at: datetime,
          not_since: datetime) -> bool:
    """Record a reminder about ``unit`` to ``recipient`` at ``at``, unless one was sent
    after ``not_since``; True when recorded."""
    table = quality_reminder
    insert = upsert(conn, table).values(recipient=recipient, unit=unit, sent_at=at,
                                        mail_id=None)
    stmt = insert.on_conflict_do_update(
        index_elements=[table.c.recipient, table.c.unit],
        set_={"sent_at": insert.excluded.sent_at, "mail_id": None},
        where=table.c.sent_at <= not_since).returning(table.c.unit)
    # RETURNING rather than rowcount, which the PostgreSQL driver leaves at -1 for it
    return conn.execute(stmt).first() is not None


def attach_mail(conn: sa.Connection, recipient: str, units: list[str], mail_id: int) -> None:
    table = quality_reminder
    conn.execute(table.update().where(table.c.recipient == recipient,
                                      table.c.unit.in_(units)).values(mail_id=mail_id))
