"""People's sessions: opened at login (password or OpenID Connect), looked up on every
request that carries the cookie, ended at logout, expiry, password change or when the
account is disabled. The cookie holds a random id; the database only its SHA-256, so a copy
of the database opens no session."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from openror.access.caller import Caller
from openror.access.roles import person_caller
from openror.store import sessions as rows
from openror.store import users
from openror.store.database import Database
from openror.store.resources import utcnow


@dataclass(frozen=True)
class Opened:
    """A new session: ``token`` goes into the cookie and is shown nowhere else."""

    token: str
    csrf_token: str
    expires_at: datetime  # naive UTC
    login: str


@dataclass(frozen=True)
class Current:
    caller: Caller
    csrf_token: str
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Sessions:
    def __init__(self, db: Database, lifetime_s: int) -> None:
        self.db = db
        self.lifetime = timedelta(seconds=lifetime_s)

    def open(self, conn: sa.Connection, user_id: str, login: str, method: str) -> Opened:
        """A session for ``user_id``, in the caller's transaction (a fresh id at every login:
        no session fixation)."""
        now = utcnow()
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        rows.delete_expired(conn, now)
        rows.insert(conn, rows.SessionRow(token_hash(token), user_id, csrf, method, now,
                                          now + self.lifetime))
        return Opened(token, csrf, now + self.lifetime, login)

    def current(self, token: str) -> Current | None:
        """The caller of a live session (None: unknown, expired or ended, account disabled).
        Roles are read at every request, on the primary: a revoked role stops at once."""
        with self.db.read_primary() as conn:
            found = rows.live(conn, token_hash(token), utcnow())
            if found is None:
                return None
            grants = users.grants(conn, found.user_id)
        caller = person_caller(found.login, found.practitioner_id, grants)
        return Current(caller, found.csrf_token, found.expires_at)

    def close(self, token: str) -> None:
        with self.db.write() as conn:
            rows.delete(conn, token_hash(token))
