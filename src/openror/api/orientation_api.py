"""``GET /api/orientation``: the offers that best fit a patient's need near the patient,
ranked and explained (docs/api/orientation.md)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.access.caller import Caller
from openror.api.http import caller_of, json_response
from openror.api.metrics.instruments import observe_search
from openror.params import integer, refuse_unknown
from openror.search.kinds import ORIENTATION
from openror.search.orientation import pipeline
from openror.search.orientation.analyse import analyse_need, analyse_where
from openror.search.orientation.model import Coded, Need, Opening, Ranked, Where
from openror.services.container import Services
from openror.store.database import Database
from openror.store.resources import utcnow

PARAMS = ("q", "activity", "careMode", "age", "sex", "act", "public", "equipment",
          "equipmentLimit", "openNow", "address", "commune", "postalCode", "lat", "lon",
          "count", "explain")
MAX_COUNT = 100


async def orientation(request: Request) -> Response:
    services: Services = request.app.state.services
    params = dict(request.query_params)
    refuse_unknown(params, PARAMS)
    body = await run_in_threadpool(answer, services.db, caller_of(request), params)
    return json_response(body)


@dataclass
class Orientation:
    """One orientation request, run: what the JSON answer, the FHIR Bundle and the web page
    are made from."""

    need: Need
    where: Where
    outcome: pipeline.Outcome
    explanations: list[dict[str, Any]]
    why_not: dict[str, str] | None
    now: datetime


def run(db: Database, caller: Caller, params: dict[str, str]) -> Orientation:
    """Read the parameters (a 400 naming the wrong one), orient, explain."""
    need = analyse_need(params.get("q"), params.get("activity"), params.get("careMode"),
                        params.get("age"), params.get("sex"), act=params.get("act"),
                        public=params.get("public"), equipment=params.get("equipment"),
                        equipment_limit=params.get("equipmentLimit"),
                        open_now=params.get("openNow"))
    where = analyse_where(params.get("commune"), params.get("postalCode"), params.get("lat"),
                          params.get("lon"), params.get("address"))
    count = integer(params, "count", pipeline.DEFAULT_COUNT, 1, MAX_COUNT)
    now = utcnow()
    started = time.perf_counter()
    outcome = pipeline.orient(db, caller, need, where, now, count)
    why_not = pipeline.why_not(db, caller, outcome, params["explain"], now).as_json() \
        if params.get("explain") else None
    observe_search("HealthcareService", ORIENTATION, time.perf_counter() - started)
    return Orientation(need, where, outcome, pipeline.explained(outcome, now), why_not, now)


def answer(db: Database, caller: Caller, params: dict[str, str]) -> dict[str, Any]:
    done = run(db, caller, params)
    need, where, outcome = done.need, done.where, done.outcome
    body: dict[str, Any] = {
        "need": _need(need),
        "where": {"lat": where.lat, "lon": where.lon, "departement": where.departement,
                  "label": where.label},
        "search": {"radius_km": None if outcome.scope.national else outcome.scope.radius_km,
                   "national": outcome.scope.national, "start_km": outcome.scope.start_km,
                   "candidates": len(outcome.seen), "dropped": len(outcome.dropped),
                   "cut_short": outcome.cut_short},
        "results": [_result(r, e) for r, e in zip(outcome.results, done.explanations,
                                                  strict=True)],
    }
    if done.why_not is not None:
        body["whyNot"] = done.why_not
    return body


def _need(need: Need) -> dict[str, Any]:
    kit = need.equipment
    return {"activities": _codes(need.activities), "careModes": _codes(need.care_modes),
            "expertise": _codes(need.expertise), "acts": _codes(need.acts),
            "publics": _codes(need.publics),
            "equipment": _codes(kit.kinds) if kit else [],
            "equipmentLimit_kg": kit.min_kg if kit else None,
            "words": list(need.words), "age": need.age, "sex": need.sex,
            "openNow": need.open_now}


def _codes(found: tuple[Coded, ...]) -> list[dict[str, str]]:
    return [{"code": c.code, "display": c.label} for c in found]


def _result(ranked: Ranked, explanation: dict[str, Any]) -> dict[str, Any]:
    offer = ranked.candidate.body
    site = offer.get("providedBy", {})
    found = ranked.availability
    return {
        "id": ranked.candidate.id, "name": offer.get("name"),
        "site": {"reference": site.get("reference"), "display": site.get("display")},
        "places": [{"id": p.get("id"), "name": p.get("name")} for p in ranked.candidate.places],
        "distance_km": None if ranked.candidate.distance_km is None
        else round(ranked.candidate.distance_km, 2),
        "score": ranked.score,
        "availability": {"available": found.available, "stale": found.stale,
                         "updated": found.updated.isoformat(timespec="seconds") + "Z"
                         if found.updated else None},
        "opening": _opening(ranked.opening),
        "contacts": [{"system": c.system, "value": c.value, "label": c.label}
                     for c in ranked.contacts],
        "explanation": explanation,
    }


def _opening(found: Opening | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {"openNow": found.open_now, "text": found.text,
            "until": found.until.isoformat(timespec="minutes") if found.until else None,
            "nextOpening": found.next_opening.isoformat(timespec="minutes")
            if found.next_opening else None}


ROUTES = [Route("/orientation", orientation, methods=["GET"])]
