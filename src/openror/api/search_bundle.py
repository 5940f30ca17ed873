"""The searchset Bundle of a search page: matches (with distance and score), includes, an
OperationOutcome entry for what was ignored or truncated, and the paging links."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import orjson

from openror.errors import Issue, operation_outcome
from openror.geo.distance import haversine_km
from openror.logs import request_id_var
from openror.search import engine
from openror.search.engine import Hit, Page, encode_cursor
from openror.search.includes import Included
from openror.search.model import Content, Near
from openror.services.metadata import fhir_instant

DISTANCE_EXT = "http://hl7.org/fhir/StructureDefinition/location-distance"
UCUM = "http://unitsofmeasure.org"
SUBSETTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
             "code": "SUBSETTED"}
#: result parameters carried over into the paging links
_KEPT = ("_count", "_include", "_include:iterate", "_revinclude", "_revinclude:iterate",
         "_elements", "_total")


def render(page: Page, base: str, request_url: str, pairs: list[tuple[str, str]]
           ) -> dict[str, Any]:
    rtype = page.query.rtype
    entries = [_match(rtype, hit, content, base, page) for hit, content in page.matches]
    near = page.query.near
    entries += [included_entry(inc, base, near) for inc in page.included]
    outcome = _outcome(page)
    if outcome is not None:
        entries.append({"resource": outcome, "search": {"mode": "outcome"}})
    bundle: dict[str, Any] = {"resourceType": "Bundle"}
    if page.as_of is not None:  # a safe next _lastUpdated=ge value (docs/api/sync.md)
        bundle["meta"] = {"lastUpdated": fhir_instant(page.as_of)}
    bundle["type"] = "searchset"
    if page.total is not None:
        bundle["total"] = page.total
    bundle["link"] = _links(page, request_url, pairs)
    bundle["entry"] = entries
    return bundle


def _match(rtype: str, hit: Hit, content: bytes, base: str, page: Page) -> dict[str, Any]:
    search: dict[str, Any] = {"mode": "match"}
    if hit.distance is not None:
        search["extension"] = [distance_extension(hit.distance)]
    if hit.score is not None:
        search["score"] = round(min(hit.score / (4 * _terms(page)), 1.0), 4)
    resource = _elements(orjson.loads(content), page.query.elements) if page.query.elements \
        else orjson.Fragment(content)
    return {"fullUrl": f"{base}/{rtype}/{hit.id}", "resource": resource, "search": search}


def _terms(page: Page) -> int:
    found = next((c for c in page.query.criteria.items if isinstance(c, Content)), None)
    return len(found.terms) if found else 1


def included_entry(inc: Included, base: str, near: Near | None) -> dict[str, Any]:
    search: dict[str, Any] = {"mode": "include"}
    if near is not None and inc.type == "Location":
        position = orjson.loads(inc.content).get("position")
        if isinstance(position, dict) and "latitude" in position:
            km = haversine_km(near.lat, near.lon, position["latitude"], position["longitude"])
            search["extension"] = [distance_extension(km)]
    return {"fullUrl": f"{base}/{inc.type}/{inc.id}", "resource": orjson.Fragment(inc.content),
            "search": search}


def distance_extension(km: float) -> dict[str, Any]:
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
