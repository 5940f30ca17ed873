"""Server-side sessions of people, as rows: the SHA-256 of the cookie's random id, never the
id itself. The rules (lifetime, who may have one) are in services.sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from openror.store import rawsql
from openror.store.people_tables import user_account, user_session


@dataclass(frozen=True)
class SessionRow:
    id_hash: str
    user_id: str
    csrf_token: str
    method: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class LiveSession:
    """A session and what the caller is made of, read in one statement."""

    user_id: str
    login: str
    practitioner_id: str | None
    csrf_token: str
    expires_at: datetime


def insert(conn: sa.Connection, row: SessionRow) -> None:
    conn.execute(user_session.insert().values(
        id_hash=row.id_hash, user_id=row.user_id, csrf_token=row.csrf_token,
        method=row.method, created_at=row.created_at, expires_at=row.expires_at))


def live(conn: sa.Connection, id_hash: str, now: datetime) -> LiveSession | None:
    """The unexpired session of an active account."""
    stmt = (sa.select(user_session.c.user_id, user_account.c.login,
                      user_account.c.practitioner_id, user_session.c.csrf_token,
                      user_session.c.expires_at)
            .join(user_account, user_account.c.id == user_session.c.user_id)
            .where(user_session.c.id_hash == id_hash, user_session.c.expires_at > now,
                   user_account.c.disabled_at.is_(None)))
    row = conn.execute(stmt).first()
    if row is None:
        return None
    return LiveSession(row[0], row[1], row[2], row[3], rawsql.py_time(row[4]))


def delete(conn: sa.Connection, id_hash: str) -> None:
    conn.execute(user_session.delete().where(user_session.c.id_hash == id_hash))


def delete_of_user(conn: sa.Connection, user_id: str) -> int:
    return int(conn.execute(user_session.delete()
                            .where(user_session.c.user_id == user_id)).rowcount)


def delete_expired(conn: sa.Connection, now: datetime) -> None:
    conn.execute(user_session.delete().where(user_session.c.expires_at <= now))
