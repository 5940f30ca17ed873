"""People's accounts and their roles: add, list, grant, revoke, disable (the CLI), and the
caller an account stands for (access.roles)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from openror.access.caller import Caller, Grant
from openror.access.roles import ADMIN, OPERATOR, REFERENT, ROLES, SCOPED, person_caller
from openror.errors import InvalidInput, NotFound, error
from openror.services.client_rules import check_region
from openror.store import derived, sessions
from openror.store import users as rows
from openror.store.database import Database
from openror.store.resources import utcnow
from openror.store.users import UserRow

_LOGIN = re.compile(r"[a-z0-9][a-z0-9._@-]{0,199}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}")


@dataclass(frozen=True)
class Account:
    user: UserRow
    grants: tuple[Grant, ...]


def _invalid(message: str) -> InvalidInput:
    return InvalidInput([error("value", message)])


def check_login(login: str) -> str:
    login = login.strip().lower()
    if not _LOGIN.fullmatch(login):
        raise _invalid(f"login '{login}' is not valid: use 1 to 200 letters, digits and . _ @ -"
                       ", starting with a letter or digit")
    return login


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200 or not name.isprintable():
        raise _invalid("the display name must be 1 to 200 printable characters")
    return name


def _check_email(email: str | None) -> str | None:
    if email is None:
        return None
    email = email.strip()
    if not _EMAIL.fullmatch(email):
        raise _invalid(f"'{email}' is not an e-mail address")
    return email


def parse_grant(text: str) -> Grant:
    """``role`` or ``role:scope`` → Grant, with the scope's form checked."""
    role, colon, scope = text.strip().partition(":")
    if role not in ROLES:
        raise _invalid(f"'{role}' is not a role: use one of {', '.join(ROLES)}")
    if role in SCOPED and not scope:
        what = "an Organization id" if role == REFERENT else "an INSEE region code"
        raise _invalid(f"role '{role}' needs a scope, {what}: {role}:<scope>")
    if role not in SCOPED and colon:
        raise _invalid(f"role '{role}' takes no scope (a professional's is the practitioner "
                       "linked to the account)")
    if role == OPERATOR:
        check_region(scope)
    return Grant(role, scope or None)


class Users:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, login: str, name: str, email: str | None = None,
            practitioner: str | None = None, grants: tuple[str, ...] = ()) -> UserRow:
        parsed = [parse_grant(g) for g in grants]
        row = UserRow(id=uuid.uuid4().hex, login=check_login(login), display_name=_check_name(name),
                      email=_check_email(email), practitioner_id=practitioner,
                      created_at=utcnow())
        with self.db.write() as conn:
            if rows.by_login(conn, row.login) is not None:
                raise _invalid(f"login '{row.login}' is taken: choose another")
            if practitioner is not None:
                _must_exist(conn, "Practitioner", practitioner)
            rows.insert(conn, row)
            for grant in parsed:
                self._check_scope(conn, grant)
                rows.add_grant(conn, row.id, grant, row.created_at)
        return row

    def all(self) -> list[Account]:
        with self.db.read() as conn:
            grants = rows.all_grants(conn)
            return [Account(user, grants.get(user.id, ())) for user in rows.all_users(conn)]

    def account(self, login: str) -> Account:
        with self.db.read() as conn:
            user = _user(conn, login)
            return Account(user, rows.grants(conn, user.id))

    def grant(self, login: str, text: str) -> bool:
        """False when the person already had the role."""
        grant = parse_grant(text)
        with self.db.write() as conn:
            user = _user(conn, login)
            self._check_scope(conn, grant)
            return rows.add_grant(conn, user.id, grant, utcnow())

    def revoke(self, login: str, text: str) -> None:
        grant = parse_grant(text)
        with self.db.write() as conn:
            if not rows.remove_grant(conn, _user(conn, login).id, grant):
                raise _invalid(f"'{login}' does not have the role {text}")

    def disable(self, login: str) -> None:
        """The account can no longer log in; its sessions stop working at once."""
        with self.db.write() as conn:
            user = _user(conn, login)
            if user.active:
                rows.update(conn, user.id, disabled_at=utcnow())
            sessions.delete_of_user(conn, user.id)

    def caller(self, login: str) -> Caller:
        """The caller of an active account (for tests and the CLI; requests resolve theirs
        from the session)."""
        found = self.account(login)
        if not found.user.active:
            raise _invalid(f"account '{login}' is disabled")
        return person_caller(found.user.login, found.user.practitioner_id, found.grants)

    @staticmethod
    def _check_scope(conn: sa.Connection, grant: Grant) -> None:
        if grant.role == REFERENT and grant.scope is not None:
            _must_exist(conn, "Organization", grant.scope)
        if grant.role == ADMIN and grant.scope is not None:
            raise _invalid("role 'admin' takes no scope")


def _user(conn: sa.Connection, login: str) -> UserRow:
    found = rows.by_login(conn, login.strip().lower())
    if found is None:
        raise NotFound([error("not-found", f"no account '{login}': see 'openror users list'")])
    return found


def _must_exist(conn: sa.Connection, rtype: str, rid: str) -> None:
    if not derived.existing(conn, [(rtype, rid)]):
        raise _invalid(f"{rtype}/{rid} does not exist: give the id of a stored {rtype}")
