"""The directory as the rules see it: every organisation, offer and place as a small record,
with the links the rules follow (unit → site → legal entity, site → offers, offer → places),
the FINESS reference and the owners' confirmations.

Built once per run from one read transaction, so that every rule judges the same state.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from openror.geo.current import current_gazetteer
from openror.quality import facts
from openror.quality.model import Place as Where
from openror.store import finess_reference, freshness, quality_confirmations, quality_source
from openror.store.finess_reference import Authorisation, FinessSite
from openror.store.resources import utcnow
from openror.terminology import Terminology

_MAX_DEPTH = 8  # legal entity → site → pôle → service → UF…


@dataclass
class Directory:
    organizations: dict[str, facts.Organization] = field(default_factory=dict)
    offers: list[facts.Offer] = field(default_factory=list)
    places: dict[str, facts.Place] = field(default_factory=dict)
    finess_sites: list[FinessSite] = field(default_factory=list)
    authorisations: dict[str, list[Authorisation]] = field(default_factory=dict)
    confirmed: dict[str, datetime] = field(default_factory=dict)
    now: datetime = field(default_factory=utcnow)  # naive UTC, as the store's times
    terminology: Terminology | None = None
    _sites: dict[str, str | None] = field(default_factory=dict)
    _offers_by_site: dict[str, list[facts.Offer]] | None = None
    _places_by_site: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    _departements: dict[str, str | None] = field(default_factory=dict)
    _place_family: dict[str, str] = field(default_factory=dict)
    _place_provider: dict[str, str | None] = field(default_factory=dict)
    #: a million findings share a few thousand places: one object each
    _wheres: dict[tuple[str | None, str | None, str | None], Where] = field(
        default_factory=dict)

    def add_organization(self, rid: str, region: str | None, body: dict[str, Any],
                         updated: datetime) -> None:
        self.organizations[rid] = facts.organization(rid, region, body, updated)

    def add_offer(self, rid: str, region: str | None, body: dict[str, Any],
                  updated: datetime) -> None:
        offer = facts.offer(rid, region, body, updated)
        self.offers.append(offer)
        family = _family(offer.activities)
        for place_id in offer.places:  # a place's figures age as its most demanding offer's
            known = self._place_family.get(place_id, freshness.DEFAULT)
            if freshness.FAMILIES.index(family) < freshness.FAMILIES.index(known):
                self._place_family[place_id] = family
            self._place_provider.setdefault(place_id, offer.provider)

    def add_place(self, rid: str, body: dict[str, Any]) -> None:
        """After the offers (the place's family comes from them)."""
        place = facts.place(rid, body, self._place_family.get(rid, freshness.DEFAULT),
                            self.now)
        self.places[rid] = place
        if place.manager is not None:
            self._places_by_site[place.manager].append(rid)

    def site_of_place(self, place: facts.Place) -> facts.Organization | None:
        return self.site_of(place.manager or self._place_provider.get(place.id))

    def linked(self) -> Directory:
        """Once everything is added: each site's places include its offers' places."""
        for offer in self.offers:
            site = self.site_of(offer.provider)
            if site is not None:
                self._places_by_site[site.id].extend(offer.places)
        return self

    def site_of(self, org_id: str | None) -> facts.Organization | None:
        """The site (EG) an organisation is, or the one an internal unit belongs to."""
        if org_id is None:
            return None
        if org_id not in self._sites:
            self._sites[org_id] = self._climb(org_id)
        site_id = self._sites[org_id]
        return None if site_id is None else self.organizations.get(site_id)

    def _climb(self, org_id: str) -> str | None:
        current = self.organizations.get(org_id)
        for _ in range(_MAX_DEPTH):
            if current is None or current.kind == "legal-entity":
                return None
            if current.kind == "site":
                return current.id
            current = self.organizations.get(current.parent or "")
        return None

    def offers_of(self, site_id: str) -> list[facts.Offer]:
        if self._offers_by_site is None:
            grouped: dict[str, list[facts.Offer]] = defaultdict(list)
            for offer in self.offers:
                site = self.site_of(offer.provider)
                if site is not None:
                    grouped[site.id].append(offer)
            self._offers_by_site = grouped
        return self._offers_by_site.get(site_id, [])

    def known(self, system: str, code: str) -> bool:
        """Whether a code is in the NOS (every code is, when no terminology is at hand)."""
        return self.terminology is None or self.terminology.lookup(system, code) is not None

    def sites(self) -> Iterable[facts.Organization]:
        return (o for o in self.organizations.values() if o.kind == "site")

    def departement(self, site: facts.Organization | None) -> str | None:
        """The site's département: its places' commune, else its postal code."""
        if site is None:
            return None
        if site.id not in self._departements:
            self._departements[site.id] = self._departement(site)
        return self._departements[site.id]

    def _departement(self, site: facts.Organization) -> str | None:
        gazetteer = current_gazetteer()
        for place_id in self._places_by_site.get(site.id, ()):
            place = self.places.get(place_id)
            commune = gazetteer.current(place.commune) if place and place.commune else None
            if commune is not None:
                return commune.departement
        return departement_of_postal_code(site.postal_code)

    def where(self, site: facts.Organization | None, region: str | None = None,
              field: str | None = None) -> Where:
        """Where a finding about (something of) this site counts in the indicators."""
        key = (site.id if site else None, region, field)
        found = self._wheres.get(key)
        if found is None:
            found = self._wheres[key] = Where(
                region=(site.region if site else None) or region,
                departement=self.departement(site), field=field,
                category=site.category if site else None,
                site=f"Organization/{site.id}" if site else None)
        return found


def _family(activities: tuple[str, ...]) -> str:
    codes = freshness.family_codes()
    for family in (freshness.CRITICAL, freshness.EMERGENCY):
        if codes[family] & set(activities):
            return family
    return freshness.DEFAULT


def departement_of_postal_code(postal_code: str | None) -> str | None:
    """Two digits, three overseas (97x); Corsica's 20 cannot tell 2A from 2B."""
    code = (postal_code or "").strip()
    if len(code) != 5 or not code.isdigit():
        return None
    if code.startswith("97"):
        return code[:3]
    return None if code.startswith("20") else code[:2]


def load(conn: sa.Connection, now: datetime, terminology: Terminology | None) -> Directory:
    """Read the whole directory for a run (one read transaction)."""
    found = Directory(now=now, terminology=terminology)
    for rid, region, updated, body in quality_source.live(conn, "Organization"):
        found.add_organization(rid, region, body, updated)
    for rid, region, updated, body in quality_source.live(conn, "HealthcareService"):
        found.add_offer(rid, region, body, updated)
    for rid, _, _, body in quality_source.live(conn, "Location"):
        found.add_place(rid, body)
    found.finess_sites = list(finess_reference.sites(conn))
    found.authorisations = finess_reference.authorisations(conn)
    found.confirmed = quality_confirmations.confirmed_at(conn)
    return found.linked()
