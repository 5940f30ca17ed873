"""The referent's establishments (``/etablissement``) and the page of one structure
(``/etablissement/organisation/{id}``): the tree under it, and its change log."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.access.caller import Caller
from openror.services.container import Services
from openror.store import object_history
from openror.web.editor import access, flags, history, org_view, tree
from openror.web.pages import logged_in
from openror.web.render import caller_of, page, redirect

PREFIX = "/etablissement"


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _roots(services: Services, caller: Caller) -> list[tuple[str, str]]:
    with services.db.read() as conn:
        return tree.roots(conn, caller)


@logged_in
async def establishments(request: Request) -> Response:
    wanted = request.query_params.get("structure", "").strip()
    if wanted:
        return redirect(f"{PREFIX}/organisation/{quote(wanted, safe='')}")
    roots = await run_in_threadpool(_roots, _services(request), caller_of(request))
    if len(roots) == 1:
        return redirect(f"{PREFIX}/organisation/{roots[0][0]}")
    return page(request, "editeur/etablissements.html", roots=roots)


def load(services: Services, caller: Caller, rid: str) -> dict[str, Any]:
    with services.db.read() as conn:
        root = tree.load(conn, caller, rid, services.terminology, date.today())
        stored = access.stored(conn, "Organization", rid)  # the tree checked the rights
        path = tree.ancestors(conn, rid)[:-1]
        entries = history.entries(conn, history.ORGANIZATION, rid, services.terminology)
        changes = object_history.count(conn, "Organization", rid)
        assert stored.content is not None
        details = org_view.values_of(orjson.loads(stored.content))
        names = history.names_of(conn, "Organization", {str(details["rattachement"])})
    facts = [(f.name, f.label, org_view.shown(f.name, details[f.name], services.terminology,
                                              names)) for f in org_view.FIELDS]
    return {"root": root, "ancestry": path, "details": details, "facts": facts,
            "entries": entries, "changes": changes}


@logged_in
async def organisation(request: Request) -> Response:
    found = await run_in_threadpool(load, _services(request), caller_of(request),
                                    request.path_params["id"])
    # from an anomaly of the inbox: the element at fault, highlighted, with the remedy
    notes, flagged = flags.with_rule({}, request.query_params, org_view.BY_NAME)
    return page(request, "editeur/etablissement.html", chosen=set(), notes=notes,
                flagged=flagged, query_created=request.query_params.get("cree") == "1",
                **found)


ROUTES = [Route(PREFIX, establishments, methods=["GET"]),
          Route(f"{PREFIX}/organisation/{{id}}", organisation, methods=["GET"])]
