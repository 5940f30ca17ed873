"""Every error leaves the server as an OperationOutcome with the right status and the request
id; never a stack trace."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from openror.api.http import outcome_response
from openror.errors import Issue, OpenRORError, error

log = logging.getLogger("openror.api")

_HTTP_CODES = {404: "not-found", 405: "not-supported", 413: "too-costly"}


async def openror_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OpenRORError)
    if exc.status >= 500:
        log.error("server error: %s", exc.message)
    return outcome_response(exc)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "processing")
    message = f"{request.method} {request.url.path}: {exc.detail}"
    return outcome_response(OpenRORError([error(code, message)], exc.status_code))


def unexpected_error(exc: Exception) -> Response:
    log.error("unexpected error", exc_info=exc)
    issue = Issue("fatal", "exception", "internal error: the operators can find the details "
                  "in the server log with this request id")
    return outcome_response(OpenRORError([issue], 500))


HANDLERS = {OpenRORError: openror_error, HTTPException: http_error}
