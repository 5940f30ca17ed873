"""The searchset Bundle of a search page: matches (with distance and score), includes, an
OperationOutcome entry for what was ignored or truncated, and the paging links."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from openror.errors import Issue, operation_outcome
from openror.geo.distance import haversine_km
from openror.logs import request_id_var
from openror.search import engine
from openror.search.engine import Hit, Page, encode_cursor
from openror.search.model import Content, Near

DISTANCE_EXT = "http://hl7.org/fhir/StructureDefinition/location-distance"
UCUM = "http://unitsofmeasure.org"
SUBSETTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
             "code": "SUBSETTED"}
#: result parameters carried over into the paging links
_KEPT = ("_count", "_include", "_include:iterate", "_revinclude", "_revinclude:iterate",
         "_elements", "_total")


def render(page: Page, base: str, request_url: str, pairs: list[tuple[str, str]]
           ) -> dict[str, Any]:
    entries = [_match(hit, body, base, page) for hit, body in page.matches]
    near = page.query.near
    entries += [_included(body, base, near) for body in page.included]
    outcome = _outcome(page)
    if outcome is not None:
        entries.append({"resource": outcome, "search": {"mode": "outcome"}})
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset"}
    if page.total is not None:
        bundle["total"] = page.total
    bundle["link"] = _links(page, request_url, pairs)
    bundle["entry"] = entries
    return bundle


def _match(hit: Hit, body: dict[str, Any], base: str, page: Page) -> dict[str, Any]:
    search: dict[str, Any] = {"mode": "match"}
    if hit.distance is not None:
        search["extension"] = [_distance(hit.distance)]
    if hit.score is not None:
        search["score"] = round(min(hit.score / (4 * _terms(page)), 1.0), 4)
    return {"fullUrl": f"{base}/{body['resourceType']}/{body['id']}",
            "resource": _elements(body, page.query.elements), "search": search}


def _terms(page: Page) -> int:
    found = next((c for c in page.query.criteria.items if isinstance(c, Content)), None)
    return len(found.terms) if found else 1


def _included(body: dict[str, Any], base: str, near: Near | None) -> dict[str, Any]:
    search: dict[str, Any] = {"mode": "include"}
    position = body.get("position") if body.get("resourceType") == "Location" else None
    if near is not None and isinstance(position, dict) and "latitude" in position:
        km = haversine_km(near.lat, near.lon, position["latitude"], position["longitude"])
        search["extension"] = [_distance(km)]
    return {"fullUrl": f"{base}/{body['resourceType']}/{body['id']}", "resource": body,
            "search": search}


def _distance(km: float) -> dict[str, Any]:
    return {"url": DISTANCE_EXT, "valueDistance": {"value": round(km, 3), "unit": "km",
                                                   "system": UCUM, "code": "km"}}


def _elements(body: dict[str, Any], elements: tuple[str, ...]) -> dict[str, Any]:
    if not elements:
        return body
    kept = {k: v for k, v in body.items() if k in ("resourceType", "id", "meta") or
            k in elements}
    meta = dict(kept.get("meta") or {})
    meta["tag"] = [*(meta.get("tag") or []), SUBSETTED]
    kept["meta"] = meta
    return kept


def _outcome(page: Page) -> dict[str, Any] | None:
    issues = [Issue("warning", "not-supported", f"unknown search parameter '{name}' ignored",
                    (name,)) for name in page.query.ignored]
    if page.truncated:
        cap = engine.CAP
        issues.append(Issue("warning", "too-costly", f"more than {cap} matches: only the first "
                            f"{cap} can be paged through; narrow the search, or use $export "
                            "for a full extraction"))
    return operation_outcome(issues, request_id_var.get()) if issues else None


def _links(page: Page, request_url: str, pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    links = [{"relation": "self", "url": request_url}]
    nxt = page.next_offset
    if nxt is not None and page.cursor is not None:
        kept = [(k, v) for k, v in pairs if k in _KEPT]
        query = urlencode([*kept, ("_cursor", encode_cursor(page.cursor, nxt))])
        path = request_url.split("?", maxsplit=1)[0]
        links.append({"relation": "next", "url": f"{path}?{query}"})
    return links
