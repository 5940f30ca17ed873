"""The links that place a resource in the hierarchy (legal entity → site → unit → offer →
place; practitioner → role), read from the search index's reference rows of the current
versions. The write path walks them to decide a person's scope (services.scopes)."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from openror.store import rawsql

#: (resource type, search parameter) -> the element of the body it indexes
LINKS: dict[tuple[str, str], str] = {
    ("Organization", "partof"): "partOf",
    ("HealthcareService", "organization"): "providedBy",
    ("HealthcareService", "location"): "location",
    ("Location", "organization"): "managingOrganization",
    ("Location", "partof"): "partOf",
    ("PractitionerRole", "practitioner"): "practitioner",
    ("PractitionerRole", "service"): "healthcareService",
    ("PractitionerRole", "organization"): "organization",
}

# as store.search_rows reads a reference: relative, or the last two segments of a URL
_REFERENCE = re.compile(r"(?:^|/)([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/\S+)?$")

_TARGETS = ("SELECT target_id FROM search_ref WHERE type = :t AND id = :i AND param = :p "
            "ORDER BY target_id")
_REFERRERS = ("SELECT id FROM search_ref WHERE target_type = :tt AND target_id = :ti "
              "AND type = :t AND param = :p ORDER BY id")
_REGION = "SELECT region FROM resource WHERE type = :t AND id = :i AND deleted = :no"


def reference_of(value: Any) -> tuple[str, str] | None:
    """(type, id) of a literal Reference, read as the search index reads it."""
    if not isinstance(value, dict):
        return None
    m = _REFERENCE.search(str(value.get("reference") or ""))
    return None if m is None else (m.group(1), m.group(2))


def body_targets(body: dict[str, Any], rtype: str, param: str) -> list[str]:
    """The ids a body's link points to, read as the search index reads them."""
    value = body.get(LINKS[(rtype, param)])
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if isinstance(item, dict):
            m = _REFERENCE.search(str(item.get("reference") or ""))
            if m is not None:
                found.append(m.group(2))
    return sorted(set(found))


class Graph:
    """The stored links, in the writer's transaction."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def targets(self, rtype: str, rid: str, param: str) -> list[str]:
        rows = rawsql.run(self.conn, _TARGETS, {"t": rtype, "i": rid, "p": param})
        return sorted({str(row[0]) for row in rows.fetchall()})

    def referrers(self, source_type: str, param: str, target_type: str,
                  target_id: str) -> list[str]:
        rows = rawsql.run(self.conn, _REFERRERS, {"tt": target_type, "ti": target_id,
                                                  "t": source_type, "p": param})
        return sorted({str(row[0]) for row in rows.fetchall()})

    def region(self, rtype: str, rid: str) -> str | None:
        row = rawsql.run(self.conn, _REGION, {"t": rtype, "i": rid, "no": False}).fetchone()
        return None if row is None or row[0] is None else str(row[0])


def places_under(graph: Graph, organization: str, depth: int = 6) -> list[str]:
    """The places of an organization and of every unit under it: those of their offers and
    those they manage (a referent's site screen)."""
    organizations, frontier = {organization}, [organization]
    for _ in range(depth):  # legal entity → site → pôle → service → UF
        frontier = [child for parent in frontier
                    for child in graph.referrers("Organization", "partof", "Organization",
                                                 parent) if child not in organizations]
        organizations.update(frontier)
    places: set[str] = set()
    for org in organizations:
        places.update(graph.referrers("Location", "organization", "Organization", org))
        for offer in graph.referrers("HealthcareService", "organization", "Organization", org):
            places.update(graph.targets("HealthcareService", offer, "location"))
    return sorted(places)
