"""What the orientation page, its printable short list and its CSV show of one orientation
(``api.orientation_api.Orientation``): each result in French, numbered like the map, and the
summary of what the search understood."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from openror.api.orientation_api import Orientation
from openror.geo.distance import haversine_km
from openror.search.orientation.model import (
    Availability,
    Contact,
    Json,
    Ranked,
    french_km,
    french_number,
)
from openror.terminology import default_terminology
from openror.web.moments import age, paris, plural

#: how a contact's channel is named, and the link it opens
CHANNELS = {"phone": ("Téléphone", "tel:"), "fax": ("Fax", None), "email": ("Courriel", "mailto:"),
            "url": ("Site", ""), "sms": ("SMS", "sms:"), "pager": ("Bip", None),
            "other": ("Autre", None)}


@dataclass(frozen=True)
class PlaceView:
    id: str
    name: str
    address: str  # « 12 rue de la Paix, 78000 Versailles », or ""


@dataclass(frozen=True)
class ContactView:
    channel: str  # « Téléphone »
    value: str
    href: str | None
    label: str  # who it is for, or ""


@dataclass(frozen=True)
class ResultView:
    rank: int
    id: str
    name: str
    href: str
    site: str
    places: list[PlaceView]
    distance: str  # « à 3,2 km »
    distance_km: float | None
    beds: str  # « 3 lits ou places disponibles »
    figure_age: str  # « chiffre il y a 2 h (le 25/11/2026 à 01:00) », or ""
    updated: datetime | None  # of the availability figure (naive UTC)
    stale: bool
    opening: str  # French, or ""
    open_now: bool | None
    contacts: list[ContactView]
    why: str  # « pourquoi ce résultat »
    position: tuple[float, float] | None  # of the place nearest the patient

    @property
    def anchor(self) -> str:
        return f"offre-{self.rank}"


def offer_href(offer_id: str) -> str:
    """The offer's description (the UI has no page of its own for an offer yet)."""
    return f"/fhir/HealthcareService/{offer_id}"


def results(done: Orientation, sites: Mapping[str, str]) -> list[ResultView]:
    """``sites``: the names of the structures the results refer to, by id."""
    return [result(n, r, e, done, sites) for n, (r, e) in
            enumerate(zip(done.outcome.results, done.explanations, strict=True), 1)]


def result(rank: int, ranked: Ranked, explanation: dict[str, Any], done: Orientation,
           sites: Mapping[str, str]) -> ResultView:
    offer, found = ranked.candidate.body, ranked.availability
    km = ranked.candidate.distance_km
    opening = ranked.opening
    site = (offer.get("providedBy") or {}).get("display") or sites.get(site_id(offer) or "")
    return ResultView(
        rank, ranked.candidate.id, str(offer.get("name") or ranked.candidate.id),
        offer_href(ranked.candidate.id), str(site or ""),
        [_place(p) for p in ranked.candidate.places], distance(km), km,
        beds(found), figure_age(found, done.now),
        found.updated if found.available is not None else None, found.stale,
        opening.text if opening else "", opening.open_now if opening else None,
        [contact(c) for c in ranked.contacts], str(explanation.get("text") or ""),
        nearest(ranked.candidate.places, done.where.lat, done.where.lon))


def distance(km: float | None) -> str:
    if km is None:
        return "distance inconnue"
    return "à moins de 100 m" if km < 0.1 else f"à {french_km(km)} km"


def beds(found: Availability) -> str:
    if found.available is None:
        return "Disponibilité non renseignée"
    if found.available == 0:
        return "Aucun lit ni place disponible"
    return plural(found.available, "lit ou place disponible", "lits ou places disponibles")


def figure_age(found: Availability, now: datetime) -> str:
    if found.available is None:
        return ""
    if found.updated is None:
        return "chiffre non daté"
    return f"mis à jour {age(found.updated, now)}, le {paris(found.updated)}"


def contact(found: Contact) -> ContactView:
    channel, scheme = CHANNELS.get(found.system, (found.system, None))
    label = found.label
    if label in channel_names():  # « Téléphone fixe »: names the channel, not the purpose
        channel, label = label, ""
    href = None
    if scheme == "" and found.value.startswith(("https://", "http://")):
        href = found.value
    elif scheme:
        href = scheme + "".join(found.value.split()) if scheme == "tel:" else \
            scheme + found.value
    return ContactView(channel, found.value, href, label)


@cache
def channel_names() -> frozenset[str]:
    """The labels of the communication channels (TRE_R200, value set JDV_J225)."""
    return frozenset(c.display for c in default_terminology().expand("JDV_J225"))


def site_id(offer: Json) -> str | None:
    """The id of the structure providing the offer."""
    reference = (offer.get("providedBy") or {}).get("reference")
    if isinstance(reference, str) and reference.startswith("Organization/"):
        return reference.removeprefix("Organization/")
    return None


def _place(body: Json) -> PlaceView:
    address = body.get("address") or {}
    street = ", ".join(str(line) for line in address.get("line", []) if line)
    town = " ".join(str(p) for p in (address.get("postalCode"), address.get("city")) if p)
    return PlaceView(str(body.get("id") or ""), str(body.get("name") or body.get("id") or ""),
                     ", ".join(p for p in (street, town) if p))


def nearest(places: list[Json], lat: float, lon: float) -> tuple[float, float] | None:
    points = [(float(pos["latitude"]), float(pos["longitude"])) for p in places
              if isinstance(pos := p.get("position"), dict)
              and pos.get("latitude") is not None and pos.get("longitude") is not None]
    return min(points, key=lambda p: haversine_km(lat, lon, p[0], p[1]), default=None)


# -- what the search understood --------------------------------------------------------------

def understood(done: Orientation) -> list[str]:
    """The search as the engine read it, one French phrase per part."""
    need, scope = done.need, done.outcome.scope
    parts = [" ou ".join(f"« {a.label} »" for a in need.activities)] if need.activities \
        else []
    for coded, intro in ((need.expertise, ""), (need.acts, "acte : "),
                         (need.publics, "public : ")):
        if coded:
            parts.append(intro + " ou ".join(c.label for c in coded))
    if need.care_modes:
        parts.append("en " + " ou ".join(m.label for m in need.care_modes))
    if need.equipment is not None:
        kinds = " ou ".join(k.label for k in need.equipment.kinds)
        limit = need.equipment.min_kg
        parts.append(f"équipement : {kinds}" + ("" if limit is None else
                                                 f" (au moins {french_number(limit)} kg)"))
    if need.open_now:
        parts.append("ouvert maintenant")
    if need.words:
        parts.append(f"nom contenant « {' '.join(need.words)} » de préférence")
    patient = [f"{_years(need.age)}"] if need.age is not None else []
    patient += [{"female": "femme", "male": "homme"}[need.sex]] if need.sex else []
    if patient:
        parts.append("patient : " + ", ".join(patient))
    parts.append(f"autour de {done.where.label}")
    parts.append("dans toute la France" if scope.national
                 else f"dans un rayon de {french_number(scope.radius_km)} km")
    return parts


def _years(years: float) -> str:
    if years < 1:
        return f"{round(years * 12)} mois"
    return f"{french_number(years)} an{'s' if years >= 2 else ''}"


def found_line(done: Orientation) -> str:
    shown = len(done.outcome.results)
    line = "Aucune offre trouvée" if not shown else \
        plural(shown, "offre trouvée", "offres trouvées")
    dropped = len(done.outcome.dropped)
    if dropped:  # read then dropped: the criteria the search itself cannot ask
        line += (f" ; {plural(dropped, 'offre écartée', 'offres écartées')} par un critère "
                 "impératif (fermeture, équipement, horaires…)")
    if done.outcome.cut_short:
        radius = french_number(done.outcome.scope.radius_km)
        line += (f". Recherche arrêtée à {radius} km faute de temps : les offres plus "
                 "éloignées n'ont pas été examinées")
    return line + "."


def stale_count(views: list[ResultView]) -> int:
    return sum(1 for v in views if v.stale)
