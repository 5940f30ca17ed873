"""Closing the offers ticked on a structure's page: one confirmation page
(``GET /etablissement/organisation/{id}/fermer?choix-…``) with the closure's kind and dates,
then the result offer by offer (``POST``, same address)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.services.container import Services
from openror.web.editor import closing, offer_form
from openror.web.editor.model import Form
from openror.web.editor.ui import FormView
from openror.web.forms import checked_form
from openror.web.pages import logged_in
from openror.web.render import caller_of, page

PREFIX = "/etablissement"
FIELDS = {
    "fermeture_type": replace(offer_form.BY_NAME["fermeture_type"], help="", required=True),
    "fermeture_debut": replace(offer_form.BY_NAME["fermeture_debut"], required=True),
    "fermeture_fin": replace(offer_form.BY_NAME["fermeture_fin"],
                             help="Facultatif ; pas pour une fermeture définitive."),
}


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _show(request: Request, offers: list[closing.Chosen], form: Form, status: int = 200,
          **context: Any) -> Response:
    ui = FormView(FIELDS, form, _services(request).terminology)
    return page(request, "editeur/fermeture.html", status, org=request.path_params["id"],
                offers=offers, ui=ui, **{"results": None, **context})


@logged_in
async def confirm(request: Request) -> Response:
    wanted = closing.chosen(dict(request.query_params))
    offers = await run_in_threadpool(closing.describe, _services(request),
                                     caller_of(request), wanted)
    form = Form({"fermeture_type": offer_form.PROVISIONAL,
                 "fermeture_debut": date.today().isoformat(), "fermeture_fin": ""})
    return _show(request, offers, form, 200 if offers else 400)


@logged_in
async def close(request: Request) -> Response:
    posted = await checked_form(request)
    services, caller = _services(request), caller_of(request)
    offers = await run_in_threadpool(closing.describe, services, caller,
                                     closing.chosen(posted))
    closure, errors = closing.read_closure(posted)
    values = {name: posted.get(name, "").strip() for name in FIELDS}
    if closure is None or not offers:
        return _show(request, offers, Form(dict(values), errors), 400)
    results = await run_in_threadpool(closing.close_all, services, caller, offers, closure)
    return _show(request, offers, Form(dict(values)), 200, results=results)


ROUTES = [Route(f"{PREFIX}/organisation/{{id}}/fermer", confirm, methods=["GET"]),
          Route(f"{PREFIX}/organisation/{{id}}/fermer", close, methods=["POST"])]
