"""Who is asking, decided once per request before routing: the client a bearer token stands
for (with the client certificate a certificate-bound token needs, and the Ror-* headers its
onboarding values require), the anonymous caller where the settings allow it, or 401. Routes
read the result with ``caller_of(request)``; the read policy and the write path decide on
it."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from openror.access import ror_headers
from openror.access.caller import ANONYMOUS, Caller
from openror.api import session_auth
from openror.api.client_certificate import source_for
from openror.api.http import outcome_response
from openror.config import Settings
from openror.errors import InvalidInput, OpenRORError, Unauthorized, error
from openror.services.container import Services

#: paths anyone may call: discovery, monitoring, and the token endpoint itself
OPEN_PATHS = frozenset({"/fhir/metadata", "/api/openapi.json", "/-/health", "/-/ready",
                        "/-/metrics", "/auth/token"}) | session_auth.OPEN_PATHS  # and logging in

#: the open-data publication (api.opendata_routes): files of what profile 0 reads
OPEN_PREFIX = "/opendata/"

_HOW = ("get one from POST /auth/token (OAuth2 client credentials) and send "
        "'Authorization: Bearer <token>'")


class AuthenticationMiddleware:
    """Put the request's :class:`Caller` on ``request.state.caller``, or answer 401."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services
        self.certificates = source_for(services.settings)
        self.ror_mode = _ror_mode(services.settings.ror_headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            caller = await self._caller(scope)
            if caller.client_id is not None and scope["path"].startswith("/fhir/"):
                ror_headers.check(self.ror_mode, _ror_sent(scope), caller.ror_headers,
                                  _is_read(scope))
        except OpenRORError as exc:  # raised outside the routes' exception handlers
            await outcome_response(exc)(scope, receive, send)
            return
        scope.setdefault("state", {})["caller"] = caller
        await self.app(scope, receive, send)

    async def _caller(self, scope: Scope) -> Caller:
        if scope["path"] in OPEN_PATHS or scope["path"].startswith(OPEN_PREFIX):
            return ANONYMOUS
        header = _authorization(scope)
        if header is None:
            person = await session_auth.caller(self.services, scope)  # a session cookie?
            if person is not None:
                return person
            if self.services.settings.anonymous_access or session_auth.is_web(scope):
                return ANONYMOUS
            raise Unauthorized([error("login", f"this server needs an access token: {_HOW}")])
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized([error("login", f"the Authorization header is not a bearer "
                                      f"token: {_HOW}")], token_error="invalid_request")
        return await self.services.clients.acaller_for_token(
            token.strip(), self.certificates.thumbprint(scope))


def check_settings(settings: Settings) -> None:
    """Raise :class:`InvalidInput` on settings this middleware cannot work with."""
    source_for(settings)
    _ror_mode(settings.ror_headers)


def _ror_mode(mode: str) -> str:
    if mode not in ror_headers.MODES:
        raise InvalidInput([error("value", f"OPENROR_ROR_HEADERS is '{mode}': use one of "
                                  f"{', '.join(ror_headers.MODES)}")])
    return mode


def _ror_sent(scope: Scope) -> dict[str, list[str]]:
    sent: dict[str, list[str]] = {}
    for name, value in scope["headers"]:
        if name.startswith(b"ror-"):
            sent.setdefault(name.decode("latin-1"), []).append(value.decode("latin-1"))
    return sent


def _is_read(scope: Scope) -> bool:
    return scope["method"] in ("GET", "HEAD") or scope["path"].endswith(
        ("/_search", "/$orientation"))


def _authorization(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            text: str = value.decode("latin-1")
            return text
    return None
