"""The OpenID Connect provider, seen from this server: its discovery document, its keys
(cached; read again when a token names a key not seen yet), the token endpoint and the
userinfo endpoint. Plain HTTPS with the standard library, with timeouts."""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from openror.config import Settings
from openror.errors import InvalidInput, OpenRORError, error

TIMEOUT_S = 10
DISCOVERY_TTL_S = 3600
KEYS_MIN_REFRESH_S = 60  # a token naming an unknown key refreshes the keys at most this often
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class ProviderError(OpenRORError):
    """502: the provider did not answer as it should."""

    def __init__(self, message: str) -> None:
        super().__init__([error("exception", f"the identity provider: {message}")], 502)


class ProviderRefused(OpenRORError):
    """401: the provider refused the code or token of this login."""

    def __init__(self, message: str) -> None:
        super().__init__([error("security", f"the identity provider refused: {message}")],
                         401)


@dataclass(frozen=True)
class Endpoints:
    issuer: str
    authorization: str
    token: str
    userinfo: str
    jwks: str
    basic_auth: bool  # client_secret_basic (else client_secret_post)


def _secure(url: str) -> bool:
    """HTTPS, or plain HTTP on the loopback (tests, a provider on the same machine)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)


def check_issuer(issuer: str) -> str:
    if not _secure(issuer):
        raise InvalidInput([error("value", f"OPENROR_OIDC_ISSUER '{issuer}' must be an "
                                  "https:// URL")])
    return issuer.rstrip("/")


class Provider:
    def __init__(self, settings: Settings) -> None:
        self.issuer = check_issuer(settings.oidc_issuer)
        self.client_id, self.secret = settings.oidc_client_id, settings.oidc_client_secret
        self._lock = threading.Lock()
        self._endpoints: tuple[float, Endpoints] | None = None
        self._keys: tuple[float, dict[str, Any]] | None = None

    def endpoints(self) -> Endpoints:
        with self._lock:
            if self._endpoints is None or time.monotonic() - self._endpoints[0] > \
                    DISCOVERY_TTL_S:
                self._endpoints = (time.monotonic(), self._discover())
            return self._endpoints[1]

    def _discover(self) -> Endpoints:
        doc = _get_json(f"{self.issuer}/.well-known/openid-configuration")
        if str(doc.get("issuer", "")).rstrip("/") != self.issuer:  # Discovery §4.3
            raise ProviderError(f"its discovery document names issuer {doc.get('issuer')!r}")
        methods = doc.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        try:
            urls = [str(doc[name]) for name in ("authorization_endpoint", "token_endpoint",
                                                "userinfo_endpoint", "jwks_uri")]
        except KeyError as exc:
            raise ProviderError(f"its discovery document lacks {exc}") from None
        if not all(_secure(url) for url in urls):  # never file:// or plain http
            raise ProviderError("its discovery document names endpoints that are not HTTPS")
        authorization, token, userinfo, jwks = urls
        return Endpoints(str(doc["issuer"]), authorization, token, userinfo, jwks,
                         "client_secret_basic" in methods)

    def keys(self, refresh: bool = False) -> dict[str, Any]:
        """The provider's JWKS; ``refresh``: a token named a key not in it (rotation)."""
        with self._lock:
            cached = self._keys
        if cached is not None and not (
                refresh and time.monotonic() - cached[0] > KEYS_MIN_REFRESH_S):
            return cached[1]
        fetched = _get_json(self.endpoints().jwks)
        with self._lock:
            self._keys = (time.monotonic(), fetched)
        return fetched

    def exchange(self, code: str, redirect_uri: str, verifier: str) -> dict[str, Any]:
        """The token response for an authorization code (with its PKCE verifier)."""
        ends = self.endpoints()
        form = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": redirect_uri, "code_verifier": verifier}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if ends.basic_auth:  # RFC 6749 §2.3.1: each part form-encoded first
            pair = f"{quote(self.client_id, safe='')}:{quote(self.secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            form |= {"client_id": self.client_id, "client_secret": self.secret}
        return _json(urllib.request.Request(ends.token, urlencode(form).encode(), headers,
                                            method="POST"))

    def userinfo(self, access_token: str) -> dict[str, Any]:
        request = urllib.request.Request(self.endpoints().userinfo, headers={
            "Authorization": f"Bearer {access_token}", "Accept": "application/json"})
        return _json(request)


def _get_json(url: str) -> dict[str, Any]:
    return _json(urllib.request.Request(url, headers={"Accept": "application/json"}))


def _json(request: urllib.request.Request) -> dict[str, Any]:
    where = urlsplit(request.full_url).path
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            raw = response.read(1_000_000)
    except urllib.error.HTTPError as exc:
        if 400 <= exc.code < 500:  # it refused what this login sent (a code, a token)
            raise ProviderRefused(f"{where} answered {exc.code} {_reason(exc)}") from None
        raise ProviderError(f"{where} answered {exc.code} {_reason(exc)}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ProviderError(f"{where} cannot be reached ({exc})") from None
    try:
        found = json.loads(raw)
    except ValueError:
        raise ProviderError(f"{where} did not answer JSON") from None
    if not isinstance(found, dict):
        raise ProviderError(f"{where} did not answer a JSON object")
    return found


def _reason(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read(10_000))
        return str(body.get("error", "")) if isinstance(body, dict) else ""
    except (ValueError, OSError):
        return ""
