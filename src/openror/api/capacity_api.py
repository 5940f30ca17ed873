"""``/api/capacity/…``: the capacity history as JSON (or CSV with ``_format=csv``), for
dashboards and charts (docs/api/capacity.md)."""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.api.http import caller_of, json_response
from openror.capacity.history import parse_query, read_history
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


ROUTES = [Route("/capacity/history", capacity_history, methods=["GET"])]
