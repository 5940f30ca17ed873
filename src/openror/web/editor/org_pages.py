"""A site's or an internal unit's basics (``/etablissement/organisation/{id}/modifier``) and a
new internal unit under a site (``/etablissement/organisation/{id}/nouvelle-unite``), written
through the write path as the person, with the version the form was read at (If-Match)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.access.caller import Caller
from openror.errors import InvalidInput, error
from openror.fhir.profiles import region_of
from openror.services.container import Services
from openror.web.editor import access, history, model, org_form, org_view, saving, tree
from openror.web.editor.model import Form
from openror.web.editor.ui import FormView
from openror.web.forms import checked_form
from openror.web.pages import logged_in
from openror.web.render import caller_of, page, redirect

PREFIX = "/etablissement/organisation"
SPEC = history.Spec("Organization", org_form.FIELDS, org_form.values_of, org_form.shown,
                    org_form.unmanaged, org_view.OTHER_ELEMENTS)
KIND = saving.Kind(SPEC, org_form.apply, org_form.locate, org_form.HINTS)


@dataclass
class OrgPage:
    id: str | None  # None: a new internal unit
    version: int
    name: str
    kind: str  # org_view.SITE or UNIT
    path: list[tree.Crumb]
    parent: str  # the site a new unit goes under; the structure itself otherwise

    @property
    def action(self) -> str:
        return f"{PREFIX}/{self.parent}/nouvelle-unite" if self.id is None \
            else f"{PREFIX}/{self.id}/modifier"

    @property
    def fields(self) -> tuple[model.Field, ...]:
        return org_form.fields_for(self.kind)


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def load(services: Services, caller: Caller, rid: str) -> tuple[OrgPage, dict[str, Any]]:
    with services.db.read() as conn:
        stored, body = access.require_edit(conn, caller, "Organization", rid)
        kind = org_view.kind(body)
        if kind == org_view.LEGAL_ENTITY:
            raise InvalidInput([error("invalid", "L'entité juridique est décrite par le FINESS "
                                      "et l'opérateur régional : signalez-lui une erreur. "
                                      "Ses sites et unités se modifient ici.")])
        path = tree.ancestors(conn, rid)
    return OrgPage(rid, stored.version, str(body.get("name") or rid), kind, path, rid), body


def start(services: Services, caller: Caller, site: str) -> tuple[OrgPage, dict[str, Any]]:
    with services.db.read() as conn:
        _, org = access.require_edit(conn, caller, "Organization", site)
        if org_view.kind(org) != org_view.SITE:
            raise InvalidInput([error("invalid", "Une unité interne se crée sous un "
                                      "établissement (site) : choisissez un site.")])
        path = tree.ancestors(conn, site)
    return OrgPage(None, 0, "", org_view.UNIT, path, site), \
        org_form.new_unit(site, region_of(org))


def _show(request: Request, view: OrgPage, form: Form, status: int = 200,
          outcome: saving.Outcome | None = None) -> Response:
    ui = FormView({f.name: f for f in view.fields}, form, _services(request).terminology,
                  extra={"niveau": list(org_form.LEVELS.extra)},  # in plain words
                  theirs=outcome.meanwhile.theirs if outcome and outcome.meanwhile else {})
    return page(request, "editeur/structure.html", status, org=view, ui=ui, outcome=outcome)


def _read(view: OrgPage, form: dict[str, str], services: Services) -> model.Values:
    return model.read(view.fields, form, services.terminology)


@logged_in
async def edit_page(request: Request) -> Response:
    view, body = await run_in_threadpool(load, _services(request), caller_of(request),
                                         request.path_params["id"])
    return _show(request, view, Form(org_form.values_of(body)))


@logged_in
async def edit_save(request: Request) -> Response:
    form = await checked_form(request)
    services, caller, rid = _services(request), caller_of(request), request.path_params["id"]
    version = saving.posted_version(form)
    view, _ = await run_in_threadpool(load, services, caller, rid)
    mine = _read(view, form, services)
    outcome = await run_in_threadpool(saving.update, services, caller, KIND, rid, version,
                                      mine, "éditeur établissement : modification de la "
                                      "structure")
    view, _ = await run_in_threadpool(load, services, caller, rid)
    view.version = outcome.version
    return _show(request, view, outcome.form, outcome.status, outcome)


@logged_in
async def new_unit(request: Request) -> Response:
    view, base = await run_in_threadpool(start, _services(request), caller_of(request),
                                         request.path_params["id"])
    return _show(request, view, Form(org_form.values_of(base)))


@logged_in
async def create_unit(request: Request) -> Response:
    form = await checked_form(request)
    services, caller = _services(request), caller_of(request)
    view, base = await run_in_threadpool(start, services, caller, request.path_params["id"])
    mine = _read(view, form, services)
    outcome = await run_in_threadpool(saving.create, services, caller, KIND, base, mine,
                                      "éditeur établissement : création d'une unité interne")
    if outcome.saved is not None:
        return redirect(f"{PREFIX}/{outcome.saved.stored.id}?cree=1")
    return _show(request, view, outcome.form, 400, outcome)


ROUTES = [Route(f"{PREFIX}/{{id}}/modifier", edit_page, methods=["GET"]),
          Route(f"{PREFIX}/{{id}}/modifier", edit_save, methods=["POST"]),
          Route(f"{PREFIX}/{{id}}/nouvelle-unite", new_unit, methods=["GET"]),
          Route(f"{PREFIX}/{{id}}/nouvelle-unite", create_unit, methods=["POST"])]
