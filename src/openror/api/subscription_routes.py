"""``/fhir/Subscription`` (an API client's own rest-hook subscriptions) and
``/api/subscriptions/{id}/deliveries`` (their delivery log): docs/api/subscriptions.md.

Subscriptions are not versioned resources of the directory: they belong to one client and
hold its endpoint and headers, so they live in their own table, out of history, search and
export, and only their owner reads them."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.api.http import base_url, caller_of, info_outcome, json_response, read_resource
from openror.services.container import Services
from openror.sync.subscriptions.registry import Subscriptions


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _subscriptions(request: Request) -> Subscriptions:
    return Subscriptions(_services(request).db)


def _headers(found: dict[str, Any]) -> dict[str, str]:
    return {"ETag": f'W/"{found["meta"]["versionId"]}"'}


async def create(request: Request) -> Response:
    body = await read_resource(request, _services(request).settings.max_body_bytes)
    made = await run_in_threadpool(_subscriptions(request).create, body, caller_of(request))
    base = base_url(request, _services(request).settings.base_url)
    return json_response(made, 201, {**_headers(made),
                                     "Location": f"{base}/Subscription/{made['id']}"})


async def search(request: Request) -> Response:
    found = await run_in_threadpool(_subscriptions(request).of, caller_of(request))
    base = base_url(request, _services(request).settings.base_url)
    return json_response({"resourceType": "Bundle", "type": "searchset", "total": len(found),
                          "entry": [{"fullUrl": f"{base}/Subscription/{s['id']}",
                                     "resource": s, "search": {"mode": "match"}}
                                    for s in found]})


async def read(request: Request) -> Response:
    found = await run_in_threadpool(_subscriptions(request).read, request.path_params["id"],
                                    caller_of(request))
    return json_response(found, 200, _headers(found))


async def update(request: Request) -> Response:
    body = await read_resource(request, _services(request).settings.max_body_bytes)
    found = await run_in_threadpool(_subscriptions(request).update, request.path_params["id"],
                                    body, caller_of(request))
    return json_response(found, 200, _headers(found))


async def delete(request: Request) -> Response:
    await run_in_threadpool(_subscriptions(request).delete, request.path_params["id"],
                            caller_of(request))
    return json_response(info_outcome("subscription deleted"))


async def deliveries(request: Request) -> Response:
    found = await run_in_threadpool(_subscriptions(request).deliveries,
                                    request.path_params["id"], caller_of(request))
    return json_response({"deliveries": found})


#: mounted under /fhir, before the generic routes of fhir_routes
FHIR_ROUTES = [
    Route("/Subscription", create, methods=["POST"]),
    Route("/Subscription", search, methods=["GET"]),
    Route("/Subscription/{id}", read, methods=["GET"]),
    Route("/Subscription/{id}", update, methods=["PUT"]),
    Route("/Subscription/{id}", delete, methods=["DELETE"]),
]

#: mounted under /api
API_ROUTES = [Route("/subscriptions/{id}/deliveries", deliveries, methods=["GET"])]
