"""People's sessions on HTTP: the session cookie, the caller it stands for, and CSRF
protection. The authentication middleware asks here when a request carries no bearer token.

A request authenticated by the cookie with an unsafe method must carry the session's CSRF
token in the ``X-CSRF-Token`` header: a cross-site page can make the browser send the cookie,
not read the token. Bearer-token requests need none (no browser adds that header by itself).
"""

from __future__ import annotations

import hmac
from http.cookies import SimpleCookie

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import Scope

from openror.access.caller import Caller
from openror.config import Settings
from openror.errors import Forbidden, Unauthorized, error
from openror.services.container import Services
from openror.services.sessions import Opened

#: the routes of logging in, which need no caller
OPEN_PATHS = frozenset({"/auth/login", "/auth/password-reset", "/auth/password-reset/confirm",
                        "/auth/oidc/login", "/auth/oidc/callback"})
CSRF_HEADER = "x-csrf-token"
#: everything else is a web page: no session there is an anonymous visitor (the page asks
#: to log in), and forms carry the CSRF token in a field the page checks (web.forms)
API_PREFIXES = ("/fhir", "/api", "/auth", "/-")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


def cookie_name(settings: Settings) -> str:
    """``__Host-`` makes browsers refuse the cookie unless Secure, for this host, path /."""
    return "__Host-openror-session" if settings.cookie_secure else "openror-session"


def cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope["headers"]:
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is no cookie
                continue
    return {key: morsel.value for key, morsel in jar.items()}


def header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope["headers"]:
        if name == wanted:
            return str(value.decode("latin-1"))
    return None


def host_allowed(settings: Settings, scope: Scope) -> bool:
    """Without Secure cookies, sessions exist only on the loopback (a demo)."""
    return settings.cookie_secure or _host(scope) in LOOPBACK


def _host(scope: Scope) -> str:
    value = header(scope, b"host") or ""
    if value.startswith("["):  # [::1]:8000
        return value.split("]")[0] + "]"
    return value.rsplit(":", 1)[0]


def is_web(scope: Scope) -> bool:
    path = str(scope["path"])
    return not any(path == p or path.startswith(p + "/") for p in API_PREFIXES)


async def caller(services: Services, scope: Scope) -> Caller | None:
    """The person of the session cookie (None: no cookie); 401 for a session that is not
    valid, 403 for an unsafe request without its CSRF token. On web pages an ended session
    is no session, and the CSRF token is left on the scope's state for the form to check."""
    settings = services.settings
    token = cookies(scope).get(cookie_name(settings))
    if token is None:
        return None
    if not host_allowed(settings, scope):
        raise Unauthorized([error("login", "sessions without Secure cookies are only "
                                  "served on the loopback (OPENROR_COOKIE_SECURE=false)")])
    current = await run_in_threadpool(services.people.sessions.current, token)
    web = is_web(scope)
    if current is None and web:
        return None
    if current is None:
        raise Unauthorized([error("login", "the session has expired or ended: log in again "
                                  "(POST /auth/login)")])
    if web:
        scope.setdefault("state", {})["csrf_token"] = current.csrf_token
    elif scope["method"] not in SAFE_METHODS:
        sent = header(scope, CSRF_HEADER.encode()) or ""
        if not hmac.compare_digest(sent.encode(), current.csrf_token.encode()):
            raise Forbidden([error("forbidden", "missing or wrong CSRF token: send the "
                                   "session's csrf_token (from POST /auth/login or GET "
                                   f"/auth/session) in the {CSRF_HEADER} header")])
    return current.caller


def set_session_cookie(response: Response, settings: Settings, opened: Opened) -> None:
    response.set_cookie(cookie_name(settings), opened.token,
                        max_age=settings.session_lifetime_s, path="/",
                        secure=settings.cookie_secure, httponly=True, samesite="lax")


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(cookie_name(settings), path="/", secure=settings.cookie_secure,
                           httponly=True, samesite="lax")
