"""Passwords and failed-login throttling, as rows. The rules (hashing, how many failures,
how long a lock) are in services.logins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from openror.store import rawsql
from openror.store.people_tables import login_throttle, user_account


@dataclass(frozen=True)
class Secret:
    user_id: str
    password_hash: str | None
    active: bool


def secret(conn: sa.Connection, login: str) -> Secret | None:
    row = conn.execute(sa.select(user_account.c.id, user_account.c.password_hash,
                                 user_account.c.disabled_at)
                       .where(user_account.c.login == login)).first()
    return None if row is None else Secret(row[0], row[1], row[2] is None)


def set_password(conn: sa.Connection, user_id: str, password_hash: str, at: datetime) -> None:
    conn.execute(user_account.update().where(user_account.c.id == user_id)
                 .values(password_hash=password_hash, password_set_at=at))


# -- throttle ----------------------------------------------------------------------------

def locked_until(conn: sa.Connection, login: str, now: datetime) -> datetime | None:
    row = conn.execute(sa.select(login_throttle.c.locked_until)
                       .where(login_throttle.c.login == login)).first()
    if row is None or row[0] is None:
        return None
    until = rawsql.py_time(row[0])
    return until if until > now else None


# One statement, so that concurrent failures on several workers all count.
_FAILED = (
    "INSERT INTO login_throttle (login, failures, first_failed_at, locked_until) "
    "VALUES (:login, 1, :now, NULL) ON CONFLICT (login) DO UPDATE SET "
    "failures = CASE WHEN login_throttle.first_failed_at <= :since THEN 1 "
    "ELSE login_throttle.failures + 1 END, "
    "first_failed_at = CASE WHEN login_throttle.first_failed_at <= :since THEN :now "
    "ELSE login_throttle.first_failed_at END "
    "RETURNING failures")


def failed(conn: sa.Connection, login: str, now: datetime, window: timedelta,
           limit: int) -> datetime | None:
    """Count a failure within ``window``; at ``limit`` failures, lock the login for
    ``window`` and return until when."""
    dialect = conn.dialect.name
    count = int(rawsql.run(conn, _FAILED, {
        "login": login, "now": rawsql.db_time(now, dialect),
        "since": rawsql.db_time(now - window, dialect)}).fetchone()[0])
    if count < limit:
        return None
    until = now + window
    conn.execute(login_throttle.update().where(login_throttle.c.login == login)
                 .values(locked_until=until, failures=0, first_failed_at=now))
    return until


def succeeded(conn: sa.Connection, login: str) -> None:
    conn.execute(login_throttle.delete().where(login_throttle.c.login == login))


def forget_old(conn: sa.Connection, before: datetime) -> None:
    """Drop the rows of logins whose failures and lock are over (unknown logins pile up)."""
    stale: Any = sa.and_(login_throttle.c.first_failed_at < before,
                         sa.or_(login_throttle.c.locked_until.is_(None),
                                login_throttle.c.locked_until < before))
    conn.execute(login_throttle.delete().where(stale))
