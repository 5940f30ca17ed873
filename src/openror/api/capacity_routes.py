"""The bed-management feed under /fhir: ``PATCH /fhir/ws-synchro-dispo-lits-fhir/Location
?identifier=<IdNatStruct of the site>/<external code>`` (capacity.feed), as the ROR serves it
beside its FHIR API."""

from __future__ import annotations

from functools import partial
from urllib.parse import parse_qsl

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.api.http import (
    FhirResponse,
    caller_of,
    info_outcome,
    json_response,
    read_resource,
    version_headers,
)
from openror.capacity.feed import CapacityFeed
from openror.errors import InvalidInput, NotFound, error
from openror.logs import request_id_var
from openror.services.container import Services
from openror.store.feed import LogEntry

FEED_PATH = "/ws-synchro-dispo-lits-fhir/Location"

#: feed updates a server process makes at once; the others wait for their turn holding no
#: thread. One more at once only competes for the process's GIL and its one connection
#: that writes: an update holding the write lock then waits for the GIL behind the others'
#: preparations, and the other processes wait for its lock (docs/benchmarks.md, capacity
#: feed notes: 16 feeders on 2 workers, SQLite, 150–205 → 230–245 updates/s; 320–360 with
#: the preparation before the lock, capacity.feed).
UPDATES_AT_ONCE = 1


def _identifier(request: Request) -> str:
    pairs = parse_qsl(request.url.query, keep_blank_values=True)
    values = [v for k, v in pairs if k == "identifier"]
    if len(pairs) != 1 or len(values) != 1 or not values[0].split("|")[-1]:
        raise InvalidInput([error(
            "required", "the capacity feed addresses one place: PATCH "
            f"/fhir{FEED_PATH}?identifier=<IdNatStruct of the site>/<external code>",
            "identifier")])
    return values[0].split("|", 1)[-1]


async def feed(request: Request) -> Response:
    services: Services = request.app.state.services
    identifier = _identifier(request)
    body = await read_resource(request, services.settings.max_body_bytes)
    caller = caller_of(request)
    log = LogEntry(actor=caller.actor, request_id=request_id_var.get(),
                   reason=request.headers.get("x-change-reason") or "capacity feed")
    update = partial(CapacityFeed(services.writes).update, identifier, body, log,
                     caller=caller)
    result = await anyio.to_thread.run_sync(update, limiter=_turns(request))
    headers = version_headers(result.stored)
    if "return=OperationOutcome" in request.headers.get("prefer", ""):
        return json_response(info_outcome("ok", result.warnings), 200, headers)
    try:
        seen = await services.reader.as_seen(result.stored, caller)
    except NotFound:  # written, but beyond what the feeder may read
        return json_response(info_outcome("ok", result.warnings), 200, headers)
    return FhirResponse(seen.content, 200, headers)


def _turns(request: Request) -> anyio.CapacityLimiter:
    """This process's turns at feed updates (made in its event loop, on first use)."""
    state = request.app.state
    turns = getattr(state, "feed_turns", None)
    if turns is None:
        turns = state.feed_turns = anyio.CapacityLimiter(UPDATES_AT_ONCE)
    return turns


ROUTES = [Route(FEED_PATH, feed, methods=["PATCH"])]
