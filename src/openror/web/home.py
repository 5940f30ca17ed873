"""The home page: where a person can go, by their roles."""

from __future__ import annotations

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.access.caller import Caller
from openror.access.roles import REFERENT
from openror.services.container import Services
from openror.web.pages import logged_in
from openror.web.render import caller_of, page


def _sites(services: Services, caller: Caller) -> list[tuple[str, str]]:
    """(id, name) of the organizations the person is a referent of, as they may see them."""
    found = []
    with services.db.read() as conn:
        for grant in caller.grants:
            if grant.role != REFERENT or not grant.scope:
                continue
            stored = services.reader.seen_now("Organization", grant.scope, caller, conn)
            name = orjson.loads(stored.content).get("name") if stored and stored.content \
                else None
            found.append((grant.scope, str(name or grant.scope)))
    return found


@logged_in
async def home(request: Request) -> Response:
    services: Services = request.app.state.services
    sites = await run_in_threadpool(_sites, services, caller_of(request))
    return page(request, "accueil.html", sites=sites)


ROUTES = [Route("/", home, methods=["GET"])]
