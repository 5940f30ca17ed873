"""A small OpenID provider for the tests, served on loopback: discovery, JWKS, authorize
(consents at once, for the person set in ``user``), token (authorization code with PKCE
S256, client_secret_basic) and userinfo, shaped like Pro Santé Connect's. ``fault`` makes it
misbehave the way a test needs: an ID token with the wrong nonce, audience or issuer,
tampered, expired, signed by a key it does not publish, or a userinfo about someone else."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID, CLIENT_SECRET = "openror-test", "client secret: not a real one"


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Grant:
    redirect_uri: str
    challenge: str
    nonce: str
    user: dict[str, Any]


@dataclass
class Provider:
    port: int
    user: dict[str, Any] = field(default_factory=dict)  # the userinfo claims of who logs in
    fault: str | None = None
    key: rsa.RSAPrivateKey = field(default_factory=_rsa)
    rogue_key: rsa.RSAPrivateKey = field(default_factory=_rsa)
    codes: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}/realms/test"

    def discovery(self, _request: Request) -> Response:
        base = self.issuer
        return JSONResponse({
            "issuer": base, "authorization_endpoint": f"{base}/auth",
            "token_endpoint": f"{base}/token", "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/certs", "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"]})

    def certs(self, _request: Request) -> Response:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return JSONResponse({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]})

    def authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != CLIENT_ID or q.get("response_type") != "code" or \
                q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return JSONResponse({"error": "invalid_request"}, 400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = Grant(q["redirect_uri"], q["code_challenge"], q.get("nonce", ""),
                                 dict(self.user))
        state = "forged-state" if self.fault == "state" else q["state"]
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': state})}",
                                302)

    async def token(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))
        self.token_requests.append(form)
        if _basic(request.headers.get("authorization", "")) != (CLIENT_ID, CLIENT_SECRET):
            return JSONResponse({"error": "invalid_client"}, 401)
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant.redirect_uri:
            return JSONResponse({"error": "invalid_grant"}, 400)
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.challenge:
            return JSONResponse({"error": "invalid_grant",
                                 "error_description": "PKCE verification failed"}, 400)
        access = secrets.token_urlsafe(16)
        self.tokens[access] = grant.user
        return JSONResponse({"access_token": access, "token_type": "Bearer",
                             "expires_in": 60, "id_token": self.id_token(grant)})

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": grant.user["sub"], "aud": CLIENT_ID,
                  "iat": now, "exp": now + 60, "nonce": grant.nonce,
                  "preferred_username": grant.user.get("SubjectNameID")}
        claims |= {"nonce": "another-nonce"} if self.fault == "nonce" else {}
        claims |= {"aud": "another-client"} if self.fault == "audience" else {}
        claims |= {"iss": "https://elsewhere.example"} if self.fault == "issuer" else {}
        claims |= {"iat": now - 7200, "exp": now - 3600} if self.fault == "expired" else {}
        key = self.rogue_key if self.fault == "rogue-key" else self.key
        token = jwt.encode(claims, key, "RS256", headers={"kid": "k1"})
        if self.fault == "tampered":  # same signature, another subject
            head, body, signature = token.split(".")
            claims["sub"] = "someone-else"
            body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            token = f"{head}.{body}.{signature}"
        if self.fault == "hs256":  # HMAC with the shared client secret
            token = jwt.encode(claims, CLIENT_SECRET * 2, "HS256", headers={"kid": "k1"})
        return token

    def userinfo(self, request: Request) -> Response:
        user = self.tokens.get(request.headers.get("authorization", "").removeprefix("Bearer "))
        if user is None:
            return JSONResponse({"error": "invalid_token"}, 401)
        return JSONResponse({**user, "sub": "someone-else"} if self.fault == "userinfo-sub"
                            else user)

    def app(self) -> Starlette:
        base = "/realms/test"
        return Starlette(routes=[
            Route(f"{base}/.well-known/openid-configuration", self.discovery),
            Route(f"{base}/certs", self.certs),
            Route(f"{base}/auth", self.authorize),
            Route(f"{base}/token", self.token, methods=["POST"]),
            Route(f"{base}/userinfo", self.userinfo)])


def _basic(header: str) -> tuple[str, str]:
    """RFC 6749 §2.3.1: Basic over the form-encoded id and secret."""
    decoded = base64.b64decode(header.removeprefix("Basic ") or "=").decode()
    client, _, secret = decoded.partition(":")
    return unquote(client), unquote(secret)


def psc_user(idnat: str, sub: str | None = None) -> dict[str, Any]:
    """Userinfo claims as Pro Santé Connect gives them (a subset)."""
    return {"sub": sub or f"f:{idnat}", "SubjectNameID": idnat, "given_name": "CLAIRE",
            "family_name": "PRO", "preferred_username": idnat,
            "SubjectRefPro": {"codeCivilite": "MME", "exercices": [
                {"codeProfession": "10", "codeCategorieProfessionnelle": "C"}]},
            "otherIds": [{"identifiant": idnat[1:], "origine": "RPPS", "qualite": 1}]}


class RunningProvider:
    """The provider served by uvicorn in a background thread."""

    def __init__(self, port: int) -> None:
        self.provider = Provider(port)
        config = uvicorn.Config(self.provider.app(), host="127.0.0.1", port=port,
                                log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Provider:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("test OpenID provider did not start")
            time.sleep(0.02)
        return self.provider

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
