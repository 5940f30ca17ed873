"""The mail outbox as a queue for the server's sender: queue a message, claim pending ones,
give one back after a failed delivery.

A claim marks the rows sent in the statement that takes them, so that two senders (worker
processes, a cron ``openror mail send``) never take the same row: on PostgreSQL the second
update waits for the first and then finds ``sent_at`` set; SQLite has one writer at a time.
A failed delivery gives the row back (``sent_at`` NULL again) for the next run.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from openror.store.people_tables import mail_outbox
from openror.store.resets import Mail

_COLUMNS = (mail_outbox.c.id, mail_outbox.c.created_at, mail_outbox.c.recipient,
            mail_outbox.c.subject, mail_outbox.c.body, mail_outbox.c.sent_at)


def queue(conn: sa.Connection, recipient: str, subject: str, body: str, at: datetime) -> int:
    """Add a message; return its id."""
    stmt = mail_outbox.insert().values(recipient=recipient, subject=subject, body=body,
                                       created_at=at).returning(mail_outbox.c.id)
    return int(conn.execute(stmt).scalar_one())


def claim(conn: sa.Connection, at: datetime, limit: int) -> list[Mail]:
    """Mark up to ``limit`` pending messages (oldest first) sent at ``at``; return them."""
    oldest = (sa.select(mail_outbox.c.id).where(mail_outbox.c.sent_at.is_(None))
              .order_by(mail_outbox.c.id).limit(limit).scalar_subquery())
    stmt = (mail_outbox.update()
            .where(mail_outbox.c.id.in_(oldest), mail_outbox.c.sent_at.is_(None))
            .values(sent_at=at).returning(*_COLUMNS))
    return sorted((Mail(*row) for row in conn.execute(stmt)), key=lambda m: m.id)


def give_back(conn: sa.Connection, mail_id: int, claimed_at: datetime) -> None:
    """Make a claimed message pending again (its delivery failed)."""
    conn.execute(mail_outbox.update().where(mail_outbox.c.id == mail_id,
                                            mail_outbox.c.sent_at == claimed_at)
                 .values(sent_at=None))
