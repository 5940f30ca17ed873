"""Logging in with a password: failed attempts counted per login name in the database (so
that every worker agrees), a lock after too many, and a session on success. Messages are in
French: people read them."""

from __future__ import annotations

from datetime import timedelta

from openror.errors import NotFound, OpenRORError, Unauthorized, error
from openror.services import passwords
from openror.services.sessions import Opened, Sessions
from openror.services.users import check_login
from openror.store import logins as rows
from openror.store import sessions as session_rows
from openror.store.database import Database
from openror.store.resources import utcnow

REFUSED = "Identifiant ou mot de passe incorrect."


class LoginLocked(OpenRORError):
    """429: too many failed logins for this login name; ``retry_after`` seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__([error("throttled", "Trop d'échecs de connexion : ce compte est "
                                f"verrouillé pendant {minutes} min. Réessayez plus tard, ou "
                                "demandez la réinitialisation de votre mot de passe.")],
                         429, {"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class Logins:
    def __init__(self, db: Database, sessions: Sessions, max_failures: int,
                 lockout_s: int) -> None:
        self.db, self.sessions = db, sessions
        self.max_failures, self.window = max_failures, timedelta(seconds=lockout_s)

    def login(self, login: str, password: str) -> Opened:
        """A session, or :class:`Unauthorized` (unknown login, wrong password, disabled
        account: not told apart) or :class:`LoginLocked`."""
        name = login.strip().lower()[:200]
        now = utcnow()
        with self.db.read_primary() as conn:  # a lock, a new password: at once
            locked = rows.locked_until(conn, name, now)
            if locked is not None:
                raise LoginLocked(_seconds(locked - now))
            found = rows.secret(conn, name)
        ok = passwords.verify(found.password_hash if found else None, password)
        if not ok or found is None or not found.active:
            with self.db.write() as conn:  # committed before refusing
                rows.forget_old(conn, now - self.window)
                until = rows.failed(conn, name, now, self.window, self.max_failures)
            if until is not None:
                raise LoginLocked(_seconds(until - now))
            raise Unauthorized([error("login", REFUSED)])
        with self.db.write() as conn:
            rows.succeeded(conn, name)
            if found.password_hash and passwords.needs_rehash(found.password_hash):
                rows.set_password(conn, found.user_id, passwords.hash_password(password), now)
            return self.sessions.open(conn, found.user_id, name, "password")

    def set_password(self, login: str, password: str) -> None:
        """Set (or change) a password; the account's sessions end, its lock is lifted."""
        name = check_login(login)
        passwords.check(password, name)
        hashed = passwords.hash_password(password)
        with self.db.write() as conn:
            found = rows.secret(conn, name)
            if found is None:
                raise NotFound([error("not-found", f"no account '{name}': see "
                                      "'openror users list'")])
            rows.set_password(conn, found.user_id, hashed, utcnow())
            session_rows.delete_of_user(conn, found.user_id)
            rows.succeeded(conn, name)


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() + 0.999))
