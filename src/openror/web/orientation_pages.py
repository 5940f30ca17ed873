"""The clinician's orientation page: ``/orientation`` (one search form, the ranked results as
a numbered list and a map, « pourquoi pas cette offre ? »), and the short list of the offers
chosen in it, ``/orientation/liste`` (to print) and ``/orientation/export.csv``.

Every form is a GET whose fields are the parameters of ``/api/orientation``: the page works
without JavaScript, its address can be bookmarked or sent, and the short list re-runs the
same search (``orientation_api.run``, the caller's read policy) keeping the chosen offers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.access.caller import Caller
from openror.api import orientation_api
from openror.api.orientation_api import Orientation
from openror.capacity.paris_time import local
from openror.errors import InvalidInput
from openror.services.container import Services
from openror.web import maps
from openror.web import orientation_export as export
from openror.web import orientation_form as form
from openror.web import orientation_views as views
from openror.web.moments import paris, plural
from openror.web.pages import error_page, logged_in
from openror.web.render import caller_of, page

PATH = "/orientation"


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


@dataclass(frozen=True)
class Found:
    done: Orientation
    results: list[views.ResultView]


async def _run(request: Request, query: form.Query, explain: bool) -> Found:
    return await run_in_threadpool(_orient, _services(request), caller_of(request),
                                   query.engine_params(explain))


def _orient(services: Services, caller: Caller, params: dict[str, str]) -> Found:
    """Orient, then name the structures of the results as the caller may see them (an offer
    refers to its structure without its name)."""
    done = orientation_api.run(services.db, caller, params)
    refs = {views.site_id(r.candidate.body) for r in done.outcome.results}
    names: dict[str, str] = {}
    with services.db.read() as conn:
        for rid in filter(None, refs):
            stored = services.reader.seen_now("Organization", rid, caller, conn)
            if stored is not None and stored.content is not None:
                names[rid] = str(orjson.loads(stored.content).get("name") or "")
    return Found(done, views.results(done, names))


def _context(query: form.Query, **extra: Any) -> dict[str, Any]:
    return {"query": query, "values": query.values, "form": form, "errors": [],
            "messages": {}, "done": None, "results": [], "paris": paris, "plural": plural,
            "views": views, **extra}


def _refused(request: Request, query: form.Query, errors: list[form.FieldError]) -> Response:
    """The form again, as typed, with what to correct."""
    return page(request, "orientation.html", 400, **_context(
        query, errors=errors, messages=form.messages_by_field(errors)))


@logged_in
async def orientation_page(request: Request) -> Response:
    query = form.read_query(request.query_params)
    if not query.asked:
        return page(request, "orientation.html", **_context(query))
    errors = form.missing(query)
    if errors:
        return _refused(request, query, errors)
    try:
        found = await _run(request, query, explain=True)
    except InvalidInput as exc:
        return _refused(request, query, form.field_errors(exc, query))
    tiles = _services(request).settings.map_tiles_url or None
    response = page(request, "orientation.html", **_context(
        query, done=found.done, results=found.results,
        map=export.map_of(found.done, found.results, tiles)))
    if tiles:  # the map's tiles are images from their server
        policy = response.headers["Content-Security-Policy"]
        response.headers["Content-Security-Policy"] = policy.replace(
            "img-src 'self' data:", f"img-src 'self' data: {maps.tiles_origin(tiles)}")
    return response


@logged_in
async def short_list(request: Request) -> Response:
    """The chosen offers, in their rank, ready to print (all of them when none is chosen)."""
    query = form.read_query(request.query_params)
    try:
        found = await _run(request, query, explain=False)
    except InvalidInput as exc:
        return _refused(request, query, form.field_errors(exc, query))
    chosen, missing = export.chosen(found.results, query.chosen)
    back = urlencode(query.hidden())
    return page(request, "orientation_liste.html", **_context(
        query, done=found.done, results=chosen, missing=missing,
        back=f"{PATH}?{back}#reponse"))


@logged_in
async def short_list_csv(request: Request) -> Response:
    query = form.read_query(request.query_params)
    try:
        found = await _run(request, query, explain=False)
    except InvalidInput as exc:
        return error_page(request, 400, " ".join(e.message for e in
                                                 form.field_errors(exc, query)))
    chosen, _ = export.chosen(found.results, query.chosen)
    body = export.as_csv(chosen, found.done, str(request.base_url).rstrip("/"))
    return Response(body.encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename="
                             f'"orientation-{_stamp(found.done.now)}.csv"'})


def _stamp(moment: datetime) -> str:
    """« 20261125-0312 », Paris time."""
    return local(moment).strftime("%Y%m%d-%H%M")


ROUTES = [Route(PATH, orientation_page, methods=["GET"]),
          Route(f"{PATH}/liste", short_list, methods=["GET"]),
          Route(f"{PATH}/export.csv", short_list_csv, methods=["GET"])]
