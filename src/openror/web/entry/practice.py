"""What the directory holds of a professional's practice: their Practitioner, their roles,
the offers of those roles, the offers' places and the organisations that provide them —
each with whether the person may change it (the write path's own rule, services.scopes).

What the person may change is read as stored: it is theirs, contacts of every level
included, and the entry rewrites it. What they may not change is read as they may see it
(the read policy), since it is only shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlalchemy as sa

from openror.access.caller import Caller
from openror.access.roles import PROFESSIONAL
from openror.errors import Forbidden, NotFound, Unauthorized, error
from openror.services.container import Services
from openror.services.ownership import OWNERSHIP
from openror.store.hierarchy import Graph
from openror.store.resources import read_current


@dataclass(frozen=True)
class Held:
    """One resource as the entry uses it."""

    rtype: str
    rid: str
    version: int
    body: dict[str, Any]
    editable: bool

    @property
    def ref(self) -> str:
        return f"{self.rtype}/{self.rid}"


@dataclass
class Practice:
    practitioner: Held
    roles: list[Held] = field(default_factory=list)
    offers: list[Held] = field(default_factory=list)
    places: list[Held] = field(default_factory=list)
    organisations: dict[str, Held] = field(default_factory=dict)

    def offer(self, rid: str) -> Held | None:
        return next((o for o in self.offers if o.rid == rid), None)

    def place(self, rid: str) -> Held | None:
        return next((p for p in self.places if p.rid == rid), None)


def practitioner_of(caller: Caller) -> str:
    """The Practitioner the person's professional role is linked to (403 otherwise)."""
    for grant in caller.grants:
        if grant.role == PROFESSIONAL and grant.scope:
            return grant.scope
    raise Forbidden([error("forbidden", "La saisie guidée est réservée aux professionnels de "
                           "santé dont le compte est relié à leur fiche du répertoire (RPPS). "
                           "Demandez à l'administrateur de relier votre compte.")])


def _editable(conn: sa.Connection, caller: Caller, rtype: str, rid: str) -> bool:
    try:
        OWNERSHIP.authorise_edit(conn, caller, rtype, rid)
    except (Forbidden, Unauthorized, NotFound):
        return False
    return True


def _held(services: Services, conn: sa.Connection, caller: Caller, rtype: str,
          rid: str) -> Held | None:
    editable = _editable(conn, caller, rtype, rid)
    stored = read_current(conn, rtype, rid) if editable else \
        services.reader.seen_now(rtype, rid, caller, conn)
    if stored is None or stored.deleted or stored.content is None:
        return None
    return Held(rtype, rid, stored.version, orjson.loads(stored.content), editable)


def read_practice(services: Services, caller: Caller) -> Practice:
    pid = practitioner_of(caller)
    with services.db.read() as conn:
        graph = Graph(conn)
        me = _held(services, conn, caller, "Practitioner", pid)
        if me is None:
            raise NotFound([error("not-found", "Votre fiche du répertoire (Practitioner/"
                                  f"{pid}) est introuvable : prévenez l'opérateur régional.")])
        found = Practice(me)
        for rid in graph.referrers("PractitionerRole", "practitioner", "Practitioner", pid):
            _add(found, _held(services, conn, caller, "PractitionerRole", rid))
        for role in list(found.roles):
            for oid in graph.targets("PractitionerRole", role.rid, "service"):
                if found.offer(oid) is None:
                    _add(found, _held(services, conn, caller, "HealthcareService", oid))
        for offer in found.offers:
            for lid in graph.targets("HealthcareService", offer.rid, "location"):
                if found.place(lid) is None:
                    _add(found, _held(services, conn, caller, "Location", lid))
        for org in _organisations(graph, found):
            if org not in found.organisations:
                _add(found, _held(services, conn, caller, "Organization", org))
    return found


def _organisations(graph: Graph, practice: Practice) -> list[str]:
    ids = [oid for offer in practice.offers
           for oid in graph.targets("HealthcareService", offer.rid, "organization")]
    ids += [oid for role in practice.roles
            for oid in _reference_ids(role.body.get("organization"), "Organization")]
    ids += [oid for place in practice.places
            for oid in graph.targets("Location", place.rid, "organization")]
    return list(dict.fromkeys(ids))


def _reference_ids(value: Any, rtype: str) -> list[str]:
    ref = value.get("reference") if isinstance(value, dict) else None
    if isinstance(ref, str) and ref.startswith(f"{rtype}/"):
        return [ref.split("/", 1)[1]]
    return []


def _add(practice: Practice, held: Held | None) -> None:
    if held is None:
        return
    if held.rtype == "PractitionerRole":
        practice.roles.append(held)
    elif held.rtype == "HealthcareService":
        practice.offers.append(held)
    elif held.rtype == "Location":
        practice.places.append(held)
    elif held.rtype == "Organization":
        practice.organisations[held.rid] = held


def provider_of(offer: Held) -> str | None:
    ids = _reference_ids(offer.body.get("providedBy"), "Organization")
    return ids[0] if ids else None


def place_of(offer: Held) -> str | None:
    """The offer's first place (the liberal model: one place per offer)."""
    for item in offer.body.get("location") or []:
        ids = _reference_ids(item, "Location")
        if ids:
            return ids[0]
    return None
