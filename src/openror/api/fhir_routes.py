"""FHIR REST interactions under /fhir: read, vread, create, update, patch, delete, history
(and the search routes of ``search_routes``)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.api import capacity_routes, history_bundle, orientation_fhir, search_routes
from openror.api.capability import capability_statement
from openror.api.http import (
    FhirResponse,
    base_url,
    caller_of,
    info_outcome,
    json_response,
    read_resource,
    version_headers,
)
from openror.errors import InvalidInput, NotFound, error
from openror.logs import request_id_var
from openror.services.conditions import Criteria, parse_criteria
from openror.services.container import Services
from openror.services.writes import WriteResult
from openror.store.feed import LogEntry

_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _path(request: Request, name: str) -> str:
    value: str = request.path_params[name]
    if name == "id" and not _ID.match(value):
        raise NotFound([error("not-found", f"'{value}' is not a valid FHIR id")])
    return value


def _log_entry(request: Request) -> LogEntry:
    return LogEntry(actor=caller_of(request).actor, request_id=request_id_var.get(),
                    reason=request.headers.get("x-change-reason"))


def _criteria(request: Request) -> Criteria | None:
    query = request.url.query
    return parse_criteria(query) if query else None


def _written(request: Request, result: WriteResult, *, status: int | None = None) -> Response:
    stored = result.stored
    headers = version_headers(stored)
    if status is None:
        status = 201 if result.created else 200
    if status == 201:
        base = base_url(request, _services(request).settings.base_url)
        headers["Location"] = f"{base}/{stored.type}/{stored.id}/_history/{stored.version}"
    prefer = request.headers.get("prefer", "")
    if "return=minimal" in prefer:
        return Response(status_code=status, headers=headers)
    if "return=OperationOutcome" in prefer:
        return json_response(info_outcome("ok", result.warnings), status, headers)
    return FhirResponse(stored.content, status, headers)


async def metadata(request: Request) -> Response:
    services = _services(request)
    base = base_url(request, services.settings.base_url)
    return json_response(capability_statement(base, services.settings.anonymous_access))


# Reads by id do not go through the thread pool: the hand-off costs more than the lookup
# (measured in bench/); see store.point_reads.
async def read(request: Request) -> Response:
    rtype, rid = _path(request, "type"), _path(request, "id")
    stored = await _services(request).reader.read(rtype, rid, caller_of(request))
    return FhirResponse(stored.content, 200, version_headers(stored))


async def vread(request: Request) -> Response:
    rtype, rid, vid = _path(request, "type"), _path(request, "id"), _path(request, "vid")
    if not vid.isdigit():
        raise NotFound([error("not-found", f"'{vid}' is not a version number")])
    stored = await _services(request).reader.vread(rtype, rid, int(vid), caller_of(request))
    return FhirResponse(stored.content, 200, version_headers(stored))


async def create(request: Request) -> Response:
    services = _services(request)
    rtype = _path(request, "type")
    body = await read_resource(request, services.settings.max_body_bytes)
    if body["resourceType"] != rtype:
        raise InvalidInput([error("invalid", f"the body is a {body['resourceType']}, the URL "
                                  f"names a {rtype}", "resourceType")])
    header = request.headers.get("if-none-exist")
    criteria = parse_criteria(header, "create") if header else None
    caller = caller_of(request)
    result = await run_in_threadpool(services.writes.create, body, _log_entry(request), criteria,
                                     caller=caller)
    if result.created:
        return _written(request, result)
    try:  # If-None-Exist matched: the match is answered as the caller may read it
        seen = await services.reader.as_seen(result.stored, caller)
    except NotFound:
        return json_response(info_outcome("a resource matching If-None-Exist exists, which "
                                          "your access does not let you read"), 200)
    return _written(request, replace(result, stored=seen))


async def update(request: Request) -> Response:
    services = _services(request)
    rtype, rid = _path(request, "type"), _path(request, "id")
    body = await read_resource(request, services.settings.max_body_bytes)
    result = await run_in_threadpool(services.writes.update, rtype, rid, body,
                                     _log_entry(request), request.headers.get("if-match"),
                                     caller=caller_of(request))
    return _written(request, result)


async def conditional_update(request: Request) -> Response:
    services = _services(request)
    rtype, criteria = _path(request, "type"), _criteria(request)
    if criteria is None:
        raise InvalidInput([error("invalid", "PUT on a type needs criteria: "
                                  f"PUT /fhir/{rtype}?identifier=system|value")])
    body = await read_resource(request, services.settings.max_body_bytes)
    result = await run_in_threadpool(services.writes.conditional_update, rtype, criteria, body,
                                     _log_entry(request), caller=caller_of(request))
    return _written(request, result)


async def _patch_body(request: Request) -> dict[str, Any]:
    body = await read_resource(request, _services(request).settings.max_body_bytes)
    if body["resourceType"] != "Parameters":
        raise InvalidInput([error("invalid", "PATCH takes a FHIRPath Patch 'Parameters' "
                                  f"resource, got {body['resourceType']}", "resourceType")])
    return body


async def patch(request: Request) -> Response:
    rtype, rid = _path(request, "type"), _path(request, "id")
    params = await _patch_body(request)
    result = await run_in_threadpool(_services(request).writes.patch, rtype, rid, params,
                                     _log_entry(request), request.headers.get("if-match"),
                                     caller=caller_of(request))
    return _written(request, result, status=200)


async def conditional_patch(request: Request) -> Response:
    rtype, criteria = _path(request, "type"), _criteria(request)
    if criteria is None:
        raise InvalidInput([error("invalid", "PATCH on a type needs criteria: "
                                  f"PATCH /fhir/{rtype}?identifier=system|value")])
    params = await _patch_body(request)
    result = await run_in_threadpool(_services(request).writes.conditional_patch, rtype,
                                     criteria, params, _log_entry(request),
                                     caller=caller_of(request))
    return _written(request, result, status=200)


async def delete(request: Request) -> Response:
    rtype, rid = _path(request, "type"), _path(request, "id")
    stored = await run_in_threadpool(_services(request).writes.delete, rtype, rid,
                                     _log_entry(request), caller=caller_of(request))
    body = info_outcome(f"{rtype}/{rid} deleted (version {stored.version})")
    return json_response(body, 200, {"ETag": stored.etag})


async def history(request: Request) -> Response:
    services = _services(request)
    params = history_bundle.HistoryParams.parse(request, services.settings)
    rtype = request.path_params.get("type")
    rid = _path(request, "id") if "id" in request.path_params else None
    page = await run_in_threadpool(services.reader.history, rtype, rid, caller_of(request),
                                   since=params.since, count=params.count,
                                   before_seq=params.before, after_seq=params.after)
    base = base_url(request, services.settings.base_url)
    return FhirResponse(history_bundle.render(page, base, str(request.url), params))


ROUTES = [
    Route("/metadata", metadata, methods=["GET"]),
    Route("/_history", history, methods=["GET"]),
    *orientation_fhir.ROUTES,  # before /{type}/{id}
    *search_routes.ROUTES,
    *capacity_routes.ROUTES,
    Route("/{type}", create, methods=["POST"]),
    Route("/{type}", conditional_update, methods=["PUT"]),
    Route("/{type}", conditional_patch, methods=["PATCH"]),
    Route("/{type}/_history", history, methods=["GET"]),
    Route("/{type}/{id}", read, methods=["GET"]),
    Route("/{type}/{id}", update, methods=["PUT"]),
    Route("/{type}/{id}", patch, methods=["PATCH"]),
    Route("/{type}/{id}", delete, methods=["DELETE"]),
    Route("/{type}/{id}/_history", history, methods=["GET"]),
    Route("/{type}/{id}/_history/{vid}", vread, methods=["GET"]),
]
