"""The place's page (``/etablissement/lieu/{id}``): address, commune, coordinates, status,
equipment with their limits, the offers that use it, links to its capacities, and its
change log; a new place of a site (``/etablissement/organisation/{id}/nouveau-lieu``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.access.caller import Caller
from openror.errors import InvalidInput, error
from openror.fhir import profiles as p
from openror.fhir.profiles import region_of
from openror.geo import current_gazetteer
from openror.services.container import Services
from openror.store import object_history
from openror.store.hierarchy import Graph
from openror.web.editor import (
    access,
    bits,
    flags,
    history,
    org_view,
    place_form,
    saving,
    tree,
)
from openror.web.editor.model import Form, Values
from openror.web.editor.ui import FormView
from openror.web.editor.vocab import Choice
from openror.web.forms import checked_form
from openror.web.pages import logged_in
from openror.web.render import caller_of, page, redirect

PREFIX = "/etablissement"
KIND = saving.Kind(history.PLACE, place_form.apply, place_form.locate, place_form.HINTS,
                   parts=lambda values: place_form.row_fields(
                       len(values.get("equipements", ())) + 1))


@dataclass
class PlacePage:
    id: str | None  # None: a new place
    version: int
    name: str
    path: list[tree.Crumb]
    site: str | None
    offers: list[tuple[str, str]] = field(default_factory=list)  # (id, name) using it
    has_capacities: bool = False
    entries: list[history.Entry] = field(default_factory=list)
    changes: int = 0

    @property
    def action(self) -> str:
        if self.id is None:
            return f"{PREFIX}/organisation/{self.site}/nouveau-lieu"
        return f"{PREFIX}/lieu/{self.id}"


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _site_of(conn: sa.Connection, rid: str, body: dict[str, Any]
             ) -> tuple[list[tree.Crumb], list[tuple[str, str]]]:
    """The structures above the place (by its manager, else its first offer's provider),
    and the offers that use it."""
    graph = Graph(conn)
    offers = graph.referrers("HealthcareService", "location", "Location", rid)
    names = history.names_of(conn, "HealthcareService", set(offers))
    owner = next(iter(bits.reference_ids(body.get("managingOrganization"), "Organization")),
                 None)
    if owner is None and offers:
        owner = next(iter(graph.targets("HealthcareService", offers[0], "organization")), None)
    path = tree.ancestors(conn, owner) if owner else []
    return path, [(o, names.get(o, o)) for o in offers]


def load(services: Services, caller: Caller, rid: str) -> tuple[PlacePage, dict[str, Any]]:
    with services.db.read() as conn:
        stored, body = access.require_edit(conn, caller, "Location", rid)
        path, offers = _site_of(conn, rid, body)
        entries = history.entries(conn, history.PLACE, rid, services.terminology)
        changes = object_history.count(conn, "Location", rid)
    site = next((c.id for c in reversed(path) if c.kind == org_view.SITE), None)
    capacities = bits.extension(body, p.EXT_SUPPORTED_CAPACITY) is not None
    return PlacePage(rid, stored.version, str(body.get("name") or rid), path, site, offers,
                     capacities, entries, changes), body


def start(services: Services, caller: Caller, site: str) -> tuple[PlacePage, dict[str, Any]]:
    with services.db.read() as conn:
        _, org = access.require_edit(conn, caller, "Organization", site)
        if org_view.kind(org) != org_view.SITE:
            raise InvalidInput([error("invalid", "Un lieu se crée sur un établissement (site) : "
                                      "choisissez un site.")])
        path = tree.ancestors(conn, site)
    return PlacePage(None, 0, "", path, site), place_form.new_place(site, region_of(org))


def _communes(values: Values) -> list[Choice]:
    """The communes of the place's département, for the search list of « Commune »."""
    gazetteer = current_gazetteer()
    commune = gazetteer.commune(str(values.get("commune", "")))
    postal = str(values.get("code_postal", ""))
    served = gazetteer.by_postal_code(postal) if postal else []
    departement = commune.departement if commune else served[0].departement if served else None
    if departement is None:
        return [Choice(c.code, c.name) for c in served]
    return sorted((Choice(c.code, c.name) for c in gazetteer.communes()
                   if c.departement == departement and c.is_current),
                  key=lambda c: (c.label, c.code))


def _rows(values: Values) -> list[place_form.Equipment]:
    """The equipment rows to draw: the place's, then a blank one; each with a blank limit."""
    rows = [place_form.Equipment.decode(r) for r in values.get("equipements", ())]
    rows.append(place_form.Equipment())
    for row in rows:
        row.limits.append(place_form.Limit())
    return rows


def _show(request: Request, view: PlacePage, form: Form, status: int = 200,
          outcome: saving.Outcome | None = None, flagged: str = "", **context: Any
          ) -> Response:
    services = _services(request)
    fields = {**place_form.BY_NAME, **KIND.parts(form.values)}
    ui = FormView(fields, form, services.terminology,
                  extra={"commune": _communes(form.values)},
                  theirs=outcome.meanwhile.theirs if outcome and outcome.meanwhile else {},
                  flagged=flagged)
    equipment = place_form.EQUIPMENT.choices(services.terminology)
    features = place_form.FEATURE.choices(services.terminology)
    return page(request, "editeur/lieu.html", status, place=view, ui=ui, outcome=outcome,
                rows=_rows(form.values), equipment=equipment, features=features,
                units=place_form.UNITS, equipment_text=lambda code: next(
                    (c.text for c in equipment if c.code == code), code),
                **{"created": False, **context})


@logged_in
async def place_page(request: Request) -> Response:
    view, body = await run_in_threadpool(load, _services(request), caller_of(request),
                                         request.path_params["id"])
    # from an anomaly of the inbox: the rule's remedy next to the field at fault
    notes, flagged = flags.with_rule({}, request.query_params, place_form.BY_NAME)
    return _show(request, view, Form(place_form.values_of(body), notes=notes), flagged=flagged,
                 created=request.query_params.get("cree") == "1")


@logged_in
async def place_save(request: Request) -> Response:
    form = await checked_form(request)
    services, caller, rid = _services(request), caller_of(request), request.path_params["id"]
    version = saving.posted_version(form)
    mine = place_form.read(form, services.terminology, current_gazetteer())
    outcome = await run_in_threadpool(saving.update, services, caller, KIND, rid, version,
                                      mine, "éditeur établissement : modification du lieu")
    view, _ = await run_in_threadpool(load, services, caller, rid)
    view.version = outcome.version
    return _show(request, view, outcome.form, outcome.status, outcome)


@logged_in
async def new_place(request: Request) -> Response:
    view, base = await run_in_threadpool(start, _services(request), caller_of(request),
                                         request.path_params["id"])
    return _show(request, view, Form(place_form.values_of(base)))


@logged_in
async def create_place(request: Request) -> Response:
    form = await checked_form(request)
    services, caller = _services(request), caller_of(request)
    view, base = await run_in_threadpool(start, services, caller, request.path_params["id"])
    mine = place_form.read(form, services.terminology, current_gazetteer())
    outcome = await run_in_threadpool(saving.create, services, caller, KIND, base, mine,
                                      "éditeur établissement : création d'un lieu")
    if outcome.saved is not None:
        return redirect(f"{PREFIX}/lieu/{outcome.saved.stored.id}?cree=1")
    return _show(request, view, outcome.form, 400, outcome)


ROUTES = [Route(f"{PREFIX}/lieu/{{id}}", place_page, methods=["GET"]),
          Route(f"{PREFIX}/lieu/{{id}}", place_save, methods=["POST"]),
          Route(f"{PREFIX}/organisation/{{id}}/nouveau-lieu", new_place, methods=["GET"]),
          Route(f"{PREFIX}/organisation/{{id}}/nouveau-lieu", create_place, methods=["POST"])]
