"""The regional quality dashboard: ``/qualite`` (quality.dashboard does the work), for
regional operators (their region) and national administrators (every region, or one)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.access.caller import Caller
from openror.errors import Forbidden, error
from openror.quality import dashboard
from openror.quality.model import THEMES
from openror.services.container import Services
from openror.web import quality_views as views
from openror.web.dashboard import regions_for
from openror.web.moments import paris
from openror.web.pages import logged_in
from openror.web.render import caller_of, page

PATH = "/qualite"


def may_see_quality(caller: Caller) -> None:
    if caller.profile != 1:
        raise Forbidden([error("forbidden", "Le tableau de bord de la qualité est réservé "
                               "aux opérateurs régionaux et aux administrateurs.")])


def _region(request: Request, caller: Caller) -> str | None:
    """The region asked for (an administrator's choice; an operator's is theirs)."""
    asked = request.query_params.get("region", "").strip()
    if not asked:
        return min(caller.regions) if len(caller.regions) == 1 else None
    if asked not in {code for code, _ in regions_for(caller)}:
        raise Forbidden([error("forbidden", f"La région « {asked} » n'est pas dans votre "
                               "périmètre.")])
    return asked


@logged_in
async def quality_page(request: Request) -> Response:
    caller = caller_of(request)
    may_see_quality(caller)
    by = dashboard.parse_breakdown(request.query_params.get("par"))
    region = _region(request, caller)
    services: Services = request.app.state.services
    board = await run_in_threadpool(dashboard.build, services.db, caller, by, region)
    regions = regions_for(caller)
    return page(request, "qualite.html", board=board, views=views, region=region,
                regions=regions, where=dict(regions).get(region or "", "toutes les régions"),
                breakdowns=views.BREAKDOWN_LABELS, themes=THEMES,
                terminology=services.terminology, paris=paris)


ROUTES = [Route(PATH, quality_page, methods=["GET"])]
