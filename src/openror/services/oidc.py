"""Logging in with OpenID Connect (Pro Santé Connect): authorization code with PKCE, state
and nonce; the ID token checked with the provider's keys; the professional's national id
(idNat_PS) from the userinfo claims links the account to their Practitioner.

Accounts are found by their OpenID Connect identity (issuer and ``sub``); failing that, an
account an administrator created for the same Practitioner is linked to the identity;
failing that, a professional account is created (``oidc_create_accounts``) or the login is
refused."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from openror.access import oidc
from openror.access.caller import Grant
from openror.access.roles import PROFESSIONAL
from openror.config import Settings
from openror.errors import Forbidden, InvalidInput, Unauthorized, error
from openror.services.oidc_provider import Provider
from openror.services.sessions import Opened, Sessions
from openror.store import derived, oidc_logins, users
from openror.store.database import Database
from openror.store.resources import utcnow
from openror.store.users import UserRow

#: the system of the national professional id (idNat_PS) on RORPractitioner
IDNAT_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
PENDING_FOR = timedelta(minutes=10)
EXPIRED = "Cette connexion n'est pas valable ou a expiré : recommencez-la."


@dataclass(frozen=True)
class Identity:
    subject: str  # "<issuer> <sub>"
    idnat: str | None
    name: str
    email: str | None


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class OidcLogin:
    def __init__(self, db: Database, settings: Settings, sessions: Sessions,
                 provider: Provider | None = None) -> None:
        self.db, self.settings, self.sessions = db, settings, sessions
        self.provider = provider or Provider(settings)

    def begin(self) -> tuple[str, oidc.Pending]:
        """The provider's authorization URL, and the login to remember: its ``browser``
        value goes into a cookie, the rest stays here."""
        login = oidc.pending()
        url = oidc.authorization_url(self.provider.endpoints().authorization,
                                     self.settings.oidc_client_id,
                                     self.settings.oidc_redirect_uri,
                                     self.settings.oidc_scopes, login)
        now = utcnow()
        with self.db.write() as conn:
            oidc_logins.forget_old(conn, now - PENDING_FOR)
            oidc_logins.insert(conn, _sha(login.state), oidc_logins.PendingRow(
                _sha(login.browser), login.nonce, login.verifier, now))
        return url, login

    def complete(self, state: str, code: str, browser: str | None) -> Opened:
        """The callback: a session for the person the provider vouches for."""
        with self.db.write() as conn:
            found = oidc_logins.take(conn, _sha(state), utcnow() - PENDING_FOR)
        if found is None or browser is None or not hmac.compare_digest(
                found.browser_hash, _sha(browser)):
            raise InvalidInput([error("invalid", EXPIRED)])
        tokens = self.provider.exchange(code, self.settings.oidc_redirect_uri, found.verifier)
        claims = self._verified(str(tokens.get("id_token", "")), found.nonce)
        info = self.provider.userinfo(str(tokens.get("access_token", "")))
        if info.get("sub") != claims["sub"]:  # OpenID Connect Core §5.3.2
            raise Unauthorized([error("security", "the userinfo is about another subject "
                                      "than the ID token")])
        identity = self._identity(claims, info)
        with self.db.write() as conn:
            user_id, login = _account(conn, identity, self.settings.oidc_create_accounts)
            return self.sessions.open(conn, user_id, login, "oidc")

    def _verified(self, token: str, nonce: str) -> dict[str, Any]:
        issuer = self.provider.endpoints().issuer
        client = self.settings.oidc_client_id
        try:
            return oidc.verify_id_token(token, self.provider.keys(), issuer, client, nonce)
        except oidc.KeyNotFound:  # the provider may have rotated its keys: read them again
            try:
                return oidc.verify_id_token(token, self.provider.keys(refresh=True), issuer,
                                            client, nonce)
            except oidc.KeyNotFound:
                raise Unauthorized([error("security", "the ID token is signed with a key "
                                          "the provider does not publish")]) from None

    def _identity(self, claims: dict[str, Any], info: dict[str, Any]) -> Identity:
        wanted = self.settings.oidc_idnat_claim
        idnat = info.get(wanted, claims.get(wanted))
        given = str(info.get("given_name") or "").strip()
        family = str(info.get("family_name") or "").strip()
        email = info.get("email")
        return Identity(f"{claims['iss']} {claims['sub']}",
                        str(idnat).strip() if idnat else None,
                        f"{given} {family}".strip() or str(idnat or claims["sub"]),
                        str(email) if email and info.get("email_verified", True) else None)


def _account(conn: sa.Connection, identity: Identity, create: bool) -> tuple[str, str]:
    """(user id, login) of the identity's account, linked or created as the module says."""
    practitioner = _practitioner(conn, identity.idnat)
    user_id = oidc_logins.user_of_subject(conn, identity.subject)
    user = users.by_id(conn, user_id) if user_id else _linkable(conn, practitioner)
    if user is None:
        if not create:
            raise Forbidden([error("forbidden", "Aucun compte OpenROR n'est associé à votre "
                                   "identité : demandez à un administrateur de vous en créer "
                                   "un.")])
        user = _create(conn, identity, practitioner)
    if not user.active:
        raise Forbidden([error("forbidden", "Ce compte OpenROR est désactivé.")])
    if user_id is None:
        oidc_logins.link(conn, user.id, identity.subject)
    if user.practitioner_id is None and practitioner is not None:
        users.update(conn, user.id, practitioner_id=practitioner)
    return user.id, user.login


def _practitioner(conn: sa.Connection, idnat: str | None) -> str | None:
    if not idnat:
        return None
    found = derived.find_by_identifier(conn, "Practitioner", IDNAT_SYSTEM, idnat)
    return found[0] if len(found) == 1 else None


def _linkable(conn: sa.Connection, practitioner: str | None) -> UserRow | None:
    """The one account created for this Practitioner and not yet linked to an identity."""
    if practitioner is None:
        return None
    found = [u for u in users.by_practitioner(conn, practitioner)
             if oidc_logins.subject_of_user(conn, u.id) is None]
    return found[0] if len(found) == 1 else None


def _create(conn: sa.Connection, identity: Identity, practitioner: str | None) -> UserRow:
    if not identity.idnat:
        raise Forbidden([error("forbidden", "Le fournisseur d'identité n'a pas transmis "
                               "votre identifiant national de professionnel de santé.")])
    login = identity.idnat.lower()
    if users.by_login(conn, login) is not None:
        raise Forbidden([error("forbidden", f"Un autre compte porte déjà l'identifiant "
                               f"{login} : demandez à un administrateur de les rapprocher.")])
    row = UserRow(uuid.uuid4().hex, login, identity.name[:200], identity.email,
                  practitioner, utcnow())
    users.insert(conn, row)
    users.add_grant(conn, row.id, Grant(PROFESSIONAL), row.created_at)
    return row
