"""OpenID Connect logins under way (keyed by the SHA-256 of their state), and the link
between an account and an OpenID Connect identity, as rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from openror.store.people_tables import oidc_login, user_account


@dataclass(frozen=True)
class PendingRow:
    browser_hash: str
    nonce: str
    verifier: str
    created_at: datetime


def insert(conn: sa.Connection, state_hash: str, row: PendingRow) -> None:
    conn.execute(oidc_login.insert().values(
        state_hash=state_hash, browser_hash=row.browser_hash, nonce=row.nonce,
        verifier=row.verifier, created_at=row.created_at))


def take(conn: sa.Connection, state_hash: str, since: datetime) -> PendingRow | None:
    """The login of this state if it started after ``since``; it is deleted either way
    (a state serves once)."""
    row = conn.execute(sa.select(oidc_login.c.browser_hash, oidc_login.c.nonce,
                                 oidc_login.c.verifier, oidc_login.c.created_at)
                       .where(oidc_login.c.state_hash == state_hash)).first()
    conn.execute(oidc_login.delete().where(oidc_login.c.state_hash == state_hash))
    if row is None:
        return None
    found = PendingRow(*row)
    return found if found.created_at > since else None


def forget_old(conn: sa.Connection, before: datetime) -> None:
    conn.execute(oidc_login.delete().where(oidc_login.c.created_at < before))


def user_of_subject(conn: sa.Connection, subject: str) -> str | None:
    row = conn.execute(sa.select(user_account.c.id)
                       .where(user_account.c.oidc_subject == subject)).first()
    return None if row is None else str(row[0])


def subject_of_user(conn: sa.Connection, user_id: str) -> str | None:
    row = conn.execute(sa.select(user_account.c.oidc_subject)
                       .where(user_account.c.id == user_id)).first()
    return None if row is None or row[0] is None else str(row[0])


def link(conn: sa.Connection, user_id: str, subject: str) -> None:
    conn.execute(user_account.update().where(user_account.c.id == user_id)
                 .values(oidc_subject=subject))
