"""Accounts and their roles, as rows. The rules (who may have which role, what a role lets
one do) are in access.roles and services.users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from openror.access.caller import Grant
from openror.store.people_tables import user_account, user_role


@dataclass(frozen=True)
class UserRow:
    id: str
    login: str
    display_name: str
    email: str | None
    practitioner_id: str | None
    created_at: datetime  # naive UTC
    disabled_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


_COLUMNS = ("id", "login", "display_name", "email", "practitioner_id", "created_at",
            "disabled_at")


def _select() -> sa.Select[Any]:
    return sa.select(*(user_account.c[name] for name in _COLUMNS))


def _from_row(row: Any) -> UserRow:
    return UserRow(*row)


def insert(conn: sa.Connection, row: UserRow) -> None:
    conn.execute(user_account.insert().values(**{n: getattr(row, n) for n in _COLUMNS}))


def by_login(conn: sa.Connection, login: str) -> UserRow | None:
    found = conn.execute(_select().where(user_account.c.login == login)).first()
    return None if found is None else _from_row(found)


def by_id(conn: sa.Connection, user_id: str) -> UserRow | None:
    found = conn.execute(_select().where(user_account.c.id == user_id)).first()
    return None if found is None else _from_row(found)


def by_email(conn: sa.Connection, email: str) -> list[UserRow]:
    stmt = _select().where(sa.func.lower(user_account.c.email) == email.lower())
    return [_from_row(row) for row in conn.execute(stmt)]


def by_practitioner(conn: sa.Connection, practitioner_id: str) -> list[UserRow]:
    stmt = _select().where(user_account.c.practitioner_id == practitioner_id)
    return [_from_row(row) for row in conn.execute(stmt)]


def all_users(conn: sa.Connection) -> list[UserRow]:
    stmt = _select().order_by(user_account.c.login)
    return [_from_row(row) for row in conn.execute(stmt)]


def update(conn: sa.Connection, user_id: str, **values: Any) -> bool:
    stmt = user_account.update().where(user_account.c.id == user_id).values(**values)
    return conn.execute(stmt).rowcount == 1


# -- roles -------------------------------------------------------------------------------

def grants(conn: sa.Connection, user_id: str) -> tuple[Grant, ...]:
    stmt = (sa.select(user_role.c.role, user_role.c.scope)
            .where(user_role.c.user_id == user_id)
            .order_by(user_role.c.role, user_role.c.scope))
    return tuple(Grant(role, scope or None) for role, scope in conn.execute(stmt))


def all_grants(conn: sa.Connection) -> dict[str, tuple[Grant, ...]]:
    found: dict[str, list[Grant]] = {}
    stmt = sa.select(user_role.c.user_id, user_role.c.role, user_role.c.scope).order_by(
        user_role.c.user_id, user_role.c.role, user_role.c.scope)
    for user_id, role, scope in conn.execute(stmt):
        found.setdefault(user_id, []).append(Grant(role, scope or None))
    return {user_id: tuple(listed) for user_id, listed in found.items()}


def add_grant(conn: sa.Connection, user_id: str, grant: Grant, at: datetime) -> bool:
    """False when the person already has it."""
    exists = conn.execute(sa.select(user_role.c.role).where(
        user_role.c.user_id == user_id, user_role.c.role == grant.role,
        user_role.c.scope == (grant.scope or ""))).first()
    if exists is not None:
        return False
    conn.execute(user_role.insert().values(user_id=user_id, role=grant.role,
                                           scope=grant.scope or "", granted_at=at))
    return True


def remove_grant(conn: sa.Connection, user_id: str, grant: Grant) -> bool:
    stmt = user_role.delete().where(user_role.c.user_id == user_id,
                                    user_role.c.role == grant.role,
                                    user_role.c.scope == (grant.scope or ""))
    return conn.execute(stmt).rowcount == 1
