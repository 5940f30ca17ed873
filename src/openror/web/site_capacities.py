"""A referent's one screen for every capacity figure of a site, with one save
(capacity.manual): ``/capacites/site/{id}``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.access.caller import Caller
from openror.capacity import labels
from openror.capacity.manual import ManualEntry, PlaceCounts
from openror.errors import NotFound, error
from openror.fhir import capacity_indicators as ci
from openror.services.container import Services
from openror.store import freshness
from openror.store.capacity_history import COLUMNS, moment
from openror.store.feed import LogEntry
from openror.store.hierarchy import Graph, places_under
from openror.store.resources import StoredResource, utcnow
from openror.web.forms import checked_form
from openror.web.moments import age
from openror.web.pages import logged_in
from openror.web.render import caller_of, page, redirect

BAD_COUNT = "Indiquez un nombre entier, positif ou nul."


@dataclass
class Figure:
    position: int
    label: str
    count: Any  # as stored, or as typed back when the form is refused
    updated: str | None
    age: str
    stale: bool
    source: str  # who gave the figure: « gestion des lits », « saisie manuelle »…
    error: str | None = None

    @property
    def field(self) -> str:
        return f"nb-{self.position}"


@dataclass
class Place:
    id: str
    name: str
    version: int
    family: str
    figures: list[Figure] = field(default_factory=list)


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _place(stored: StoredResource, family: str, now: datetime) -> Place:
    assert stored.content is not None
    body = orjson.loads(stored.content)
    fresh = freshness.freshness(body, family, now)
    stale = set(fresh.stale) if fresh else set()
    found = Place(stored.id, str(body.get("name") or stored.id), stored.version, family)
    for position, record in ci.records(body):
        codes = dict(zip(COLUMNS.values(), record.key, strict=True))
        updated = moment(record.updated)
        source = labels.SOURCE.get(record.codes.get("capacitySourceType") or "", "")
        found.figures.append(Figure(position, labels.indicator(codes), record.count,
                                    record.updated, age(updated, now), record.key in stale,
                                    source))
    return found


def _site_places(services: Services, site: str, caller: Caller) -> tuple[str, list[Place]]:
    """The site's name and its places with figures, as the caller may see them."""
    reader, now = services.reader, utcnow()
    with services.db.read() as conn:
        name = _name(reader.seen_now("Organization", site, caller, conn))
        stored = [s for rid in places_under(Graph(conn), site)
                  if (s := reader.seen_now("Location", rid, caller, conn)) is not None]
        families = freshness.families_of(conn, [s.id for s in stored])
    places = [_place(s, families.get(s.id, freshness.DEFAULT), now) for s in stored]
    return name, [p for p in places if p.figures]


def _name(stored: StoredResource | None) -> str:
    if stored is None or stored.content is None:
        raise NotFound([error("not-found", "Cet établissement n'existe pas, ou vous n'avez "
                              "pas le droit de le voir.")])
    return str(orjson.loads(stored.content).get("name") or "")


@logged_in
async def site_form(request: Request) -> Response:
    site = request.path_params["id"]
    name, places = await run_in_threadpool(_site_places, _services(request), site,
                                           caller_of(request))
    saved = request.query_params.get("enregistre", "")
    return page(request, "capacites_site.html", site=site, name=name, places=places,
                saved=int(saved) if saved.isdigit() else None, errors=[])


@logged_in
async def site_save(request: Request) -> Response:
    site = request.path_params["id"]
    form = await checked_form(request)
    services, caller = _services(request), caller_of(request)
    name, places = await run_in_threadpool(_site_places, services, site, caller)
    changes, errors = _read_counts(form, places)
    if errors:
        return page(request, "capacites_site.html", 400, site=site, name=name,
                    places=places, saved=None, errors=errors)
    log = LogEntry(actor=caller.actor, request_id=None, reason="saisie des capacités")
    changed = await run_in_threadpool(ManualEntry(services.writes).save, changes, log,
                                      caller=caller)
    return redirect(f"/capacites/site/{site}?enregistre={changed}")


def _read_counts(form: dict[str, str], places: list[Place]
                 ) -> tuple[list[PlaceCounts], list[tuple[str, str]]]:
    """The counts typed for each place, or the (field id, message) of each wrong one. Every
    field keeps what was typed and every place the version posted, so that a refused form
    is shown back as it was sent."""
    changes, errors = [], []
    for place in places:
        version = form.get(f"v-{place.id}", "")
        counts: dict[int, int] = {}
        for figure in place.figures:
            typed = form.get(f"{place.id}-{figure.field}", "").strip()
            if not typed.isdigit() or len(typed) > 6:
                figure.count, figure.error = typed, BAD_COUNT
                errors.append((f"{place.id}-{figure.field}", f"{place.name} — {figure.label}"
                               f" : {BAD_COUNT}"))
            else:
                figure.count = counts[figure.position] = int(typed)
        if version.isdigit():  # shown back as posted: a refused form keeps its versions
            place.version = int(version)
            changes.append(PlaceCounts(place.id, place.version, counts))
    return changes, errors


ROUTES = [Route("/capacites/site/{id}", site_form, methods=["GET"]),
          Route("/capacites/site/{id}", site_save, methods=["POST"])]
