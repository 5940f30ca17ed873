"""The searchset Bundle of ``HealthcareService/$orientation``: the ranked offers (score,
distance, explanation on ``entry.search``), the included resources, and why a named offer is
not there as an ``outcome`` entry (docs/api/orientation.md, FHIR variant)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from openror.api.orientation_api import Orientation
from openror.api.search_bundle import distance_extension, included_entry
from openror.errors import Issue, operation_outcome
from openror.logs import request_id_var
from openror.search.includes import Included
from openror.search.model import Near
from openror.search.orientation.model import Availability, Opening, Ranked

EXPLANATION_URL = "https://openror.fr/fhir/StructureDefinition/orientation-explanation"
#: the stage that left a named offer out (``whyNot``): unknown, analyse, candidates,
#: filters, rank, returned
WHY_NOT_STAGES = "https://openror.fr/fhir/CodeSystem/orientation-stage"


def render(done: Orientation, base: str, self_url: str, included: list[Included]
           ) -> dict[str, Any]:
    results = done.outcome.results
    entries = [_match(r, e, base) for r, e in zip(results, done.explanations, strict=True)]
    near = Near(done.where.lat, done.where.lon, 0.0)  # included places get their distance
    entries += [included_entry(inc, base, near) for inc in included]
    if done.why_not is not None:
        entries.append({"resource": _why_not(done.why_not), "search": {"mode": "outcome"}})
    if done.outcome.cut_short:
        entries.append({"resource": _cut_short(done.outcome.scope.radius_km),
                        "search": {"mode": "outcome"}})
    return {"resourceType": "Bundle", "type": "searchset", "total": len(results),
            "link": [{"relation": "self", "url": self_url}], "entry": entries}


def _match(ranked: Ranked, explanation: dict[str, Any], base: str) -> dict[str, Any]:
    offer = ranked.candidate
    extensions = [] if offer.distance_km is None else [distance_extension(offer.distance_km)]
    extensions.append(explanation_extension(ranked, explanation))
    return {"fullUrl": f"{base}/HealthcareService/{offer.id}", "resource": offer.body,
            "search": {"extension": extensions, "mode": "match", "score": ranked.score}}


def explanation_extension(ranked: Ranked, explanation: dict[str, Any]) -> dict[str, Any]:
    """Why the offer is there: the French sentence, the criteria it meets, its availability
    and, when its hours are known, whether it is open."""
    parts: list[dict[str, Any]] = [{"url": "text", "valueString": explanation["text"]}]
    parts += [{"url": "criterion", "extension": [
        {"url": "code", "valueCode": c["criterion"]}, {"url": "text", "valueString": c["text"]}]}
        for c in explanation["criteria"]]
    parts.append({"url": "availability", "extension": _availability(ranked.availability)})
    if ranked.opening is not None:
        parts.append({"url": "opening", "extension": _opening(ranked.opening)})
    return {"url": EXPLANATION_URL, "extension": parts}


def _availability(found: Availability) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    if found.available is not None:  # None: the places give no figure
        parts.append({"url": "available", "valueInteger": found.available})
    if found.updated is not None:
        parts.append({"url": "updated", "valueInstant": _instant(found.updated)})
    parts.append({"url": "stale", "valueBoolean": found.stale})
    return parts


def _opening(opening: Opening) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    if opening.open_now is not None:
        parts.append({"url": "openNow", "valueBoolean": opening.open_now})
    if opening.until is not None:
        parts.append({"url": "until", "valueDateTime": _instant(opening.until)})
    if opening.next_opening is not None:
        parts.append({"url": "nextOpening", "valueDateTime": _instant(opening.next_opening)})
    parts.append({"url": "text", "valueString": opening.text})
    return parts


def _instant(moment: datetime) -> str:
    """Naive moments are UTC, as the store keeps them; aware ones (opening hours, in the
    offer's time zone) keep their offset."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return moment.isoformat(timespec="seconds")


def _cut_short(radius_km: float) -> dict[str, Any]:
    return operation_outcome([Issue(
        "warning", "incomplete", f"the request's time limit stopped the search at "
        f"{radius_km:g} km: offers farther away were not examined")], request_id_var.get())


def _why_not(why_not: dict[str, str]) -> dict[str, Any]:
    issue = Issue("information", "informational", f"{why_not['id']} : {why_not['reason']}",
                  ("explain",))
    outcome = operation_outcome([issue], request_id_var.get())
    outcome["issue"][0]["details"] = {
        "coding": [{"system": WHY_NOT_STAGES, "code": why_not["stage"]}],
        "text": why_not["reason"]}
    return outcome
