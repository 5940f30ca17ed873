"""``/api/quality/…``: freshness of the offers and « tout est à jour » confirmations
(docs/api/quality.md, "Freshness and confirmations")."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.api.http import caller_of, json_response
from openror.errors import InvalidInput, error
from openror.quality.freshness import Freshness, moment
from openror.services.container import Services
from openror.services.ownership import OWNERSHIP


def _freshness(request: Request) -> tuple[Services, Freshness]:
    services: Services = request.app.state.services
    return services, Freshness(services.db, OWNERSHIP)


async def confirm(request: Request) -> Response:
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        body = None
    if not isinstance(body, dict):
        raise InvalidInput([error("invalid", "the body must be a JSON object: "
                                  '{"unit": "Organization/<id>"}')])
    _, freshness = _freshness(request)
    done = await run_in_threadpool(freshness.confirm, body.get("unit"), caller_of(request))
    shown: dict[str, Any] = {"unit": done.unit, "confirmedAt": moment(done.at),
                             "confirmed": done.units, "skipped": done.skipped}
    return json_response(shown)


async def site_freshness(request: Request) -> Response:
    site = request.query_params.get("site")
    if not site:
        raise InvalidInput([error("required", "give the site: ?site=Organization/<id>",
                                  "site")])
    services, freshness = _freshness(request)
    found = await run_in_threadpool(freshness.of_site, site, caller_of(request),
                                    services.settings.quality_remind_after_days)
    return json_response(found)


ROUTES = [Route("/quality/confirmations", confirm, methods=["POST"]),
          Route("/quality/freshness", site_freshness, methods=["GET"])]
