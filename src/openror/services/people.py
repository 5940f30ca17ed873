"""The services of people's accounts, wired together: accounts and roles, password logins,
sessions, password resets, OpenID Connect."""

from __future__ import annotations

from dataclasses import dataclass

from openror.config import Settings
from openror.services.logins import Logins
from openror.services.oidc import OidcLogin
from openror.services.resets import Resets
from openror.services.sessions import Sessions
from openror.services.users import Users
from openror.store.database import Database


@dataclass(frozen=True)
class People:
    users: Users
    sessions: Sessions
    logins: Logins
    resets: Resets
    oidc: OidcLogin | None  # None: no OpenID Connect provider configured

    @classmethod
    def open(cls, db: Database, settings: Settings) -> People:
        sessions = Sessions(db, settings.session_lifetime_s)
        return cls(Users(db), sessions,
                   Logins(db, sessions, settings.login_max_failures, settings.login_lockout_s),
                   Resets(db, settings.password_reset_lifetime_s),
                   OidcLogin(db, settings, sessions) if settings.oidc_issuer else None)
