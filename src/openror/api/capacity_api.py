"""``/api/capacity/…``: the capacity history as JSON (or CSV with ``_format=csv``), for
dashboards and charts (docs/api/capacity.md)."""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.api.http import caller_of, json_response
from openror.capacity.alerts import Alerts, parse_spec
from openror.capacity.history import parse_query, read_history
from openror.errors import InvalidInput, error
from openror.services.container import Services
from openror.store.capacity_queries import INDICATOR_COLUMNS

CSV_COLUMNS = ("seq", "place", "version", "recordedAt", "updatedAt", "region", "departement",
               *INDICATOR_COLUMNS, "count", "source")


async def capacity_history(request: Request) -> Response:
    services: Services = request.app.state.services
    params = dict(request.query_params)
    query = parse_query(params)
    rows = await run_in_threadpool(read_history, services.db, query, caller_of(request))
    if params.get("_format") == "csv":
        return Response(_csv(rows), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": 'attachment; filename="capacity-history.csv"'})
    body: dict[str, Any] = {"rows": rows}
    if len(rows) == query.limit:
        after = {**params, "after": str(rows[-1]["seq"])}
        body["next"] = str(request.url.include_query_params(**after))
    return json_response(body)


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        flat = {**row, **row["indicator"]}
        writer.writerow(["" if flat.get(c) is None else flat[c] for c in CSV_COLUMNS])
    return out.getvalue()


def _alerts(request: Request) -> Alerts:
    services: Services = request.app.state.services
    return Alerts(services.db)


async def create_alert(request: Request) -> Response:
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise InvalidInput([error("invalid", "the body must be a JSON object")]) from None
    if not isinstance(body, dict):
        raise InvalidInput([error("invalid", "the body must be a JSON object")])
    created = await run_in_threadpool(_alerts(request).create, parse_spec(body),
                                      caller_of(request))
    return json_response(created, 201)


async def list_alerts(request: Request) -> Response:
    found = await run_in_threadpool(_alerts(request).of, caller_of(request))
    return json_response({"alerts": found})


async def delete_alert(request: Request) -> Response:
    await run_in_threadpool(_alerts(request).delete, request.path_params["id"],
                            caller_of(request))
    return Response(status_code=204)


async def alert_deliveries(request: Request) -> Response:
    found = await run_in_threadpool(_alerts(request).deliveries, request.path_params["id"],
                                    caller_of(request))
    return json_response({"deliveries": found})


ROUTES = [Route("/capacity/history", capacity_history, methods=["GET"]),
          Route("/capacity/alerts", create_alert, methods=["POST"]),
          Route("/capacity/alerts", list_alerts, methods=["GET"]),
          Route("/capacity/alerts/{id}", delete_alert, methods=["DELETE"]),
          Route("/capacity/alerts/{id}/deliveries", alert_deliveries, methods=["GET"])]
