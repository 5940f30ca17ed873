"""FINESS records (from ``FinessSource``) as resources with deterministic ids.

The source speaks in logical references (by FINESS number); a dataset for ``openror import
bundle`` needs ids and literal references ``Type/id``. Ids follow the natural keys: ``ej-``
legal entity, ``eg-`` site, ``loc-`` the site's place (see ``ids``).
"""

from __future__ import annotations

from typing import Any

from openror.datasets import codes as c
from openror.datasets import ids
from openror.geo import default_gazetteer
from openror.importers.base import Record
from openror.importers.finess_model import SYSTEM_FINESS, SYSTEM_PLACE
from openror.importers.finess_records import scope_of_finess

_TARGETS = {("Location", SYSTEM_PLACE): ids.finess_place_id}


def _literal(node: dict[str, Any], element: str) -> dict[str, str] | None:
    ident, rtype = node.get("identifier"), node.get("type")
    if not (isinstance(ident, dict) and isinstance(rtype, str)):
        return None
    value = str(ident.get("value"))
    if (rtype, ident.get("system")) == ("Organization", SYSTEM_FINESS):
        # a FINESS number names a legal entity under partOf, a site everywhere else
        rid = ids.legal_entity_id(value) if element == "partOf" else ids.site_id(value)
        return c.reference(rtype, rid)
    target = _TARGETS.get((rtype, str(ident.get("system"))))
    return c.reference(rtype, target(value)) if target else None


def literal_references(resource: dict[str, Any]) -> dict[str, Any]:
    """A copy whose top-level logical references are literal ones."""
    out = dict(resource)
    for element, value in resource.items():
        if isinstance(value, dict) and (ref := _literal(value, element)):
            out[element] = ref
    return out


def region_of(finess: str, commune: str) -> str:
    gazetteer = default_gazetteer()
    found = gazetteer.commune(commune) if commune else None
    if found is not None:
        return found.region
    dep = gazetteer.departement(scope_of_finess(finess))
    return dep.region if dep is not None else "11"


def resource(record: Record, region: str) -> dict[str, Any]:
    """The record's resource with its id, its region tag and literal references."""
    value = record.key.value
    if record.type == "Location":
        rid = ids.finess_place_id(value)
    else:
        rid = ids.legal_entity_id(value) if record.rank == 0 else ids.site_id(value)
    body = literal_references(record.resource)
    return {"resourceType": record.type, "id": rid, "meta": c.region_meta(region),
            **{k: v for k, v in body.items() if k != "resourceType"}}


def commune_of(place: Record | None) -> str:
    if place is None:
        return ""
    for ext in place.resource.get("extension") or []:
        if ext.get("url", "").endswith("ror-commune-cog"):
            return str(ext["valueCodeableConcept"]["coding"][0]["code"])
    return ""
