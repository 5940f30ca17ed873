"""The establishment as a tree: legal entity → sites → internal units, each with its
offers (open or closed) and, on sites, their places — read from the links the write path
decides rights on (store.hierarchy), in one read transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
import sqlalchemy as sa

from openror.access.caller import Caller
from openror.access.roles import REFERENT
from openror.store.hierarchy import Graph, places_under
from openror.store.resources import read_current
from openror.terminology import Terminology
from openror.web.editor import access, offer_form, org_view, place_form

#: legal entity → site → pôle → service → UF, with room for bad data
MAX_DEPTH = 8


@dataclass(frozen=True)
class OfferItem:
    id: str
    name: str
    version: int
    activity: str
    status: offer_form.Status


@dataclass(frozen=True)
class PlaceItem:
    id: str
    name: str
    commune: str
    equipment: int
    editable: bool


@dataclass
class Node:
    id: str
    name: str
    kind: str  # org_view.LEGAL_ENTITY, SITE, UNIT
    offers: list[OfferItem] = field(default_factory=list)
    places: list[PlaceItem] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return org_view.KIND_LABELS[self.kind]

    def all_offers(self) -> list[OfferItem]:
        return self.offers + [o for child in self.children for o in child.all_offers()]

    @property
    def counts(self) -> tuple[int, int]:
        """(offers, closed offers) of this node and everything under it."""
        found = self.all_offers()
        return len(found), sum(1 for o in found if o.status.closed)

    @property
    def site(self) -> bool:
        return self.kind == org_view.SITE


def _body(conn: sa.Connection, rtype: str, rid: str) -> dict[str, Any] | None:
    found = read_current(conn, rtype, rid)
    if found is None or found.deleted or found.content is None:
        return None
    return dict(orjson.loads(found.content))


def load(conn: sa.Connection, caller: Caller, root: str, terminology: Terminology,
         today: date) -> Node:
    """The tree under ``root``, once ``caller`` may edit ``root`` (a French 403 otherwise)."""
    _, body = access.require_edit(conn, caller, "Organization", root)
    graph = Graph(conn)
    return _node(conn, graph, caller, root, body, terminology, today, 0)


def _node(conn: sa.Connection, graph: Graph, caller: Caller, rid: str, body: dict[str, Any],
          terminology: Terminology, today: date, depth: int) -> Node:
    node = Node(rid, str(body.get("name") or rid), org_view.kind(body))
    for offer_id in graph.referrers("HealthcareService", "organization", "Organization", rid):
        stored = read_current(conn, "HealthcareService", offer_id)
        if stored is None or stored.deleted or stored.content is None:
            continue
        offer = orjson.loads(stored.content)
        activity = offer_form.values_of(offer)["activite"]
        node.offers.append(OfferItem(
            offer_id, str(offer.get("name") or offer_id), stored.version,
            offer_form.ACTIVITY.label(terminology, str(activity)) if activity else "",
            offer_form.status(offer, today)))
    node.offers.sort(key=lambda o: (o.name.lower(), o.id))
    if node.kind == org_view.SITE or depth == 0:
        node.places = _places(conn, caller, _place_ids(graph, node), terminology)
    if depth < MAX_DEPTH:
        for child in graph.referrers("Organization", "partof", "Organization", rid):
            child_body = _body(conn, "Organization", child)
            if child_body is not None:
                node.children.append(_node(conn, graph, caller, child, child_body,
                                           terminology, today, depth + 1))
    node.children.sort(key=lambda n: (n.kind != org_view.SITE, n.name.lower(), n.id))
    return node


def _place_ids(graph: Graph, node: Node) -> list[str]:
    """The places of a site, or of a unit shown alone: of its offers, of its units' offers,
    and those it manages. A legal entity's are listed under its sites, but for those of
    its own offers and those it manages."""
    if node.kind != org_view.LEGAL_ENTITY:
        return places_under(graph, node.id)
    found = set(graph.referrers("Location", "organization", "Organization", node.id))
    for offer in node.offers:
        found.update(graph.targets("HealthcareService", offer.id, "location"))
    return sorted(found)


def _places(conn: sa.Connection, caller: Caller, ids: list[str], terminology: Terminology
            ) -> list[PlaceItem]:
    found = []
    for rid in ids:
        body = _body(conn, "Location", rid)
        if body is None:
            continue
        values = place_form.values_of(body)
        commune = str(values["commune"])
        found.append(PlaceItem(
            rid, str(body.get("name") or rid),
            place_form.COMMUNE.described(terminology, commune) if commune else "",
            len(values["equipements"]), access.may_edit(conn, caller, "Location", rid)))
    return sorted(found, key=lambda p: (p.name.lower(), p.id))


def roots(conn: sa.Connection, caller: Caller) -> list[tuple[str, str]]:
    """(id, name) of the organisations the person is a referent of."""
    found = []
    for grant in caller.grants:
        if grant.role == REFERENT and grant.scope:
            body = _body(conn, "Organization", grant.scope)
            if body is not None:
                found.append((grant.scope, str(body.get("name") or grant.scope)))
    return found


@dataclass(frozen=True)
class Crumb:
    id: str
    name: str
    kind: str


def ancestors(conn: sa.Connection, org: str) -> list[Crumb]:
    """``org`` and the organisations above it, from the top (legal entity) down."""
    graph, found, current = Graph(conn), [], org
    for _ in range(MAX_DEPTH):
        body = _body(conn, "Organization", current)
        if body is None:
            break
        found.append(Crumb(current, str(body.get("name") or current), org_view.kind(body)))
        parents = graph.targets("Organization", current, "partof")
        if not parents or any(c.id == parents[0] for c in found):
            break
        current = parents[0]
    return found[::-1]


def site_places(conn: sa.Connection, path: list[Crumb]) -> list[tuple[str, str]]:
    """(id, name) of the places an offer of the last organisation of ``path`` may use: those
    of its site (else of the organisation itself)."""
    site = next((c.id for c in reversed(path) if c.kind == org_view.SITE),
                path[-1].id if path else None)
    if site is None:
        return []
    found = []
    for rid in places_under(Graph(conn), site):
        body = _body(conn, "Location", rid)
        if body is not None:
            found.append((rid, str(body.get("name") or rid)))
    return sorted(found, key=lambda p: (p[1].lower(), p[0]))
