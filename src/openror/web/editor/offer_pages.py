"""The offer's page: edit it (``/etablissement/offre/{id}``), create one under a site or a
unit, or duplicate one (``/etablissement/organisation/{id}/nouvelle-offre[?depuis=…]``),
with its change log."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.access.caller import Caller
from openror.errors import InvalidInput, error
from openror.fhir.profiles import region_of
from openror.geo import current_gazetteer
from openror.services.container import Services
from openror.store import object_history
from openror.store.resources import read_current
from openror.web import template_forms as tf
from openror.web.editor import (
    access,
    bits,
    flags,
    history,
    offer_form,
    offer_rows,
    org_view,
    saving,
    template_use,
    tree,
)
from openror.web.editor.model import Form
from openror.web.editor.ui import FormView
from openror.web.editor.vocab import Choice
from openror.web.entry import choices as entry_choices
from openror.web.entry import values as entry_values
from openror.web.forms import checked_form
from openror.web.pages import logged_in
from openror.web.render import caller_of, page, redirect
from openror.web.template_forms import Applied

KIND = saving.Kind(history.OFFER, offer_form.apply, offer_form.locate, offer_form.HINTS,
                   link_field="lieux", parts=offer_rows.part_fields)
PREFIX = "/etablissement"
#: the places read for the départements of the zone's communes
MAX_PLACES = 20


@dataclass
class OfferPage:
    """What the page shows around the form."""

    id: str | None  # None: a new offer
    version: int
    name: str
    provider: str
    path: list[tree.Crumb]
    places: list[Choice]
    status: offer_form.Status | None = None
    entries: list[history.Entry] = field(default_factory=list)
    changes: int = 0
    source: str | None = None  # the offer a new one duplicates
    dropped: list[str] = field(default_factory=list)  # its places the copy could not keep
    #: the entry template the form follows (None: the built-in list)
    rules: Applied | None = None
    #: the départements of its places: their communes are proposed for the zone
    departements: list[str] = field(default_factory=list)

    @property
    def template(self) -> str:
        """« Title (version n) » of the template the form follows; "" without one."""
        used = self.rules.used if self.rules else None
        return next(iter(tf.titles([used])), "")

    @property
    def action(self) -> str:
        if self.id is None:
            return f"{PREFIX}/organisation/{self.provider}/nouvelle-offre"
        return f"{PREFIX}/offre/{self.id}"

    @property
    def site(self) -> str | None:
        return next((c.id for c in reversed(self.path) if c.kind == org_view.SITE), None)


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _around(conn: Any, provider: str, values: dict[str, Any]) -> tuple[
        list[tree.Crumb], list[Choice]]:
    path = tree.ancestors(conn, provider)
    places = dict(tree.site_places(conn, path))
    linked = values.get("lieux") or ()
    places.update({k: v for k, v in history.names_of(conn, "Location", set(linked)).items()
                   if k not in places})
    return path, [Choice(rid, name) for rid, name in places.items()]


def _departements(conn: Any, places: list[Choice]) -> list[str]:
    """The départements of the places (their commune), in the order first met."""
    found: dict[str, None] = {}
    for place in places[:MAX_PLACES]:
        stored = read_current(conn, "Location", place.code)
        if stored is None or stored.content is None:
            continue
        commune = current_gazetteer().commune(entry_values.commune_of(
            orjson.loads(stored.content)))
        if commune is not None:
            found.setdefault(commune.departement)
    return list(found)


def load(services: Services, caller: Caller, rid: str) -> tuple[OfferPage, dict[str, Any]]:
    with services.db.read() as conn:
        stored, body = access.require_edit(conn, caller, "HealthcareService", rid)
        provider = next(iter(bits.reference_ids(body.get("providedBy"), "Organization")), "")
        values = offer_form.values_of(body)
        path, places = _around(conn, provider, values)
        entries = history.entries(conn, history.OFFER, rid, services.terminology)
        changes = object_history.count(conn, "HealthcareService", rid)
        rules = template_use.applied(conn, body, path)
        departements = _departements(conn, places)
    view = OfferPage(rid, stored.version, str(body.get("name") or rid), provider, path, places,
                     offer_form.status(body, date.today()), entries, changes, rules=rules,
                     departements=departements)
    return view, body


def _rules(services: Services, caller: Caller, rid: str) -> tuple[Applied, dict[str, Any]]:
    """The template the offer's form follows, and the offer's stored values."""
    with services.db.read() as conn:
        _, body = access.require_edit(conn, caller, "HealthcareService", rid)
        provider = next(iter(bits.reference_ids(body.get("providedBy"), "Organization")), "")
        rules = template_use.applied(conn, body, tree.ancestors(conn, provider))
    return rules, offer_form.values_of(body)


def start(services: Services, caller: Caller, provider: str, source: str | None
          ) -> tuple[OfferPage, dict[str, Any]]:
    """A new offer under ``provider``: empty, or like ``source`` (a duplicate)."""
    with services.db.read() as conn:
        _, org = access.require_edit(conn, caller, "Organization", provider)
        if org_view.kind(org) == org_view.LEGAL_ENTITY:
            raise InvalidInput([error("invalid", "Une offre se rattache à un établissement "
                                      "(site) ou à une de ses unités, pas à l'entité "
                                      "juridique : choisissez un site ou une unité.")])
        dropped: list[str] = []
        if source:
            _, copied = access.require_edit(conn, caller, "HealthcareService", source)
            base = offer_form.copy_of(copied)
            base["providedBy"] = {"reference": f"Organization/{provider}"}
            dropped = _keep_own_places(conn, caller, base)
        else:
            base = offer_form.new_offer(provider, region_of(org))
        path, places = _around(conn, provider, offer_form.values_of(base))
        rules = template_use.applied(conn, base, path)
        departements = _departements(conn, places)
    return OfferPage(None, 0, "", provider, path, places, source=source,
                     dropped=dropped, rules=rules, departements=departements), base


def _keep_own_places(conn: Any, caller: Caller, body: dict[str, Any]) -> list[str]:
    """Drop from a copy the places the person may not link a new offer to (shared with
    another establishment); the names of those dropped."""
    ids = bits.reference_ids(body.get("location"), "Location")
    refused = {rid for rid in ids if not access.may_edit(conn, caller, "Location", rid)}
    body["location"] = [r for r in bits.dicts(body.get("location"))
                        if str(r.get("reference") or "").removeprefix("Location/")
                        not in refused]
    if not body["location"]:
        del body["location"]
    return sorted(history.names_of(conn, "Location", refused).values())


def _show(request: Request, view: OfferPage, form: Form, status: int = 200,
          outcome: saving.Outcome | None = None, flagged: str = "", **context: Any
          ) -> Response:
    services = _services(request)
    rules = view.rules or template_use.fallback()
    fields = FormView({**template_use.fields(rules), **offer_rows.part_fields(form.values)},
                      form, services.terminology,
                      extra={"lieux": view.places},
                      theirs=outcome.meanwhile.theirs if outcome and outcome.meanwhile else {},
                      folded=template_use.folded(rules), flagged=flagged,
                      disabled=template_use.disabled(rules, form.values))
    return page(request, "editeur/offre.html", status, offer=view, ui=fields,
                outcome=outcome, communes=entry_choices.communes_of(view.departements),
                **{"created": False, **context})


def _flags(services: Services, rid: str, body: dict[str, Any], query: Any
           ) -> tuple[dict[str, str], str]:
    """After a creation or from an anomaly: the quality rules' warnings on the stored
    offer, the rule the anomaly is about, and the field it leads to."""
    notes: dict[str, str] = {}
    if query.get("cree") == "1" or query.get("regle"):
        notes, _ = flags.checked(services, "HealthcareService", rid, body, offer_form.locate,
                                 offer_form.HINTS)
    return flags.with_rule(notes, query, offer_form.BY_NAME)


@logged_in
async def offer_page(request: Request) -> Response:
    services, rid = _services(request), request.path_params["id"]
    view, body = await run_in_threadpool(load, services, caller_of(request), rid)
    notes, flagged = await run_in_threadpool(_flags, services, rid, body,
                                             request.query_params)
    created = request.query_params.get("cree") == "1"
    values = offer_form.values_of(body)
    rules = view.rules or template_use.fallback()
    return _show(request, view, Form(template_use.restore(rules, values, values), notes=notes),
                 flagged=flagged, created=created)


@logged_in
async def offer_save(request: Request) -> Response:
    form = await checked_form(request)
    services, caller, rid = _services(request), caller_of(request), request.path_params["id"]
    version = saving.posted_version(form)
    rules, stored = await run_in_threadpool(_rules, services, caller, rid)
    mine = template_use.restore(rules, offer_form.read(form, services.terminology),
                                stored)
    kind = replace(KIND, apply=template_use.applying(rules))
    outcome = await run_in_threadpool(saving.update, services, caller, kind, rid, version,
                                      mine, "éditeur établissement : modification de l'offre")
    view, _ = await run_in_threadpool(load, services, caller, rid)
    view.version = outcome.version
    return _show(request, view, outcome.form, outcome.status, outcome)


@logged_in
async def new_offer(request: Request) -> Response:
    source = request.query_params.get("depuis") or None
    view, base = await run_in_threadpool(start, _services(request), caller_of(request),
                                         request.path_params["id"], source)
    values = offer_form.values_of(base)
    rules = view.rules or template_use.fallback()
    if source:
        values["nom"] = f"{values['nom']} (copie)"
    else:
        values = template_use.prefilled(rules, values)
    return _show(request, view, Form(template_use.restore(rules, values, values)))


@logged_in
async def create_offer(request: Request) -> Response:
    form = await checked_form(request)
    services, caller = _services(request), caller_of(request)
    source = form.get("depuis") or None
    view, base = await run_in_threadpool(start, services, caller, request.path_params["id"],
                                         source)
    rules = view.rules or template_use.fallback()
    mine = template_use.restore(rules, offer_form.read(form, services.terminology),
                                offer_form.values_of(base))
    reason = "éditeur établissement : " + ("duplication d'une offre" if source
                                           else "création d'une offre")
    kind = replace(KIND, apply=template_use.applying(rules))
    outcome = await run_in_threadpool(saving.create, services, caller, kind, base, mine,
                                      reason)
    if outcome.saved is not None:
        return redirect(f"{PREFIX}/offre/{outcome.saved.stored.id}?cree=1")
    return _show(request, view, outcome.form, 400, outcome)


ROUTES = [Route(f"{PREFIX}/offre/{{id}}", offer_page, methods=["GET"]),
          Route(f"{PREFIX}/offre/{{id}}", offer_save, methods=["POST"]),
          Route(f"{PREFIX}/organisation/{{id}}/nouvelle-offre", new_offer, methods=["GET"]),
          Route(f"{PREFIX}/organisation/{{id}}/nouvelle-offre", create_offer,
                methods=["POST"])]
