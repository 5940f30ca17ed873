"""Synthetic operational offers (HealthcareService, ror-healthcareservice) of an establishment.

Each offer is one activity (J17) in one care mode (J19) for one public, delivered in a place;
consultations get hours (availableTime with the ROR extensions), some offers a contact with a
confidentiality level. Phone numbers are in the ranges ARCEP reserves for fiction.
"""

from __future__ import annotations

import random
from typing import Any

from openror.datasets import codes as c
from openror.datasets import ids
from openror.datasets.catalog import Profile
from openror.datasets.context import Site, label
from openror.datasets.plans import OfferPlan
from openror.fhir import profiles as p
from openror.fhir.datatypes import concept
from openror.fhir.nos_systems import TRE_R227, TRE_R283, TRE_R338

OFFER_TYPE_CODE = "35"  # TRE_R355
#: ARCEP numbers reserved for audiovisual fiction, one prefix per zone (never assigned)
FICTION_PREFIXES = ("0199000", "0261910", "0353010", "0465710", "0536490")
PEDIATRIC = frozenset({"088", "094", "130", "128", "227", "249", "391", "370", "369", "279",
                       "487", "443", "118", "522", "503"})
GERIATRIC = frozenset({"050", "491", "484", "333", "241", "051", "187"})
PERINATAL = frozenset({"100", "282", "022", "230", "260", "510", "105"})
#: activities whose offers are sensitive units (hidden from most access profiles)
SENSITIVE = frozenset({"512", "152", "089", "105"})
CONSULTING_MODES = frozenset({"32", "20", "55", "42", "54", "58"})
WEEKDAYS = (1, 2, 3, 4, 5)


def fiction_phone(rng: random.Random) -> str:
    return f"{rng.choice(FICTION_PREFIXES)}{rng.randint(0, 999):03d}"


def ages(activity: str, profile: Profile) -> tuple[int, int]:
    if activity in PEDIATRIC:
        return (0, 18)
    if activity in GERIATRIC:
        return (65, 120)
    if activity in PERINATAL:
        return (12, 55)
    return profile.ages


def patient_type(publics: tuple[str, ...], low: int, high: int) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [
        {"url": "supportedPatientInfo", "valueCodeableConcept": concept(c.TRE_R239, code)}
        for code in publics]
    parts.append({"url": "ageRange", "valueRange": {"low": c.years(low), "high": c.years(high)}})
    return {"url": p.EXT_PATIENT_TYPE, "extension": parts}


def hours(type_code: str, days: tuple[int, ...], start: str, end: str) -> list[dict[str, Any]]:
    """One availableTime per day: the ROR day-number extension is 0..1 per entry."""
    return [{"extension": [
        c.ext_concept(p.EXT_TYPE_OF_TIME, c.TRE_R252, type_code),
        {"url": p.EXT_DAYS_OF_WEEK, "valueInteger": day}],
        "availableStartTime": start, "availableEndTime": end} for day in days]


def contact(purpose: str, level: str, phone: str, description: str = "") -> dict[str, Any]:
    """``ror-healthcareservice-contact``: purpose (J221), confidentiality (J222), a phone."""
    parts: list[dict[str, Any]] = [{"url": "purposeContact",
                                    "valueCodeableConcept": concept(c.TRE_R287, purpose)}]
    if description:
        parts.append({"url": "description", "valueString": description})
    parts.append(c.ext_concept(p.EXT_CONFIDENTIALITY, TRE_R283, level))
    parts.append({"url": p.EXT_HS_CONTACT_TELECOM, "extension": [
        *c.telecom("phone", phone, "2", level)["extension"],
        {"url": "telecomAddress", "valueString": phone}]})
    return {"url": p.EXT_HS_CONTACT, "extension": parts}


def name(plan: OfferPlan) -> str:
    base = f"{label('JDV_J17', plan.activity)} - {label('JDV_J19', plan.mode)}"
    return f"{base} ({plan.variant + 1})" if plan.variant else base


def characteristics(plan: OfferPlan, maternity: str) -> list[dict[str, Any]]:
    found = [concept(c.TRE_R213, plan.mode, label("JDV_J19", plan.mode))]
    if plan.mode == "32":
        found.append(concept(TRE_R338, "03", label("JDV_J226", "03")))
    if plan.activity == "100" and maternity:
        found.append(concept(c.TRE_R253, maternity, label("JDV_J227", maternity)))
    return found


def offer(site: Site, profile: Profile, plan: OfferPlan, rng: random.Random,
          maternity: str = "") -> dict[str, Any]:
    low, high = ages(plan.activity, profile)
    extensions = [
        {"url": p.EXT_SENSITIVE_UNIT, "valueBoolean": plan.activity in SENSITIVE},
        patient_type(profile.publics, low, high),
        c.creation_date(site.moment),
    ]
    if rng.random() < 0.3:
        level = rng.choice((c.PUBLIC, c.PUBLIC, c.PROFESSIONALS, c.REGULATION))
        extensions.append(contact(rng.choice(("02", "04", "07")), level, fiction_phone(rng)))
    body: dict[str, Any] = {
        "resourceType": "HealthcareService", "id": ids.offer_id(site.finess, plan.number),
        "meta": c.region_meta(site.region),
        "extension": extensions,
        "identifier": [{"type": concept(p.TRE_R355_OFFER_ID_TYPE, OFFER_TYPE_CODE),
                        "value": ids.functional_value(
                            site.region, f"O{site.finess}-{plan.number:03d}")}],
        "active": True,
        "providedBy": c.reference("Organization", ids.site_id(site.finess)),
        "name": name(plan),
        "type": [concept(TRE_R227, profile.field, label("JDV_J20", profile.field))],
        "specialty": [concept(c.TRE_R211, plan.activity, label("JDV_J17", plan.activity))],
        "characteristic": characteristics(plan, maternity),
    }
    location = _location(site, plan)
    if location:
        body["location"] = [c.reference("Location", location)]
    body["availableTime"] = (hours("01", WEEKDAYS, "08:30:00", "18:00:00")
                             if plan.mode in CONSULTING_MODES else [{"allDay": True}])
    return body


def _location(site: Site, plan: OfferPlan) -> str | None:
    if plan.unit:
        return ids.place_id(site.finess, plan.unit)
    return ids.finess_place_id(site.finess) if site.has_place else None
