"""Password reset tokens, as rows (their SHA-256 only) and the mail outbox they are sent
through."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from openror.store.people_tables import mail_outbox, password_reset


def insert(conn: sa.Connection, token_hash: str, user_id: str, at: datetime,
           expires_at: datetime) -> None:
    conn.execute(password_reset.insert().values(token_hash=token_hash, user_id=user_id,
                                                created_at=at, expires_at=expires_at))


def recent(conn: sa.Connection, user_id: str, since: datetime) -> int:
    stmt = sa.select(sa.func.count()).select_from(password_reset).where(
        password_reset.c.user_id == user_id, password_reset.c.created_at > since)
    return int(conn.execute(stmt).scalar_one())


def redeem(conn: sa.Connection, token_hash: str, now: datetime) -> str | None:
    """Mark an unused, unexpired token used; return its account (None: not valid)."""
    stmt = (password_reset.update()
            .where(password_reset.c.token_hash == token_hash,
                   password_reset.c.used_at.is_(None), password_reset.c.expires_at > now)
            .values(used_at=now).returning(password_reset.c.user_id))
    row = conn.execute(stmt).first()
    return None if row is None else str(row[0])


def void_of_user(conn: sa.Connection, user_id: str, now: datetime) -> None:
    conn.execute(password_reset.update().where(password_reset.c.user_id == user_id,
                                               password_reset.c.used_at.is_(None))
                 .values(used_at=now))


# -- outbox --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Mail:
    id: int
    created_at: datetime
    recipient: str
    subject: str
    body: str
    sent_at: datetime | None


def queue(conn: sa.Connection, recipient: str, subject: str, body: str, at: datetime) -> None:
    conn.execute(mail_outbox.insert().values(recipient=recipient, subject=subject, body=body,
                                             created_at=at))


def outbox(conn: sa.Connection, unsent_only: bool = True) -> list[Mail]:
    stmt = sa.select(mail_outbox.c.id, mail_outbox.c.created_at, mail_outbox.c.recipient,
                     mail_outbox.c.subject, mail_outbox.c.body, mail_outbox.c.sent_at)
    if unsent_only:
        stmt = stmt.where(mail_outbox.c.sent_at.is_(None))
    return [Mail(*row) for row in conn.execute(stmt.order_by(mail_outbox.c.id))]


def mark_sent(conn: sa.Connection, ids: list[int], at: datetime) -> int:
    stmt = mail_outbox.update().where(mail_outbox.c.id.in_(ids),
                                      mail_outbox.c.sent_at.is_(None)).values(sent_at=at)
    return int(conn.execute(stmt).rowcount)
