"""Who is asking, decided once per request before routing: the client a bearer token stands
for, the anonymous caller where the settings allow it, or 401. Routes read the result with
``caller_of(request)``; the read policy and the write path decide on it."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from openror.access.caller import ANONYMOUS, Caller
from openror.api.http import outcome_response
from openror.errors import OpenRORError, Unauthorized, error
from openror.services.container import Services

#: paths anyone may call: discovery, monitoring, and the token endpoint itself
OPEN_PATHS = frozenset({"/fhir/metadata", "/-/health", "/-/metrics", "/auth/token"})

_HOW = ("get one from POST /auth/token (OAuth2 client credentials) and send "
        "'Authorization: Bearer <token>'")


class AuthenticationMiddleware:
    """Put the request's :class:`Caller` on ``request.state.caller``, or answer 401."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            caller = await self._caller(scope)
        except OpenRORError as exc:  # raised outside the routes' exception handlers
            await outcome_response(exc)(scope, receive, send)
            return
        scope.setdefault("state", {})["caller"] = caller
        await self.app(scope, receive, send)

    async def _caller(self, scope: Scope) -> Caller:
        if scope["path"] in OPEN_PATHS:
            return ANONYMOUS
        header = _authorization(scope)
        if header is None:
            if self.services.settings.anonymous_access:
                return ANONYMOUS
            raise Unauthorized([error("login", f"this server needs an access token: {_HOW}")])
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized([error("login", f"the Authorization header is not a bearer "
                                      f"token: {_HOW}")], token_error="invalid_request")
        return await self.services.clients.acaller_for_token(token.strip())


def _authorization(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            text: str = value.decode("latin-1")
            return text
    return None
