"""``/api/quality/rules``, ``…/results`` and ``…/indicators``: the rules, what the last run
found and the weekly indicators, as JSON or CSV (``_format=csv``) (docs/api/quality.md)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.api.http import caller_of, json_response
from openror.quality import reports
from openror.services.container import Services
from openror.services.ownership import OWNERSHIP

RESULT_COLUMNS = ("rule", "unit", "deviating", "region", "departement", "field", "category",
                  "site", "detail", "run_id")
INDICATOR_MEASURES = ("perimeter", "conformant", "partial", "deviating", "rate")


def _csv(rows: list[dict[str, Any]], columns: Sequence[str], name: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


async def rules(request: Request) -> Response:
    return json_response({"rules": reports.describe_rules()})


async def results(request: Request) -> Response:
    services: Services = request.app.state.services
    params, caller = dict(request.query_params), caller_of(request)
    where = reports.parse_results(params, caller)
    rows = await run_in_threadpool(reports.read_results, services.db, where, caller,
                                   OWNERSHIP)
    if params.get("_format") == "csv":
        return _csv(rows, RESULT_COLUMNS, "quality-results")
    body: dict[str, Any] = {"rows": rows}
    if len(rows) == where.limit:
        after = {**params, "after": f"{rows[-1]['rule']}|{rows[-1]['unit']}"}
        body["next"] = str(request.url.include_query_params(**after))
    return json_response(body)


async def indicators(request: Request) -> Response:
    services: Services = request.app.state.services
    params = dict(request.query_params)
    found = await run_in_threadpool(reports.read_indicators, services.db, params,
                                    caller_of(request))
    if params.get("_format") == "csv":
        columns = ("week", "indicator", *found["by"], *INDICATOR_MEASURES)
        return _csv([{**row, "week": found["week"]} for row in found["rows"]], columns,
                    f"quality-indicators-{found['week']}")
    return json_response(found)


ROUTES = [
    Route("/quality/rules", rules, methods=["GET"]),
    Route("/quality/results", results, methods=["GET"]),
    Route("/quality/indicators", indicators, methods=["GET"]),
]
