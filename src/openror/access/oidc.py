"""OpenID Connect, the parts without input or output: PKCE, the authorization request, and
the verification of an ID token (signature by the provider's keys, issuer, audience,
authorized party, nonce, dates). The exchanges with the provider are in
services.oidc_provider; the login flow in services.oidc."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt

from openror.errors import Unauthorized, error

#: asymmetric algorithms only: a symmetric one would let the shared client secret, or a public
#: key taken for an HMAC secret, forge tokens
ALGORITHMS = ("RS256", "PS256", "ES256", "RS384", "RS512", "PS384", "PS512", "ES384")
LEEWAY_S = 60  # clock skew between the provider and this server


@dataclass(frozen=True)
class Pending:
    """What a login under way keeps until the callback: never sent to the browser but the
    state (in the URL) and the browser binding (in a cookie)."""

    state: str
    nonce: str
    verifier: str
    browser: str


def pending() -> Pending:
    return Pending(secrets.token_urlsafe(32), secrets.token_urlsafe(32),
                   secrets.token_urlsafe(64), secrets.token_urlsafe(32))


def challenge(verifier: str) -> str:
    """PKCE S256 (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_url(endpoint: str, client_id: str, redirect_uri: str, scopes: str,
                      login: Pending) -> str:
    query = urlencode({"response_type": "code", "client_id": client_id,
                       "redirect_uri": redirect_uri, "scope": scopes, "state": login.state,
                       "nonce": login.nonce, "code_challenge": challenge(login.verifier),
                       "code_challenge_method": "S256"})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def _refused(why: str) -> Unauthorized:
    return Unauthorized([error("security", f"the identity provider's ID token is not valid: "
                               f"{why}")])


def verify_id_token(token: str, keys: dict[str, Any], issuer: str, client_id: str,
                    nonce: str) -> dict[str, Any]:
    """The claims of a valid ID token (OpenID Connect Core §3.1.3.7), else Unauthorized.
    ``keys``: the provider's JWKS document."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise _refused("it is not a JWT") from None
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise _refused(f"algorithm {alg!r} is not accepted")
    key = _key(keys, header.get("kid"))
    try:
        claims: dict[str, Any] = jwt.decode(
            token, key, algorithms=[alg], audience=client_id, issuer=issuer,
            leeway=LEEWAY_S, options={"require": ["iss", "sub", "aud", "exp", "iat"]})
    except jwt.PyJWTError as exc:
        raise _refused(str(exc)) from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise _refused("several audiences and this server is not the authorized party")
    if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
        raise _refused("the nonce is not the one of this login")
    return claims


def _key(keys: dict[str, Any], kid: str | None) -> Any:
    try:
        jwks = jwt.PyJWKSet.from_dict(keys)
    except jwt.PyJWTError:
        raise _refused("the provider's key set cannot be read") from None
    found = [k for k in jwks.keys if (kid is None or k.key_id == kid)
             and k.public_key_use in (None, "sig")]
    if len(found) != 1:
        raise KeyNotFound(kid)
    return found[0].key


class KeyNotFound(Exception):
    """The token names a key the key set does not have (the provider may have rotated)."""
