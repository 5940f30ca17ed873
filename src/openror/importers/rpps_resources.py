"""FHIR resources of a liberal practice ("offre de ville", SPEC §5.2), built from RPPS data.

EG cabinet (Organization) ← place of care (Location) ← elementary offer (HealthcareService) ←
the professional's role in it (PractitionerRole) → the professional (Practitioner). References
are logical (by natural key); the import run resolves them.
"""

from __future__ import annotations

from typing import Any

from openror.fhir import profiles as p
from openror.fhir.datatypes import coding, concept, position
from openror.fhir.nos_systems import (
    TRE_G07,
    TRE_R02,
    TRE_R13,
    TRE_R23,
    TRE_R200,
    TRE_R227,
    TRE_R283,
    TRE_R338,
)
from openror.importers.base import Key, logical_reference
from openror.importers.rpps_rows import Person, Practice

SYSTEM_SITE = "urn:openror:rpps-site"
SYSTEM_PLACE = "urn:openror:rpps-place"
SYSTEM_OFFER = "urn:openror:rpps-offer"
SYSTEM_ROLE = "urn:openror:rpps-role"
SYSTEM_SIRET = "http://sirene.fr"
UCUM = "http://unitsofmeasure.org"

TRE_G15 = p.nos_url("TRE_G15-ProfessionSante")
TRE_R04 = p.nos_url("TRE_R04-TypeSavoirFaire")
TRE_R38 = p.nos_url("TRE_R38-SpecialiteOrdinale")
TRE_R211 = p.TRE_R211_OPERATIONAL_ACTIVITY
TRE_R213 = p.TRE_R213_CARE_MODE

FIELD_VILLE = "05"  # TRE_R227 champ d'activité "Ville"
CARE_MODE_CONSULTATION = "32"  # TRE_R213
RECEPTION_IN_PERSON = "03"  # TRE_R338 consultation en présentiel
CHANNEL_PHONE, CHANNEL_EMAIL, CHANNEL_FAX = "2", "3", "6"  # TRE_R200
#: registry contact data are shown to professionals, not to the public, until the professional
#: says otherwise in the guided entry (TRE_R283 "2" visible par les professionnels)
CONFIDENTIALITY_PROFESSIONALS = "2"
#: secteurs d'activité of liberal practices that JDV_J55 lists as EG categories
CABINET_SECTORS = frozenset({"SA05", "SA07", "SA08", "SA09"})
MAX_AGE = 120


# --- keys ---------------------------------------------------------------------------------

def practitioner_key(person: Person) -> Key:
    return Key(p.SYSTEM_IDNATPS, person.idnat)


def site_key(practice: Practice) -> Key:
    return Key(SYSTEM_SITE, practice.key_value)


def place_key(practice: Practice) -> Key:
    return Key(SYSTEM_PLACE, practice.key_value)


def offer_key(person: Person, practice: Practice) -> Key:
    return Key(SYSTEM_OFFER, f"{person.idnat}/{practice.key_value}")


def role_key(person: Person, practice: Practice) -> Key:
    return Key(SYSTEM_ROLE, f"{person.idnat}/{practice.key_value}")


def provider_reference(practice: Practice) -> dict[str, Any]:
    """The EG that provides the offer: a site known to FINESS is the FINESS establishment
    (imported by the FINESS source, which owns it); any other site is the RPPS cabinet."""
    if practice.finess:
        return logical_reference("Organization", Key(p.SYSTEM_FINESS, practice.finess))
    return logical_reference("Organization", site_key(practice))


def _identifier(key: Key) -> dict[str, Any]:
    return {"system": key.system, "value": key.value}


# --- Practitioner -------------------------------------------------------------------------

def practitioner(person: Person, skills: list[tuple[str, str]]) -> dict[str, Any]:
    """``skills``: (code, label) of the spécialités ordinales found on the person's lines."""
    name: dict[str, Any] = {"family": person.family}
    if person.given:
        name["given"] = [person.given]
    if person.civility:
        name["prefix"] = [person.civility]
    if person.exercise_title:
        name["suffix"] = [person.exercise_title]
    qualifications = [{"code": concept(TRE_G15, person.profession, person.profession_label)}]
    qualifications += [{"code": {"coding": [coding(TRE_R04, "S", "Spécialité ordinale"),
                                            coding(TRE_R38, code, label or None)]}}
                       for code, label in skills]
    return {"resourceType": "Practitioner", "identifier": [_identifier(practitioner_key(person))],
            "active": True, "name": [name], "qualification": qualifications}


# --- site (EG cabinet) and place ----------------------------------------------------------

def site(person: Person, practice: Practice) -> dict[str, Any]:
    identifiers = [_identifier(site_key(practice))]
    if practice.siret:
        identifiers.append({"type": concept(TRE_G07, "3"), "system": SYSTEM_SIRET,
                            "value": practice.siret})
    if practice.national_id:
        identifiers.append({"type": concept(TRE_G07, "40"), "system": p.SYSTEM_IDNATST,
                            "value": practice.national_id})
    body: dict[str, Any] = {
        "resourceType": "Organization", "identifier": identifiers, "active": True,
        "name": practice.name or person.cabinet_name,
        "address": [address(practice)],
    }
    if practice.sector in CABINET_SECTORS:
        body["type"] = [concept(TRE_R02, practice.sector)]
    telecom = telecoms(practice)
    if telecom:
        body["telecom"] = telecom
    return body


def address(practice: Practice) -> dict[str, Any]:
    col = practice.address.get
    street = " ".join(v for v in (
        col("Numéro Voie (coord. structure)"), col("Indice répétition voie (coord. structure)"),
        col("Libellé type de voie (coord. structure)"), col("Libellé Voie (coord. structure)"),
    ) if v)
    lines = [v for v in (col("Complément destinataire (coord. structure)"),
                         col("Complément point géographique (coord. structure)"), street,
                         col("Mention distribution (coord. structure)")) if v]
    out: dict[str, Any] = {"line": lines} if lines else {}
    postal = col("Code postal (coord. structure)")
    if postal:
        out["postalCode"] = postal
    city = col("Libellé commune (coord. structure)") or _cedex_city(
        col("Bureau cedex (coord. structure)") or "", postal or "")
    if city:
        out["city"] = city
    return out


def _cedex_city(office: str, postal: str) -> str:
    """"01390 MIONNAY" → "MIONNAY" (the bureau distributeur repeats the postal code)."""
    return office[len(postal):].strip() if postal and office.startswith(postal) else office


def telecoms(practice: Practice) -> list[dict[str, Any]]:
    out = [_telecom("phone", number, CHANNEL_PHONE) for number in practice.phones]
    if practice.fax:
        out.append(_telecom("fax", practice.fax, CHANNEL_FAX))
    if practice.email:
        out.append(_telecom("email", practice.email, CHANNEL_EMAIL))
    return out


def _telecom(system: str, value: str, channel: str) -> dict[str, Any]:
    return {"system": system, "value": value, "extension": [
        {"url": p.EXT_TELECOM_CHANNEL, "valueCodeableConcept": concept(TRE_R200, channel)},
        {"url": p.EXT_TELECOM_CONFIDENTIALITY,
         "valueCodeableConcept": concept(TRE_R283, CONFIDENTIALITY_PROFESSIONALS)},
    ]}


def place(practice: Practice, site_name: str,
          point: tuple[float, float] | None) -> dict[str, Any]:
    """``point``: (latitude, longitude) of the commune, an approximation (not reliable)."""
    body: dict[str, Any] = {
        "resourceType": "Location",
        "extension": [{"url": p.EXT_COMMUNE_COG,
                       "valueCodeableConcept": concept(TRE_R13, practice.commune)}],
        "identifier": [_identifier(place_key(practice))], "status": "active",
        "name": site_name, "address": address(practice),
        "managingOrganization": provider_reference(practice),
    }
    if point is not None:  # the commune's centre: approximate
        body["position"] = position(*point, reliable=False)
    return body


# --- offer and role -----------------------------------------------------------------------

def offer(person: Person, practice: Practice, activity: str, label: str) -> dict[str, Any]:
    return {
        "resourceType": "HealthcareService",
        "extension": [
            {"url": p.EXT_SENSITIVE_UNIT, "valueBoolean": False},
            {"url": p.EXT_PATIENT_TYPE, "extension": [{"url": "ageRange", "valueRange": {
                "low": {"value": 0, "system": UCUM, "code": "a"},
                "high": {"value": MAX_AGE, "system": UCUM, "code": "a"}}}]},
        ],
        # The offer's one identifier is the ROR functional one, assigned by the server; the
        # import key travels as a meta.tag (see services.batch._tag_key).
        "providedBy": provider_reference(practice),
        "name": f"{label} — {person.display_name}",
        "type": [concept(TRE_R227, FIELD_VILLE)],
        "specialty": [concept(TRE_R211, activity, label)],
        "characteristic": [concept(TRE_R213, CARE_MODE_CONSULTATION),
                           concept(TRE_R338, RECEPTION_IN_PERSON)],
        "location": [logical_reference("Location", place_key(practice))],
    }


def role(person: Person, practice: Practice) -> dict[str, Any]:
    return {
        "resourceType": "PractitionerRole",
        "extension": [{"url": p.EXT_EXERCISE_MODE,
                       "valueCodeableConcept": concept(TRE_R23, "L")}],
        "identifier": [_identifier(role_key(person, practice))], "active": True,
        "practitioner": logical_reference("Practitioner", practitioner_key(person)),
        "healthcareService": [logical_reference("HealthcareService",
                                                offer_key(person, practice))],
        "organization": provider_reference(practice),
        "location": [logical_reference("Location", place_key(practice))],
    }
