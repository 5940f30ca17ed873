"""HTTP plumbing shared by the FHIR routes: media types, bodies, headers, request ids."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from openror.access.caller import Caller
from openror.errors import InvalidInput, Issue, OpenRORError, UnsupportedMediaType, error
from openror.errors import operation_outcome as build_outcome
from openror.fhir import jsonio
from openror.logs import request_id_var
from openror.store.resources import StoredResource

FHIR_JSON = "application/fhir+json"
JSON_TYPES = ("application/fhir+json", "application/json", "application/json+fhir")
REQUEST_ID_HEADER = "x-request-id"


def caller_of(request: Request) -> Caller:
    """Who is asking (set for every request before any route runs)."""
    caller: Caller = request.state.caller
    return caller


class FhirResponse(Response):
    media_type = FHIR_JSON
    charset = "utf-8"


def json_response(body: dict[str, Any], status: int = 200,
                  headers: dict[str, str] | None = None) -> FhirResponse:
    return FhirResponse(orjson.dumps(body), status, headers)


def outcome_response(exc: OpenRORError) -> FhirResponse:
    body = build_outcome(exc.issues, request_id_var.get())
    return json_response(body, exc.status, exc.headers)


def info_outcome(message: str, warnings: list[Issue] | None = None) -> dict[str, Any]:
    issues = [Issue("information", "informational", message), *(warnings or [])]
    return build_outcome(issues, request_id_var.get())


def http_date(moment: datetime) -> str:
    return format_datetime(moment.replace(tzinfo=UTC), usegmt=True)


def version_headers(stored: StoredResource) -> dict[str, str]:
    return {"ETag": stored.etag, "Last-Modified": http_date(stored.last_updated)}


async def read_resource(request: Request, max_bytes: int) -> dict[str, Any]:
    """The request body as a FHIR JSON object; wrong media type → 415, bad JSON → 400."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in JSON_TYPES:
        hint = " (PATCH takes FHIRPath Patch Parameters)" if "patch" in ctype else ""
        raise UnsupportedMediaType([error(
            "not-supported", f"content type {ctype or 'missing'} is not supported: send "
            f"{FHIR_JSON}{hint}")])
    raw = await request.body()
    if len(raw) > max_bytes:
        raise InvalidInput([error("too-costly", f"the body is larger than {max_bytes} bytes")])
    return jsonio.loads_resource(raw)


def base_url(request: Request, configured: str) -> str:
    if configured:
        return configured.rstrip("/")
    return str(request.base_url).rstrip("/") + "/fhir"
