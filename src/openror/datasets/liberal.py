"""The demo GP of the sample: one general practitioner of the Aisne who practises in her own
office (Saint-Quentin), in a group practice (Laon) and in a real health centre of the Aisne,
with general medicine and gynecology-oriented consultations, home visits, teleconsultation and
tele-expertise, hours and contacts at each confidentiality level.

Tele-expertise is a reception modality of JDV_J226 (TRE_R338 ``10`` "Téléexpertise en moins de
24h"): the care mode of the offer stays a consultation (J19 ``32``, 1..1), as the liberal
entry template presets it.
"""

from __future__ import annotations

from typing import Any

from openror.datasets import codes as c
from openror.datasets.context import label
from openror.datasets.offers import contact, hours, patient_type
from openror.datasets.people import rpps_number
from openror.fhir import profiles as p
from openror.fhir.datatypes import concept
from openror.fhir.nos_systems import (
    TRE_R02,
    TRE_R13,
    TRE_R23,
    TRE_R201,
    TRE_R227,
    TRE_R283,
    TRE_R338,
)
from openror.geo import default_gazetteer
from openror.importers.rpps_resources import practitioner as rpps_practitioner
from openror.importers.rpps_rows import Person

REGION = "32"  # Hauts-de-France
MOMENT = "2025-03-03T09:00:00+00:00"
GP_RPPS = rpps_number(0)  # 199 0000000 + check digit: the first number of the synthetic range
GP_OFFER_ID = "demo-gp-office-437"
#: reception modalities (J226): in person, teleconsultation, home visit, tele-expertise < 24 h
IN_PERSON, TELECONSULTATION, HOME_VISIT, TELE_EXPERTISE = "03", "04", "05", "10"
OFFICE = {"id": "demo-office", "name": "Cabinet du Dr Claire VALMONT", "sector": "SA07",
          "commune": "02691", "postal": "02100", "city": "SAINT-QUENTIN",
          "line": "12 RUE DES LILAS"}
GROUP = {"id": "demo-group-practice", "name": "Cabinet médical des Remparts",
         "sector": "SA08", "commune": "02408", "postal": "02000", "city": "LAON",
         "line": "3 PLACE DU PARVIS"}
#: home visits around Saint-Quentin (intervention zone, TRE_R201 "3" commune)
HOME_VISIT_COMMUNES = ("02691", "02237", "02332")


def _meta() -> dict[str, Any]:
    return c.region_meta(REGION)


def structure(spec: dict[str, str]) -> list[dict[str, Any]]:
    """A liberal practice: EG Organization (TRE_R02 sector) and its place."""
    point = default_gazetteer().point(spec["commune"])
    address = {"use": "work", "line": [spec["line"]], "postalCode": spec["postal"],
               "city": spec["city"]}
    org = {"resourceType": "Organization", "id": spec["id"], "meta": _meta(),
           "extension": [c.creation_date(MOMENT)],
           "identifier": [{"system": p.SYSTEM_IDNATST, "value": f"4{GP_RPPS}{spec['sector']}"}],
           "active": True, "type": [concept(TRE_R02, spec["sector"])], "name": spec["name"],
           "telecom": [c.telecom("phone", "0353010" + spec["postal"][-3:], "2", c.PUBLIC)],
           "address": [address],
           "contact": [_org_contact()]}
    place: dict[str, Any] = {
        "resourceType": "Location", "id": f"{spec['id']}-place", "meta": _meta(),
        "extension": [c.ext_concept(p.EXT_COMMUNE_COG, TRE_R13, spec["commune"]),
                      c.creation_date(MOMENT)],
        "status": "active", "name": spec["name"], "address": address,
        "description": "Rez-de-chaussée, accessible en fauteuil roulant",
        "managingOrganization": c.reference("Organization", spec["id"])}
    if point is not None:
        place["position"] = {"latitude": point[0], "longitude": point[1]}
    return [org, place]


def _org_contact() -> dict[str, Any]:
    return {"extension": [c.ext_concept(p.EXT_CONTACT_CONFIDENTIALITY, TRE_R283, c.PUBLIC)],
            "purpose": concept(c.TRE_R287, "07", label("JDV_J221", "07")),
            "telecom": [c.telecom("phone", "0353010100", "2", c.PUBLIC)]}


def _modality(code: str) -> dict[str, Any]:
    return concept(TRE_R338, code, label("JDV_J226", code))


def _zone(commune: str) -> dict[str, Any]:
    return {"url": p.EXT_TERRITORIAL_DIVISION, "extension": [
        {"url": "typeTerritorialDivision", "valueCodeableConcept": concept(TRE_R201, "3")},
        {"url": "codeTerritorialDivision", "valueCodeableConcept": concept(TRE_R13,
                                                                            commune)}]}


def _contacts() -> list[dict[str, Any]]:
    """Appointments for everyone, a line for professionals, one for the regulation only."""
    return [contact("02", c.PUBLIC, "0353010201", "Prise de rendez-vous"),
            contact("04", c.PROFESSIONALS, "0353010202", "Ligne directe des confrères"),
            contact("14", c.REGULATION, "0639980203", "Astreinte, réservé à la régulation")]


def _gp_hours(days: tuple[int, ...]) -> list[dict[str, Any]]:
    return (hours("07", days, "08:30:00", "12:30:00") + hours("07", days, "14:00:00", "19:00:00"))


def gp_offer(oid: str, activity: str, provider: str, place: str,
             modalities: tuple[str, ...], days: tuple[int, ...], home: bool) -> dict[str, Any]:
    extensions = [{"url": p.EXT_SENSITIVE_UNIT, "valueBoolean": False},
                  patient_type(("07",), 0 if activity == "437" else 12, 120),
                  c.creation_date(MOMENT), *_contacts()]
    if home:
        extensions += [_zone(code) for code in HOME_VISIT_COMMUNES]
    body: dict[str, Any] = {
        "resourceType": "HealthcareService", "id": oid, "meta": _meta(),
        "extension": extensions,
        "identifier": [{"type": concept(p.TRE_R355_OFFER_ID_TYPE, "35"),
                        "value": f"{REGION}/D{oid}"}],
        "active": True, "providedBy": c.reference("Organization", provider),
        "name": f"{label('JDV_J17', activity)} - Dr Claire VALMONT",
        "type": [concept(TRE_R227, "05", label("JDV_J20", "05"))],
        "specialty": [concept(c.TRE_R211, activity, label("JDV_J17", activity))],
        "characteristic": [concept(c.TRE_R213, "32", label("JDV_J19", "32")),
                           *(_modality(m) for m in modalities)],
        "location": [c.reference("Location", place)],
        "availableTime": _gp_hours(days) + (hours("06", (6,), "09:00:00", "12:00:00")
                                            if home else []),
        "comment": "Nouveaux patients acceptés. Téléconsultation sur rendez-vous.",
    }
    return body


def gp_person() -> dict[str, Any]:
    person = Person("8" + GP_RPPS, "VALMONT", "Claire", "DR", "MME", "10", "Médecin", "S",
                    "SM54", "Médecine générale (SM)")
    body = rpps_practitioner(person, [("SM54", "Médecine générale (SM)")])
    return {"resourceType": "Practitioner", "id": f"pr-{GP_RPPS}", "meta": _meta(),
            "extension": [c.creation_date(MOMENT)],
            **{k: v for k, v in body.items() if k != "resourceType"},
            "telecom": [c.telecom("email", "claire.valmont@demo.mssante.fr", "3",
                                  c.PROFESSIONALS)]}


def gp_role(offer: dict[str, Any], mode: str) -> dict[str, Any]:
    return {"resourceType": "PractitionerRole", "id": f"role-{offer['id']}", "meta": _meta(),
            "extension": [c.ext_concept(p.EXT_EXERCISE_MODE, TRE_R23, mode),
                          c.creation_date(MOMENT)],
            "active": True, "practitioner": c.reference("Practitioner", f"pr-{GP_RPPS}"),
            "organization": offer["providedBy"],
            "healthcareService": [c.reference("HealthcareService", offer["id"])],
            "location": offer["location"]}


def demo_gp(centre: str) -> list[dict[str, Any]]:
    """Every resource of the demo GP; ``centre`` is the FINESS number of a real health centre
    of the Aisne (its site and place are in the sample already)."""
    office, group = structure(OFFICE), structure(GROUP)
    all_modes = (IN_PERSON, TELECONSULTATION, HOME_VISIT, TELE_EXPERTISE)
    offers = [
        (gp_offer(GP_OFFER_ID, "437", OFFICE["id"], "demo-office-place", all_modes,
                  (1, 2, 4), True), "L"),
        (gp_offer("demo-gp-office-485", "485", OFFICE["id"], "demo-office-place",
                  (IN_PERSON, TELECONSULTATION), (1, 4), False), "L"),
        (gp_offer("demo-gp-group-437", "437", GROUP["id"], "demo-group-practice-place",
                  (IN_PERSON, HOME_VISIT, TELE_EXPERTISE), (3,), True), "L"),
        (gp_offer("demo-gp-centre-437", "437", f"eg-{centre}", f"loc-{centre}",
                  (IN_PERSON, TELECONSULTATION), (5,), False), "S"),
        (gp_offer("demo-gp-centre-485", "485", f"eg-{centre}", f"loc-{centre}",
                  (IN_PERSON,), (5,), False), "S"),
    ]
    return [*office, *group, *(o for o, _ in offers), gp_person(),
            *(gp_role(o, mode) for o, mode in offers)]
