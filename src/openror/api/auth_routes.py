"""POST /auth/token: OAuth2 client credentials (RFC 6749 §4.4), the client authenticating
with its secret or with the certificate of a mutual TLS connection (RFC 8705 §2; see
services.client_binding). Answers and errors are the RFC's JSON (§5.1, §5.2) rather than
OperationOutcome, and are never cached."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qsl, unquote_plus

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from openror.access.throttle import FailureThrottle
from openror.api.client_certificate import source_for
from openror.errors import Unauthorized
from openror.services.container import Services

FORM = "application/x-www-form-urlencoded"
MAX_BODY = 8192
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    def __init__(self, code: str, description: str, status: int = 400,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.status = code, description, status
        self.headers = headers or {}

    def response(self) -> Response:
        body = {"error": self.code, "error_description": self.description}
        return JSONResponse(body, self.status, {**_NO_STORE, **self.headers})


def _invalid_client(description: str) -> OAuthError:
    return OAuthError("invalid_client", description, 401,
                      {"WWW-Authenticate": 'Basic realm="openror"'})


async def token(request: Request) -> Response:
    try:
        return await _token(request)
    except OAuthError as exc:
        return exc.response()


async def _token(request: Request) -> Response:
    form = await _form(request)
    client_id, secret = _credentials(request, form)
    grant = form.get("grant_type")
    if grant is None:
        raise OAuthError("invalid_request", "grant_type is missing: send "
                         "grant_type=client_credentials")
    if grant != "client_credentials":
        raise OAuthError("unsupported_grant_type", f"grant_type '{grant}' is not supported: "
                         "this server issues tokens for client_credentials only")
    throttle: FailureThrottle = request.app.state.token_throttle
    wait = throttle.retry_after(client_id)
    if wait:
        raise OAuthError("slow_down", f"too many failed attempts for client '{client_id}': "
                         f"try again in {wait} s", 429, {"Retry-After": str(wait)})
    services: Services = request.app.state.services
    certificate = source_for(services.settings).thumbprint(request.scope)
    try:
        issued = await run_in_threadpool(services.clients.authenticate, client_id, secret,
                                         certificate)
    except Unauthorized as exc:
        throttle.failed(client_id)
        raise _invalid_client(exc.message) from None
    throttle.succeeded(client_id)
    body = {"access_token": issued.access_token, "token_type": "Bearer",
            "expires_in": issued.expires_in}
    return JSONResponse(body, 200, _NO_STORE)


async def _form(request: Request) -> dict[str, str]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != FORM:
        raise OAuthError("invalid_request", f"send the parameters as {FORM}")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise OAuthError("invalid_request", f"the body is larger than {MAX_BODY} bytes")
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise OAuthError("invalid_request", "the body is not UTF-8") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:  # RFC 6749 §3.2
            raise OAuthError("invalid_request", f"parameter '{name}' is given more than once")
        form[name] = value
    return form


def _credentials(request: Request, form: dict[str, str]) -> tuple[str, str | None]:
    """(client_id, secret) from HTTP Basic or from the form, never both (RFC 6749 §2.3); a
    client authenticating by mutual TLS sends its client_id alone (RFC 8705 §2)."""
    header = request.headers.get("authorization")
    in_form = "client_id" in form or "client_secret" in form
    if header is not None and in_form:
        raise OAuthError("invalid_request", "give the client credentials once: HTTP Basic or "
                         "client_id/client_secret, not both")
    if header is not None:
        return _basic(header)
    if not form.get("client_id"):
        raise _invalid_client("no client credentials: use HTTP Basic, or send client_id and "
                              "client_secret (or client_id alone, over mutual TLS)")
    return form["client_id"], form.get("client_secret")


def _basic(header: str) -> tuple[str, str]:
    scheme, _, encoded = header.partition(" ")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    client_id, colon, secret = decoded.partition(":")
    if scheme.lower() != "basic" or not colon or not client_id:
        raise _invalid_client("the Authorization header is not HTTP Basic "
                              "'client_id:client_secret'")
    # RFC 6749 §2.3.1: both are form-encoded before Basic encoding
    return unquote_plus(client_id), unquote_plus(secret)


ROUTES = [Route("/token", token, methods=["POST"])]
