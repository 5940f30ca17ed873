"""Completeness: the population status of each offer (PE) and of each establishment (CP4),
and what medico-social offers must state (CP5, CP6)."""

from __future__ import annotations

from collections.abc import Iterator

from openror.fhir.nos_systems import TRE_R227
from openror.fhir.profiles import TRE_R211_OPERATIONAL_ACTIVITY, TRE_R213_CARE_MODE
from openror.quality import authorisations, catalog
from openror.quality.directory import Directory
from openror.quality.facts import Offer, Organization
from openror.quality.model import Finding, State

#: the population criteria, in the order people read them (French)
CRITERIA = ("champ d'activité", "activité opérationnelle valide", "mode de prise en charge",
            "tranche d'âge", "adresse du lieu", "contact avec télécommunication",
            "catégorie d'organisation")


def missing_criteria(directory: Directory, offer: Offer,
                     site: Organization | None) -> tuple[list[str], int]:
    """The population criteria an offer misses, and how many apply to it."""
    met = [
        offer.field is not None and directory.known(TRE_R227, offer.field),
        any(directory.known(TRE_R211_OPERATIONAL_ACTIVITY, a) for a in offer.activities),
        any(directory.known(TRE_R213_CARE_MODE, m) for m in offer.care_modes),
        offer.ages is not None and None not in offer.ages,
        any((place := directory.places.get(pid)) is not None and place.addressed
            for pid in offer.places),
        offer.contact,
    ]
    home = catalog.params("PE")["home_service_categories"]
    if site is not None and site.category in home:
        met.append(offer.organisation is not None)
    missing = [name for name, ok in zip(CRITERIA, met, strict=False) if not ok]
    return missing, len(met)


def population_state(missing: list[str], applicable: int) -> State:
    if not missing:
        return "conformant"
    return "deviating" if len(missing) == applicable else "partial"


def offer_population(directory: Directory) -> Iterator[Finding]:
    for offer in directory.offers:
        if not offer.open:
            continue
        site = directory.site_of(offer.provider)
        missing, applicable = missing_criteria(directory, offer, site)
        yield Finding("PE", f"HealthcareService/{offer.id}",
                      population_state(missing, applicable),
                      directory.where(site, region=offer.region, field=offer.field),
                      ("manque : " + ", ".join(missing)) if missing else None)


def _target_fields(directory: Directory, finess: str, category: str | None) -> set[str]:
    if category in catalog.category_list("sanitary"):
        fields = authorisations.fields(directory.authorisations.get(finess, ()))
        if category in catalog.category_list("psychiatric"):
            fields.add("PSY")
        return fields
    if category == "638":
        return {"MCO"}
    field = catalog.field_of_category(category)
    return {field} if field else set()


def establishment_population(directory: Directory,
                             offer_states: dict[str, State]) -> Iterator[Finding]:
    """CP4: per tracked FINESS site and field, finalised when it has offers and all are."""
    ror: dict[str, list[Organization]] = {}
    for site in directory.sites():
        if site.finess:
            ror.setdefault(site.finess, []).append(site)
    for row in directory.finess_sites:
        if row.state != "open" or not catalog.tracked(row.category):
            continue
        sites = ror.get(row.finess, [])
        for field in sorted(_target_fields(directory, row.finess, row.category)):
            offers = [o for s in sites for o in directory.offers_of(s.id) if o.open
                      and (field not in ("MCO", "SMR", "PSY")
                           or catalog.offer_field(o.field) == field)]
            states = [offer_states.get(o.id, "deviating") for o in offers]
            state: State = ("conformant" if states and all(s == "conformant" for s in states)
                            else "deviating" if all(s == "deviating" for s in states)
                            else "partial")
            where = directory.where(sites[0] if sites else None, region=row.region)
            yield Finding("CP4", f"finess:{row.finess}/{field}", state,
                          type(where)(row.region or where.region,
                                      row.departement or where.departement, field,
                                      row.category, where.site),
                          None if state == "conformant" else
                          f"{len(offers)} offre(s) {field}, "
                          f"{states.count('conformant')} finalisée(s)")


def medico_social_applies(offer: Offer, site: Organization | None, rule_id: str) -> bool:
    """Whether CP5 or CP6 applies to an offer of this site."""
    params = catalog.params(rule_id)
    modes = set(params["care_modes"]) & set(offer.care_modes)
    if (site is None or not offer.open or not modes
            or catalog.domain_of_category(site.category) != "Médico-social"
            or offer.organisation in params["excluded_organisation"]):
        return False
    if rule_id == "CP6":
        return True
    cp5 = catalog.params("CP5")
    return (site.category in cp5["categories_any_mode"]
            or (site.category in cp5["categories_mode_46"] and "46" in modes))


def medico_social_gaps(offer: Offer, site: Organization | None) -> list[str]:
    """What CP5 finds missing (nothing when it does not apply)."""
    if not medico_social_applies(offer, site, "CP5"):
        return []
    return [name for name, value in (("catégorie d'organisation", offer.organisation),
                                     ("temporalité d'accueil", offer.reception)) if not value]


def medico_social(directory: Directory) -> Iterator[Finding]:
    for offer in directory.offers:
        site = directory.site_of(offer.provider)
        if medico_social_applies(offer, site, "CP5"):
            lacking = medico_social_gaps(offer, site)
            yield Finding("CP5", f"HealthcareService/{offer.id}",
                          "deviating" if lacking else "conformant",
                          directory.where(site, field=offer.field),
                          ("manque : " + ", ".join(lacking)) if lacking else None)
        if medico_social_applies(offer, site, "CP6"):
            installed = sum(place.installed for pid in offer.places
                            if (place := directory.places.get(pid)) is not None)
            yield Finding("CP6", f"HealthcareService/{offer.id}",
                          "conformant" if installed > 0 else "deviating",
                          directory.where(site, field=offer.field),
                          None if installed > 0 else "aucune place installée sur ses lieux")
