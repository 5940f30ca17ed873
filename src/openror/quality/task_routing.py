"""Where an anomaly goes: the resource it is about (its focus, a literal reference or a
logical one by identifier), the organisation that owns that resource and its region
(docs/api/anomalies.md, "Routing").

The owner is the site (EG) the focus belongs to: an offer's provider, a place's managing
organisation (else the one site of the offers at it), a role's organisation (else the one
site of its offers), an organisation itself, or its site for an internal unit. A
practitioner has no owner: the anomaly is routed to the region only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import orjson
import sqlalchemy as sa

from openror.fhir import profiles
from openror.store import derived
from openror.store.hierarchy import Graph, reference_of
from openror.store.resources import read_current

#: the types an anomaly may be about (search parameter ``focus``'s targets)
FOCUS_TYPES: Final = ("HealthcareService", "Organization", "Location", "Practitioner",
                      "PractitionerRole")
#: organisation chains are a few levels deep; this bounds a walk through bad data (cycles)
MAX_DEPTH: Final = 16
_INTERNAL = frozenset({profiles.PROFILE_INTERNAL_ORGANIZATION, profiles.PROFILE_ORGANIZATION_UF})


@dataclass(frozen=True)
class Route:
    focus: tuple[str, str]  # (type, id) of the live resource in anomaly
    owner: str | None  # id of the owning Organization
    region: str | None


def resolve_focus(conn: sa.Connection, focus: Any) -> tuple[str, str] | None:
    """(type, id) of the live resource ``focus`` names: its literal reference, else the one
    resource carrying its identifier (among ``focus.type``, or every focus type)."""
    if not isinstance(focus, dict):
        return None
    literal = reference_of(focus)
    if literal is not None:
        return literal if derived.existing(conn, {literal}) else None
    ident = focus.get("identifier")
    if not isinstance(ident, dict) or not isinstance(ident.get("value"), str):
        return None
    wanted = focus.get("type")
    types = [wanted] if wanted in FOCUS_TYPES else list(FOCUS_TYPES)
    system = ident.get("system") if isinstance(ident.get("system"), str) else None
    found = [(rtype, rid) for rtype in types
             for rid in derived.find_by_identifier(conn, rtype, system, ident["value"])]
    return found[0] if len(found) == 1 else None


def route(conn: sa.Connection, focus: Any) -> Route | None:
    """The route of an anomaly on ``focus``; None when the focus cannot be found."""
    target = resolve_focus(conn, focus)
    if target is None:
        return None
    graph = Graph(conn)
    return Route(target, _owner(conn, graph, *target), graph.region(*target))


def _owner(conn: sa.Connection, graph: Graph, rtype: str, rid: str) -> str | None:
    if rtype == "Organization":
        return _site(conn, graph, rid)
    if rtype == "HealthcareService":
        return _one_site(conn, graph, graph.targets(rtype, rid, "organization"))
    if rtype == "Location":
        managers = graph.targets(rtype, rid, "organization")
        offers = graph.referrers("HealthcareService", "location", rtype, rid)
        return _one_site(conn, graph, managers or [
            org for offer in offers
            for org in graph.targets("HealthcareService", offer, "organization")])
    if rtype == "PractitionerRole":
        orgs = graph.targets(rtype, rid, "organization")
        return _one_site(conn, graph, orgs or [
            org for offer in graph.targets(rtype, rid, "service")
            for org in graph.targets("HealthcareService", offer, "organization")])
    return None  # a practitioner: the region only


def _one_site(conn: sa.Connection, graph: Graph, orgs: list[str]) -> str | None:
    sites = {site for org in orgs if (site := _site(conn, graph, org)) is not None}
    return sites.pop() if len(sites) == 1 else None


def _site(conn: sa.Connection, graph: Graph, org: str) -> str | None:
    """The establishment (EG, or legal entity) an organisation is or belongs to: internal
    units are walked up through ``partOf``."""
    for _ in range(MAX_DEPTH):
        stored = read_current(conn, "Organization", org)
        if stored is None or stored.content is None:
            return None
        if not _internal(orjson.loads(stored.content)):
            return org
        parents = graph.targets("Organization", org, "partof")
        if len(parents) != 1:
            return None
        org = parents[0]
    return None


def _internal(org: dict[str, Any]) -> bool:
    """An internal unit by what it claims or by what it is: the write path gives an
    organisation without a claim the establishment profile."""
    unclaimed = {k: v for k, v in org.items() if k != "meta"}
    return profiles.profile_for(org) in _INTERNAL or profiles.profile_for(unclaimed) in _INTERNAL
