"""API clients: add, list, revoke, rotate; OAuth2 client-credentials authentication (a secret,
or the client certificate of mutual TLS: services.client_binding); and the caller a bearer
token stands for, checked against the client's row on every request (a revocation or a
rotation takes effect at once, on every worker)."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

import argon2
import sqlalchemy as sa

from openror.access import certificates, ror_headers, tokens
from openror.access.caller import Caller
from openror.config import Settings
from openror.errors import InvalidInput, NotFound, Unauthorized, error
from openror.services import client_binding as binding
from openror.services import client_rules as rules
from openror.store import clients as rows
from openror.store.clients import ClientRow
from openror.store.database import Database
from openror.store.resources import utcnow

# The secrets are 256 random bits, so the hash only has to keep a stolen database from
# revealing them: OWASP's minimum argon2id parameters (19 MiB, 2 passes) are plenty and keep
# the token endpoint cheap.
_HASHER = argon2.PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str  # shown once; only its hash is stored


@dataclass(frozen=True)
class AccessToken:
    access_token: str
    expires_in: int


def _bad_credentials() -> Unauthorized:
    return Unauthorized([error("security", "unknown client or wrong secret")])


def _no_credentials() -> Unauthorized:
    return Unauthorized([error("security", "unknown client, or no client secret and no "
                               "registered client certificate: send the secret, or connect "
                               "with the client's certificate (mutual TLS)")])


def _revoked_token(reason: str) -> Unauthorized:
    return Unauthorized([error("security", f"the access token is no longer valid: {reason}")],
                        token_error="invalid_token")


class Clients:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.require_certificates = settings.require_client_certificates
        self.policy = tokens.TokenPolicy(settings.token_issuer, settings.token_audience,
                                         settings.token_lifetime_s)
        self._key: bytes | None = None
        self._lock = threading.Lock()
        # hashed on first need: an unknown client id costs the same time as a wrong secret
        self._decoy: str | None = None

    # -- administration (CLI) --------------------------------------------------------------

    def add(self, name: str, profile: int, regions: tuple[str, ...] = (),
            writes: tuple[str, ...] = (), cert_pem: str | None = None,
            ror_profile: str | None = None, ror_role: str | None = None) -> Credentials:
        """A new client; ``ror_profile`` and ``ror_role`` are its Ror-* values, ``CODE`` or
        ``SYSTEM|CODE``."""
        name = rules.check_name(name)
        profile = rules.check_profile(profile)
        if not cert_pem and binding.needs_certificate(profile, self.require_certificates):
            raise InvalidInput([error("required", f"a client of access profile {profile} "
                                      "authenticates with its certificate (mutual TLS): give "
                                      "its PEM certificate (--cert)")])
        secret = rules.new_secret()
        row = ClientRow(
            client_id=rules.new_client_id(name), name=name, profile=profile,
            regions=rules.check_regions(regions), writes=rules.check_writes(writes),
            cert_thumbprint=certificates.thumbprint(cert_pem) if cert_pem else None,
            secret_hash=_HASHER.hash(secret), created_at=utcnow(),
            ror_profile=_ror(ror_profile, ror_headers.DEFAULT_PROFILE_SYSTEM, "--ror-profile"),
            ror_role=_ror(ror_role, ror_headers.DEFAULT_ROLE_SYSTEM, "--ror-role"))
        with self.db.write() as conn:
            rows.insert(conn, row)
        return Credentials(row.client_id, secret)

    def all(self) -> list[ClientRow]:
        with self.db.read() as conn:
            return rows.all_clients(conn)

    def revoke(self, client_id: str) -> None:
        with self.db.write() as conn:
            if not rows.revoke(conn, client_id, utcnow()):
                raise self._not_active(conn, client_id)

    def rotate(self, client_id: str) -> Credentials:
        """A new secret; tokens obtained with the old one stop working."""
        secret = rules.new_secret()
        with self.db.write() as conn:
            if not rows.set_secret(conn, client_id, _HASHER.hash(secret), utcnow()):
                raise self._not_active(conn, client_id)
        return Credentials(client_id, secret)

    @staticmethod
    def _not_active(conn: sa.Connection, client_id: str) -> Exception:
        if rows.get(conn, client_id) is None:
            return NotFound([error("not-found", f"no API client '{client_id}': see "
                                   "'openror clients list'")])
        return InvalidInput([error("value", f"API client '{client_id}' is revoked: add a new "
                                   "client instead")])

    # -- authentication --------------------------------------------------------------------

    def authenticate(self, client_id: str, secret: str | None,
                     certificate: str | None = None) -> AccessToken:
        """Client credentials → access token. The client proves itself with its secret, or
        with the thumbprint of the certificate it connected with (None: no secret, no
        certificate). :class:`Unauthorized` for an unknown client, a wrong secret or a
        revoked client without saying which, or when the client needs its certificate."""
        with self.db.read_primary() as conn:  # a revoked or new client: at once
            row = rows.get(conn, client_id)
        if row is None or row.revoked_at is not None:
            if secret is not None:
                self._verify(self._decoy_hash(), secret)
            raise _bad_credentials() if secret is not None else _no_credentials()
        if secret is None and not (row.cert_thumbprint
                                   and certificates.same(certificate, row.cert_thumbprint)):
            raise _no_credentials()
        if secret is not None and not self._verify(row.secret_hash, secret):
            raise _bad_credentials()
        bound = binding.token_binding(row, certificate, self.require_certificates)
        token = tokens.issue(self.signing_key(), self.policy, row.client_id, row.profile,
                             tokens.microseconds(row.secret_set_at), bound)
        return AccessToken(token, self.policy.lifetime_s)

    @staticmethod
    def _verify(secret_hash: str, secret: str) -> bool:
        try:
            return _HASHER.verify(secret_hash, secret)
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False

    def _decoy_hash(self) -> str:
        if self._decoy is None:
            self._decoy = _HASHER.hash(secrets.token_urlsafe(32))
        return self._decoy

    def caller_for_token(self, token: str, certificate: str | None = None) -> Caller:
        """Who a bearer token stands for; ``certificate`` is the thumbprint of the client
        certificate the request came with, if any."""
        claims = tokens.verify(self.signing_key(), self.policy, token)
        # the primary, even with replicas: a revoked client is refused at once
        row = rows.fetch(self.db.points.primary, claims.client_id)
        return self._caller(claims, row, certificate)

    async def acaller_for_token(self, token: str, certificate: str | None = None) -> Caller:
        """As :meth:`caller_for_token`, from the event loop (see store.point_reads)."""
        claims = tokens.verify(self.signing_key(), self.policy, token)
        row = await rows.afetch(self.db.points.primary, claims.client_id)
        return self._caller(claims, row, certificate)

    def _caller(self, claims: tokens.Claims, row: ClientRow | None,
                certificate: str | None) -> Caller:
        row = _active(claims, row)
        binding.check_token_certificate(claims.thumbprint, row, certificate,
                                        self.require_certificates)
        return Caller(actor=f"client:{row.client_id}", profile=row.profile,
                      regions=frozenset(row.regions), writes=frozenset(row.writes),
                      client_id=row.client_id,
                      ror_headers=ror_headers.expected(row.ror_profile, row.ror_role))

    def signing_key(self) -> bytes:
        """The key shared by every worker, created in the database on first need."""
        if self._key is None:
            with self._lock, self.db.write() as conn:
                self._key = rows.signing_key(conn, secrets.token_bytes(64), utcnow())
        return self._key


def _ror(value: str | None, default_system: str, what: str) -> str | None:
    return ror_headers.assignment(value, default_system, what) if value else None


def _active(claims: tokens.Claims, row: ClientRow | None) -> ClientRow:
    if row is None:
        raise _revoked_token("its client no longer exists")
    if row.revoked_at is not None:
        raise _revoked_token("its client was revoked")
    if claims.secret_gen != tokens.microseconds(row.secret_set_at):
        raise _revoked_token("the client's secret was rotated since: get a new token")
    return row
