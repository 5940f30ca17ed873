"""« Tout est à jour »: ``/qualite/fraicheur``, where owners see when their offers were last
changed or confirmed and confirm them in one click (quality.freshness). The freshness
reminders link here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.access.caller import Caller
from openror.access.roles import PROFESSIONAL, REFERENT
from openror.errors import NotFound
from openror.quality.freshness import (
    Freshness,
    OfferFreshness,
    offer_freshness,
    offers_of_practitioner,
)
from openror.services.container import Services
from openror.services.ownership import OWNERSHIP
from openror.store.hierarchy import Graph
from openror.store.resources import utcnow
from openror.web.forms import checked_form
from openror.web.pages import logged_in
from openror.web.render import caller_of, page, redirect

PATH = "/qualite/fraicheur"


@dataclass(frozen=True)
class OwnOffer:
    offer: OfferFreshness
    overdue: bool


def _services(request: Request) -> tuple[Services, Freshness]:
    services: Services = request.app.state.services
    return services, Freshness(services.db, OWNERSHIP)


def _sites(freshness: Freshness, caller: Caller, asked: str | None, after_days: int
           ) -> list[dict[str, Any]]:
    """The sites the person is a referent of, and the one asked for (?site=…)."""
    wanted = [f"Organization/{g.scope}" for g in caller.grants
              if g.role == REFERENT and g.scope]
    if asked:
        wanted.append(asked if "/" in asked else f"Organization/{asked}")
    found = []
    for site in dict.fromkeys(wanted):
        try:
            found.append(freshness.of_site(site, caller, after_days))
        except NotFound:
            continue
    return found


def _own_offers(freshness: Freshness, caller: Caller, after_days: int) -> list[OwnOffer]:
    """A professional's offers (their practice), each confirmed on its own."""
    practitioners = [g.scope for g in caller.grants if g.role == PROFESSIONAL and g.scope]
    now, found = utcnow(), []
    with freshness.db.read() as conn:
        graph = Graph(conn)
        for practitioner in practitioners:
            for offer in offer_freshness(conn, caller, offers_of_practitioner(graph,
                                                                              practitioner)):
                if freshness.may_confirm(conn, caller, offer.unit):
                    found.append(OwnOffer(offer, offer.overdue(now, after_days)))
    return found


def _show(request: Request, services: Services, freshness: Freshness) -> dict[str, Any]:
    caller, after = caller_of(request), services.settings.quality_remind_after_days
    return {"sites": _sites(freshness, caller, request.query_params.get("site"), after),
            "own": _own_offers(freshness, caller, after), "after_days": after,
            "confirmed": request.query_params.get("confirme", "")}


@logged_in
async def freshness_page(request: Request) -> Response:
    services, freshness = _services(request)
    shown = await run_in_threadpool(_show, request, services, freshness)
    return page(request, "fraicheur.html", **shown)


@logged_in
async def confirm(request: Request) -> Response:
    form = await checked_form(request)
    _, freshness = _services(request)
    done = await run_in_threadpool(freshness.confirm, form.get("unit"), caller_of(request))
    # the site stays on the page (an operator opened it with ?site=)
    site = f"&site={quote(done.unit)}" if done.unit.startswith("Organization/") else ""
    return redirect(f"{PATH}?confirme={quote(done.unit)}{site}")


ROUTES = [Route(PATH, freshness_page, methods=["GET"]),
          Route(PATH, confirm, methods=["POST"])]
