"""Protections every response gets, whoever asks: security headers, and a rate limit per
caller (429 with ``Retry-After``)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openror.access.caller import ANONYMOUS, Caller
from openror.access.rate_limit import RateLimiter
from openror.api.http import outcome_response
from openror.errors import TooManyRequests, error

#: an API answers data, never a page to render or frame: nothing may be loaded or framed
#: from it. Pages of the web UI set their own policy, which this one does not replace.
HEADERS = (
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"interest-cohort=()"),
)
#: responses may hold what only this caller may see: no shared cache may keep them
PRIVATE = (b"cache-control", b"private, no-cache")
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                have = {name.lower() for name, _ in message.get("headers", [])}
                extra = [h for h in (*HEADERS, PRIVATE, *((HSTS,) if https else ()))
                         if h[0] not in have]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


class RateLimitMiddleware:
    """After authentication: the key is the caller (an API client, a person), or the address
    of an anonymous caller."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wait = self.limiter.take(_key(scope))
        if wait:
            refused = TooManyRequests([error("throttled", f"too many requests: wait {wait} s "
                                             "and slow down")], wait)
            await outcome_response(refused)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _key(scope: Scope) -> str:
    caller: Caller | None = scope.get("state", {}).get("caller")
    if caller is not None and caller != ANONYMOUS:
        return caller.actor
    client = scope.get("client")
    return f"address:{client[0] if client else 'unknown'}"
