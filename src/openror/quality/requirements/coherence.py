"""CO1 (emergency offers), CO2 (maternity type), CO3 (sensitive units)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openror.quality import authorisations, catalog
from openror.quality.directory import Directory
from openror.quality.facts import Offer, Organization
from openror.quality.model import Finding
from openror.quality.text import folded


def _authorisations_of(directory: Directory, site: Organization) -> list[Any]:
    return list(directory.authorisations.get(site.finess or "", ()))


def _tracked_finess(directory: Directory) -> set[str]:
    return {row.finess for row in directory.finess_sites if catalog.tracked(row.category)}


def emergency_gap(offer: Offer, granted: list[Any] | None) -> str | None:
    """What is wrong with an emergency offer (CO1); authorisations are not checked when
    ``granted`` is None (a write, where FINESS is not at hand)."""
    params = catalog.params("CO1")
    problems = []
    if params["word"] not in folded(offer.name):
        problems.append(f"le nom « {offer.name} » ne contient pas « urgence »")
    if granted is not None:
        adult = params["adult"] in offer.activities
        pairs = params["adult_authorisations" if adult else "paediatric_authorisations"]
        if not authorisations.holds(granted, pairs):
            problems.append("l'établissement n'a pas l'autorisation d'urgences "
                            + ("adultes (14/23)" if adult else "pédiatriques ou adultes"))
    return "; ".join(problems) or None


def is_emergency(offer: Offer) -> bool:
    params = catalog.params("CO1")
    return (offer.open and params["care_mode"] in offer.care_modes
            and bool({params["adult"], params["paediatric"]} & set(offer.activities)))


def emergency(directory: Directory) -> Iterator[Finding]:
    tracked = _tracked_finess(directory)
    for offer in directory.offers:
        site = directory.site_of(offer.provider)
        if site is None or site.finess not in tracked or not is_emergency(offer):
            continue
        gap = emergency_gap(offer, _authorisations_of(directory, site))
        yield Finding("CO1", f"HealthcareService/{offer.id}",
                      "deviating" if gap else "conformant",
                      directory.where(site, field=offer.field), gap)


def _maternity_offers(directory: Directory, site: Organization) -> list[Offer]:
    params = catalog.params("CO2")
    related = {*params["obstetrics"], *params["neonatology"], *params["neonatal_intensive"],
               *params["neonatal_resuscitation"]}
    return [o for o in directory.offers_of(site.id)
            if o.open and set(params["care_modes"]) & set(o.care_modes)
            and (related & set(o.activities) or o.maternity)]


_LEVELS = ("1", "2A", "2B", "3")
#: the offer kinds each coherent type has: obstetrics, neonatology, intensive, resuscitation
_KINDS = {"1": (True, False, False, False), "2A": (True, True, False, False),
          "2B": (True, True, True, False), "3": (True, True, True, True)}


def maternity_gap(offers: list[Offer], granted: list[Any]) -> str | None:
    params = catalog.params("CO2")
    kinds = tuple(any(set(params[k]) & set(o.activities) for o in offers)
                  for k in ("obstetrics", "neonatology", "neonatal_intensive",
                            "neonatal_resuscitation"))
    declared_codes = [params["declared"][o.maternity] for o in offers
                      if o.maternity in params["declared"]]
    declared = max(declared_codes, key=_LEVELS.index) if declared_codes else None
    authorised = next((level for level in reversed(_LEVELS)
                       if authorisations.holds(granted, params["authorised"][level])), None)
    named = any(params["word"] in folded(o.name) for o in offers)
    if declared and declared == authorised and kinds == _KINDS[declared] and named:
        return None
    return (f"type déclaré {declared or 'aucun'}, autorisé {authorised or 'aucun'}, "
            f"offres obstétrique/néonatologie/soins intensifs/réanimation "
            f"{'/'.join('oui' if k else 'non' for k in kinds)}, "
            f"nom « maternité » {'présent' if named else 'absent'}")


def maternity(directory: Directory) -> Iterator[Finding]:
    for site in directory.sites():
        offers = _maternity_offers(directory, site)
        if not offers:
            continue
        gap = maternity_gap(offers, _authorisations_of(directory, site))
        yield Finding("CO2", f"Organization/{site.id}", "deviating" if gap else "conformant",
                      directory.where(site), gap)


def looks_sensitive(names: list[str], activities: tuple[str, ...]) -> bool:
    """An offer for detainees or an NRBC unit, from its names or its activity (CO3)."""
    params = catalog.params("CO3")
    if set(params["activities"]) & set(activities):
        return True
    for name in map(folded, names):
        if any(word in name for word in params["words"]) and not any(
                excluded in name for excluded in params["not_when"]):
            return True
    return False


def sensitive(directory: Directory) -> Iterator[Finding]:
    excluded = set(catalog.params("CO3")["excluded_categories"])
    for offer in directory.offers:
        site = directory.site_of(offer.provider)
        if not offer.open or (site is not None and site.category in excluded):
            continue
        provider = directory.organizations.get(offer.provider or "")
        names = [offer.name] + ([provider.name] if provider and provider.kind == "unit" else [])
        candidate = looks_sensitive(names, offer.activities)
        if not candidate and not offer.sensitive:
            continue
        ok = candidate == offer.sensitive
        detail = None if ok else (
            "l'offre semble sensible mais n'est pas signalée comme unité sensible" if candidate
            else "l'offre est signalée sensible sans que son nom ou son activité le justifie")
        yield Finding("CO3", f"HealthcareService/{offer.id}",
                      "conformant" if ok else "deviating",
                      directory.where(site, region=offer.region, field=offer.field), detail)
