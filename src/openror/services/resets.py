"""Password reset by a code sent by e-mail: a request writes a single-use, expiring code (its
SHA-256 only is kept) to the mail outbox; the code then sets a new password. A request
answers the same whether an account matches or not."""

from __future__ import annotations

import secrets
from datetime import timedelta

from openror.errors import InvalidInput, error
from openror.services import passwords
from openror.services.sessions import token_hash
from openror.store import logins, resets, sessions
from openror.store import users as user_rows
from openror.store.database import Database
from openror.store.resources import utcnow
from openror.store.users import UserRow

#: at most this many codes per account and hour: the outbox is not a way to flood a mailbox
MAX_PER_HOUR = 3
INVALID = ("Ce code de réinitialisation n'est pas valable ou a expiré : demandez-en un "
           "nouveau.")
SUBJECT = "OpenROR : réinitialisation de votre mot de passe"


def _body(user: UserRow, code: str, minutes: int) -> str:
    return (f"Bonjour {user.display_name},\n\n"
            f"La réinitialisation du mot de passe du compte OpenROR « {user.login} » a été "
            "demandée. Voici le code à saisir avec votre nouveau mot de passe (valable "
            f"{minutes} minutes, utilisable une seule fois) :\n\n{code}\n\n"
            "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot "
            "de passe reste inchangé.\n")


class Resets:
    def __init__(self, db: Database, lifetime_s: int) -> None:
        self.db = db
        self.lifetime = timedelta(seconds=lifetime_s)

    def request(self, login_or_email: str) -> int:
        """Queue a code for each active account with an e-mail address that the login (or,
        failing that, the address) names; return how many (never shown to the requester)."""
        wanted = login_or_email.strip()
        now = utcnow()
        queued = 0
        with self.db.write() as conn:
            found = user_rows.by_login(conn, wanted.lower()[:200])
            accounts = [found] if found else (user_rows.by_email(conn, wanted)
                                              if "@" in wanted else [])
            for user in accounts:
                if not user.active or not user.email or \
                        resets.recent(conn, user.id, now - timedelta(hours=1)) >= MAX_PER_HOUR:
                    continue
                code = secrets.token_urlsafe(32)
                resets.insert(conn, token_hash(code), user.id, now, now + self.lifetime)
                minutes = int(self.lifetime.total_seconds() // 60)
                resets.queue(conn, user.email, SUBJECT, _body(user, code, minutes), now)
                queued += 1
        return queued

    def confirm(self, code: str, password: str) -> str:
        """Set the new password of the code's account; return its login. The code is spent
        (and every other code of the account voided) only when the password is accepted."""
        now = utcnow()
        with self.db.write() as conn:
            user_id = resets.redeem(conn, token_hash(code.strip()), now)
            user = user_rows.by_id(conn, user_id) if user_id else None
            if user is None or not user.active:
                raise InvalidInput([error("invalid", INVALID, "token")])
            passwords.check(password, user.login)  # raises: the transaction is undone
            logins.set_password(conn, user.id, passwords.hash_password(password), now)
            resets.void_of_user(conn, user.id, now)
            sessions.delete_of_user(conn, user.id)
            logins.succeeded(conn, user.login)
            return user.login
