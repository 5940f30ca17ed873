"""Capacity threshold alerts in the UI: list, create, delete, delivery log
(capacity.alerts does the work: ``/capacites/alertes``)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.capacity.alerts import Alerts, parse_spec
from openror.errors import InvalidInput
from openror.services.container import Services
from openror.web.forms import checked_form
from openror.web.pages import logged_in
from openror.web.render import caller_of, page, redirect

#: what to fix, by the field parse_spec names
_MESSAGES = {"name": "Donnez un nom à l'alerte.",
             "departement": "Indiquez un département (par exemple 02).",
             "below": "Le seuil est un nombre entier de lits, au moins 1.",
             "url": "L'adresse doit commencer par https:// (ou http://).",
             "activities": "Les activités sont des codes séparés par des virgules."}


def _alerts(request: Request) -> Alerts:
    services: Services = request.app.state.services
    return Alerts(services.db)


async def _show(request: Request, status: int = 200, **context: Any) -> Response:
    found = await run_in_threadpool(_alerts(request).of, caller_of(request))
    defaults: dict[str, Any] = {"form": {}, "errors": {}, "created": None}
    return page(request, "alertes.html", status, alerts=found, **{**defaults, **context})


@logged_in
async def alerts(request: Request) -> Response:
    return await _show(request)


def _spec_of(form: dict[str, str]) -> dict[str, Any]:
    below = form.get("below", "").strip()
    return {"name": form.get("name", "").strip() or None,
            "departement": form.get("departement", "").strip() or None,
            "activities": [a.strip() for a in form.get("activities", "").split(",")
                           if a.strip()],
            "below": int(below) if below.isdigit() else below or None,
            "url": form.get("url", "").strip() or None}


@logged_in
async def create(request: Request) -> Response:
    form = await checked_form(request)
    try:
        spec = parse_spec(_spec_of(form))
    except InvalidInput as exc:
        field = exc.issues[0].expression[0] if exc.issues[0].expression else "name"
        return await _show(request, 400, form=form, errors={
            field: _MESSAGES.get(field, exc.message)})
    created = await run_in_threadpool(_alerts(request).create, spec, caller_of(request))
    return await _show(request, 201, created=created)


@logged_in
async def delete(request: Request) -> Response:
    await checked_form(request)
    await run_in_threadpool(_alerts(request).delete, request.path_params["id"],
                            caller_of(request))
    return redirect("/capacites/alertes")


@logged_in
async def deliveries(request: Request) -> Response:
    alert_id = request.path_params["id"]
    found = await run_in_threadpool(_alerts(request).deliveries, alert_id,
                                    caller_of(request))
    return page(request, "alerte_envois.html", alert_id=alert_id, deliveries=found)


ROUTES = [Route("/capacites/alertes", alerts, methods=["GET"]),
          Route("/capacites/alertes", create, methods=["POST"]),
          Route("/capacites/alertes/{id}/supprimer", delete, methods=["POST"]),
          Route("/capacites/alertes/{id}/envois", deliveries, methods=["GET"])]
