"""Access tokens: JWTs signed with the server's secret (HS256), issued by POST /auth/token and
checked on every request. Pure: the key and the client come from the caller (services.clients).

Besides the registered claims (iss, aud, sub, iat, exp, jti) a token carries the client's
access profile, ``secret_gen`` — when the secret it was obtained with was set, so a rotation
voids every earlier token exactly, even within the same second — and, for a client with a
certificate, ``cnf.x5t#S256`` (RFC 8705) for when mutual TLS is enforced.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import jwt

from openror.errors import Unauthorized, error

ALGORITHM = "HS256"
#: RFC 9068 media type of JWT access tokens
TOKEN_TYPE = "at+jwt"
#: clock difference tolerated between the servers that issue and check tokens
LEEWAY_S = 10
_REQUIRED = ["iss", "aud", "sub", "iat", "exp", "jti"]


@dataclass(frozen=True)
class TokenPolicy:
    issuer: str
    audience: str
    lifetime_s: int


@dataclass(frozen=True)
class Claims:
    client_id: str
    profile: int
    secret_gen: int  # microseconds since the epoch (UTC)
    issued_at: int
    expires_at: int
    jti: str
    thumbprint: str | None = None


def microseconds(moment: datetime) -> int:
    """A naive UTC timestamp as whole microseconds since the epoch."""
    return (moment - datetime(1970, 1, 1)) // timedelta(microseconds=1)


def issue(key: bytes, policy: TokenPolicy, client_id: str, profile: int, secret_gen: int,
          thumbprint: str | None = None, now: datetime | None = None) -> str:
    moment = now or datetime.now(UTC).replace(tzinfo=None)
    issued = microseconds(moment) // 1_000_000
    payload: dict[str, Any] = {
        "iss": policy.issuer, "aud": policy.audience, "sub": client_id,
        "iat": issued, "exp": issued + policy.lifetime_s, "jti": uuid.uuid4().hex,
        "profile": profile, "secret_gen": secret_gen,
    }
    if thumbprint:
        payload["cnf"] = {"x5t#S256": thumbprint}
    return jwt.encode(payload, key, algorithm=ALGORITHM, headers={"typ": TOKEN_TYPE})


def verify(key: bytes, policy: TokenPolicy, token: str) -> Claims:
    """The claims of a token this server issued and that is still in date; otherwise
    :class:`Unauthorized` saying what is wrong with it."""
    claims = _verified(key, policy, token)
    if time.time() > claims.expires_at + LEEWAY_S:  # remembered, but expired since
        raise _expired()
    return claims


@lru_cache(maxsize=4096)
def _verified(key: bytes, policy: TokenPolicy, token: str) -> Claims:
    """A client sends the same token with each request until it expires: its signature and
    claims are checked once (a refused token is not remembered, so it is checked again). A
    token's client may still be revoked: the caller looks it up at every request."""
    try:
        payload = jwt.decode(token, key, algorithms=[ALGORITHM], audience=policy.audience,
                             issuer=policy.issuer, leeway=LEEWAY_S,
                             options={"require": _REQUIRED})
    except jwt.ExpiredSignatureError:
        raise _expired() from None
    except jwt.InvalidTokenError as exc:
        raise _invalid("security", _reason(exc)) from None
    return _claims(payload)


def _expired() -> Unauthorized:
    return _invalid("expired", "the access token has expired: get a new one from "
                    "POST /auth/token")


def _reason(exc: jwt.InvalidTokenError) -> str:
    if isinstance(exc, jwt.InvalidSignatureError):
        return ("the access token's signature does not match: it was altered, or issued by "
                "another server")
    if isinstance(exc, jwt.InvalidAudienceError):
        return "the access token is meant for another audience (aud) than this server"
    if isinstance(exc, jwt.InvalidIssuerError):
        return "the access token was issued by another issuer (iss) than this server"
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return f"the access token lacks the '{exc.claim}' claim"
    if isinstance(exc, jwt.ImmatureSignatureError):
        return "the access token is not valid yet (iat in the future)"
    return _MALFORMED


_MALFORMED = ("the access token is malformed: send the access_token of POST /auth/token as "
              "'Authorization: Bearer <token>'")


def _claims(payload: dict[str, Any]) -> Claims:
    sub, profile, gen = payload.get("sub"), payload.get("profile"), payload.get("secret_gen")
    cnf = payload.get("cnf")
    thumbprint = cnf.get("x5t#S256") if isinstance(cnf, dict) else None
    if not (isinstance(sub, str) and type(profile) is int and type(gen) is int
            and isinstance(payload["jti"], str)):
        raise _invalid("security", _MALFORMED)
    return Claims(sub, profile, gen, int(payload["iat"]), int(payload["exp"]), payload["jti"],
                  thumbprint if isinstance(thumbprint, str) else None)


def _invalid(code: str, message: str) -> Unauthorized:
    return Unauthorized([error(code, message)], token_error="invalid_token")
