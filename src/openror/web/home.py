"""The home page: where a person can go, by their roles."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.access.roles import REFERENT
from openror.web.pages import logged_in
from openror.web.render import caller_of, page


@logged_in
async def home(request: Request) -> Response:
    sites = [g.scope for g in caller_of(request).grants if g.role == REFERENT and g.scope]
    return page(request, "accueil.html", sites=sites)


ROUTES = [Route("/", home, methods=["GET"])]
