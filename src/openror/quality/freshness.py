"""Freshness of the description of units: when each was last changed or confirmed by its
owner, and « tout est à jour » — a confirmation recorded without changing any resource.

A unit's *last confirmed* moment is the later of its last change (``resource.last_updated``)
and its last confirmation (store.quality_confirmations). An offer is *overdue* when that
moment is older than the reminder threshold (setting ``quality_remind_after_days``).

Rights come from an :class:`Ownership` the caller hands over (services.ownership: the quality
package may not import services): whoever may edit a unit may confirm it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import orjson
import sqlalchemy as sa

from openror.access.caller import Caller, Grant
from openror.errors import Forbidden, InvalidInput, NotFound, OpenRORError, Unauthorized, error
from openror.store import quality_confirmations, visibility
from openror.store.database import Database
from openror.store.hierarchy import Graph
from openror.store.resources import StoredResource, read_current, utcnow

HS, ORG, PLACE = "HealthcareService", "Organization", "Location"
CONFIRMABLE = (ORG, HS)
#: legal entity → site → pôle → service → UF
DEPTH = 6


class Ownership(Protocol):
    def authorise_edit(self, conn: sa.Connection, caller: Caller, rtype: str,
                       rid: str) -> None: ...

    def governs(self, conn: sa.Connection, grant: Grant, rtype: str, rid: str) -> bool: ...


@dataclass(frozen=True)
class Confirmed:
    unit: str
    at: datetime
    units: list[str]  # every unit confirmed: the one asked for first
    skipped: list[str]  # units under it the caller may not edit (left as they were)


@dataclass(frozen=True)
class OfferFreshness:
    unit: str
    name: str
    last_change: datetime
    last_confirmation: datetime | None

    @property
    def last_confirmed(self) -> datetime:
        return max(self.last_change, self.last_confirmation or self.last_change)

    def overdue(self, now: datetime, after_days: int) -> bool:
        return self.last_confirmed < now - timedelta(days=after_days)


def parse_unit(unit: object, name: str = "unit") -> tuple[str, str]:
    """("Organization"|"HealthcareService", id) of a ``"<Type>/<id>"`` reference."""
    rtype, _, rid = (unit if isinstance(unit, str) else "").partition("/")
    if rtype not in CONFIRMABLE or not rid or "/" in rid or len(rid) > 64:
        raise InvalidInput([error("invalid", f"'{name}' must be 'Organization/<id>' or "
                                  "'HealthcareService/<id>'", name)])
    return rtype, rid


def last_confirmed(conn: sa.Connection, unit: str) -> datetime | None:
    """The later of the unit's last change and its last confirmation (None: no such live
    resource)."""
    rtype, _, rid = unit.partition("/")
    found = read_current(conn, rtype, rid)
    if found is None or found.deleted:
        return None
    confirmed = quality_confirmations.confirmed_at(conn, [unit]).get(unit)
    return max(found.last_updated, confirmed or found.last_updated)


def offers_under(graph: Graph, organization: str) -> list[str]:
    """Ids of the offers an organization provides, itself or through its units."""
    return sorted({offer for org in organizations_under(graph, organization)
                   for offer in graph.referrers(HS, "organization", ORG, org)})


def offers_of_practitioner(graph: Graph, practitioner: str) -> list[str]:
    """Ids of the offers in which the practitioner has a role."""
    return sorted({offer for role in graph.referrers("PractitionerRole", "practitioner",
                                                     "Practitioner", practitioner)
                   for offer in graph.targets("PractitionerRole", role, "service")})


def organizations_under(graph: Graph, organization: str) -> list[str]:
    found, frontier = [organization], [organization]
    for _ in range(DEPTH):
        frontier = [child for parent in frontier
                    for child in graph.referrers(ORG, "partof", ORG, parent)
                    if child not in found]
        found.extend(frontier)
    return found


def _visible(conn: sa.Connection, caller: Caller, rtype: str, rid: str,
             name: str = "unit") -> StoredResource:
    """The live resource, when the caller may see it (404 otherwise, as a read answers)."""
    found = read_current(conn, rtype, rid)
    if found is None or found.deleted or not (
            caller.sees_everything or visibility.is_visible(conn, rtype, rid, caller)):
        raise NotFound([error("not-found", f"{rtype}/{rid} does not exist", name)])
    return found


class Freshness:
    def __init__(self, db: Database, ownership: Ownership) -> None:
        self.db, self.ownership = db, ownership

    def confirm(self, unit: object, caller: Caller) -> Confirmed:
        """« Tout est à jour »: confirm an offer (and its places) or an organization (and
        the organizations, offers and places under it), in one transaction, without any new
        version. 403 unless the caller may edit the unit; units under it that the caller
        may not edit are skipped."""
        rtype, rid = parse_unit(unit)
        now = utcnow()
        with self.db.write() as conn:
            _visible(conn, caller, rtype, rid)
            self.ownership.authorise_edit(conn, caller, rtype, rid)
            confirmed, skipped = [f"{rtype}/{rid}"], list[str]()
            for below in _units_below(Graph(conn), rtype, rid):
                (confirmed if self._may_edit(conn, caller, below) else skipped).append(below)
            quality_confirmations.record(conn, confirmed, now, caller.actor)
        return Confirmed(f"{rtype}/{rid}", now, confirmed, skipped)

    def _may_edit(self, conn: sa.Connection, caller: Caller, unit: str) -> bool:
        rtype, _, rid = unit.partition("/")
        try:
            self.ownership.authorise_edit(conn, caller, rtype, rid)
        except (Forbidden, Unauthorized, NotFound):
            return False
        return True

    def may_confirm(self, conn: sa.Connection, caller: Caller, unit: str) -> bool:
        try:
            self.ownership.authorise_edit(conn, caller, *unit.split("/", 1))
        except OpenRORError:
            return False
        return True

    def of_site(self, site: str, caller: Caller, after_days: int,
                now: datetime | None = None) -> dict[str, Any]:
        """The site and each offer under it that the caller may see, with its freshness."""
        rtype, rid = parse_unit(site, "site")
        if rtype != ORG:
            raise InvalidInput([error("invalid", "'site' must be 'Organization/<id>'",
                                      "site")])
        now = now or utcnow()
        with self.db.read() as conn:
            stored = _visible(conn, caller, ORG, rid, "site")
            offers = offer_freshness(conn, caller, offers_under(Graph(conn), rid))
            may_confirm = self.may_confirm(conn, caller, site)
        return {"site": site, "name": _name(stored), "canConfirm": may_confirm,
                "overdueAfterDays": after_days,
                "offers": [_shown(offer, now, after_days) for offer in offers]}


def _units_below(graph: Graph, rtype: str, rid: str) -> list[str]:
    if rtype == HS:
        return [f"{PLACE}/{p}" for p in graph.targets(HS, rid, "location")]
    organizations = organizations_under(graph, rid)
    offers = offers_under(graph, rid)
    places = sorted({p for offer in offers for p in graph.targets(HS, offer, "location")})
    return ([f"{ORG}/{o}" for o in organizations[1:]] + [f"{HS}/{o}" for o in offers]
            + [f"{PLACE}/{p}" for p in places])


def offer_freshness(conn: sa.Connection, caller: Caller,
                    offer_ids: list[str]) -> list[OfferFreshness]:
    """The freshness of the live offers among ``offer_ids`` that the caller may see."""
    units = [f"{HS}/{rid}" for rid in offer_ids]
    confirmations = quality_confirmations.confirmed_at(conn, units)
    found = []
    for rid, unit in zip(offer_ids, units, strict=True):
        stored = read_current(conn, HS, rid)
        if stored is None or stored.deleted or not (
                caller.sees_everything or visibility.is_visible(conn, HS, rid, caller)):
            continue
        found.append(OfferFreshness(unit, _name(stored), stored.last_updated,
                                    confirmations.get(unit)))
    return found


def _name(stored: StoredResource) -> str:
    body = orjson.loads(stored.content or b"{}")
    return str(body.get("name") or stored.id)


def moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds") + "Z"


def _shown(offer: OfferFreshness, now: datetime, after_days: int) -> dict[str, Any]:
    return {"unit": offer.unit, "name": offer.name, "lastChange": moment(offer.last_change),
            "lastConfirmation": moment(offer.last_confirmation),
            "lastConfirmed": moment(offer.last_confirmed),
            "overdue": offer.overdue(now, after_days)}
