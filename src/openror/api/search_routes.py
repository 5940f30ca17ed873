"""FHIR search: GET /fhir/{type}?… and POST /fhir/{type}/_search (form-encoded)."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.api import search_bundle
from openror.api.http import FhirResponse, base_url, caller_of
from openror.api.metrics.instruments import observe_search
from openror.errors import InvalidInput, NotFound, error
from openror.fhir.resource_types import REGISTRY
from openror.search.engine import SearchEngine
from openror.search.kinds import kind_of
from openror.search.parse import parse_query
from openror.services.container import Services

FORM = "application/x-www-form-urlencoded"


async def search(request: Request) -> Response:
    pairs = parse_qsl(request.url.query, keep_blank_values=True)
    return await _search(request, pairs)


async def search_post(request: Request) -> Response:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != FORM:
        raise InvalidInput([error("not-supported", f"POST _search takes {FORM}, "
                                  f"not {ctype or 'no content type'}")])
    body = (await request.body()).decode("utf-8", errors="replace")
    pairs = parse_qsl(request.url.query, keep_blank_values=True) + parse_qsl(
        body, keep_blank_values=True)
    return await _search(request, pairs)


async def _search(request: Request, pairs: list[tuple[str, str]]) -> Response:
    services: Services = request.app.state.services
    rtype = request.path_params["type"]
    if rtype not in REGISTRY:
        raise NotFound([error("not-supported", f"unknown resource type '{rtype}'")])
    strict = "handling=strict" in request.headers.get("prefer", "").replace(" ", "")
    query = parse_query(rtype, pairs, strict=strict)
    engine = SearchEngine(services.db, caller_of(request))
    cursor = next((v for k, v in pairs if k == "_cursor"), None)
    started = time.perf_counter()
    if cursor is not None:
        page = await run_in_threadpool(engine.page, query, cursor)
    else:
        page = await run_in_threadpool(engine.search, query)
    observe_search(rtype, kind_of(query, page=cursor is not None),
                   time.perf_counter() - started)
    base = base_url(request, services.settings.base_url)
    url = f"{base}/{rtype}" + (f"?{request.url.query}" if request.url.query else "")
    return FhirResponse(orjson.dumps(search_bundle.render(page, base, url, pairs)))


ROUTES = [
    Route("/{type}", search, methods=["GET"]),
    Route("/{type}/_search", search_post, methods=["POST"]),
]
