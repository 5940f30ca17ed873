"""Synthetic professionals (Practitioner) and their roles in offers (PractitionerRole).

No real personal data: names are drawn from short lists of common French names, and RPPS
numbers are 11 digits starting with ``199`` (a range the registry has not issued; real ones
start with ``10``) with a valid Luhn check digit, so that they pass the same checks as real
ones. The Practitioner itself is built by the RPPS importer's mapping.
"""

from __future__ import annotations

import random
from typing import Any

from openror.datasets import codes as c
from openror.datasets import ids
from openror.datasets.context import Site
from openror.fhir import profiles as p
from openror.fhir.nos_systems import TRE_R23
from openror.importers.rpps_resources import practitioner as rpps_practitioner
from openror.importers.rpps_rows import Person

GIVEN_F = ("Camille", "Claire", "Sophie", "Julie", "Anne", "Marie", "Léa", "Chloé", "Emma",
           "Sarah", "Laura", "Manon", "Hélène", "Isabelle", "Nathalie", "Élodie", "Inès", "Lucie")
GIVEN_M = ("Thomas", "Nicolas", "Julien", "Pierre", "Antoine", "Hugo", "Louis", "Paul",
           "Maxime", "Alexandre", "Mathieu", "Olivier", "Karim", "Yann", "Romain", "Vincent")
FAMILY = ("MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND",
          "LEROY", "MOREAU", "SIMON", "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID",
          "BERTRAND", "ROUX", "VINCENT", "FOURNIER", "MOREL", "GIRARD", "ANDRE", "MERCIER",
          "BLANC", "GUERIN", "BOYER", "GARNIER", "CHEVALIER", "FRANCOIS", "LEGRAND", "GAUTHIER",
          "PERRIN", "ROUSSEL", "HENRY", "MASSON", "MARCHAND", "DUVAL", "DENIS", "LEMAIRE")
#: J17 activity -> (TRE_G15 profession, TRE_R38 spécialité ordinale or "")
SKILLS: dict[str, tuple[str, str]] = {
    "013": ("10", "SM04"), "022": ("10", "SM20"), "025": ("10", "SM08"), "033": ("10", "SM14"),
    "031": ("10", "SM12"), "016": ("10", "SM34"), "103": ("10", "SM38"), "046": ("10", "SM24"),
    "097": ("10", "SM32"), "114": ("10", "SM41"), "095": ("10", "SM30"), "131": ("10", "SM48"),
    "037": ("10", "SM15"), "050": ("10", "SM18"), "088": ("10", "SM40"), "094": ("10", "SM40"),
    "100": ("10", "SM20"), "229": ("10", "SM42"), "227": ("10", "SM43"), "157": ("10", "SM59"),
    "127": ("10", "SM46"), "007": ("10", "SM02"), "164": ("10", "SM36"), "168": ("10", "SM37"),
    "102": ("10", "SM36"), "055": ("10", "SM21"), "041": ("10", "SM62"), "083": ("10", "SM27"),
    "085": ("10", "SM27"), "068": ("10", "SM44"), "070": ("10", "SM44"), "087": ("10", "SM28"),
    "090": ("10", "SM29"), "233": ("10", "SM29"), "009": ("10", "SM03"), "093": ("10", "SM03"),
    "101": ("40", ""), "441": ("40", ""), "287": ("60", ""), "288": ("60", ""), "339": ("70", ""),
    "201": ("80", ""), "200": ("91", ""), "282": ("50", ""), "161": ("21", ""), "334": ("21", ""),
    "336": ("21", ""), "053": ("10", "SM19"), "485": ("10", "SM54"), "437": ("10", "SM54"),
}
PROFESSIONS = {"10": "Médecin", "21": "Pharmacien", "40": "Chirurgien-Dentiste",
               "50": "Sage-Femme", "60": "Infirmier", "70": "Masseur-Kinésithérapeute",
               "80": "Pédicure-Podologue", "91": "Orthophoniste"}
RPPS_PREFIX = "199"


def luhn_digit(body: str) -> str:
    """The check digit that makes ``body`` + digit pass the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(body)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def rpps_number(index: int) -> str:
    body = f"{RPPS_PREFIX}{index:07d}"
    return body + luhn_digit(body)


def person(rng: random.Random, rpps: str, activity: str) -> Person:
    profession, skill = SKILLS.get(activity, ("10", "SM54"))
    female = rng.random() < 0.55
    given = rng.choice(GIVEN_F if female else GIVEN_M)
    title = "DR" if profession in ("10", "40") else ""
    return Person("8" + rpps, rng.choice(FAMILY), given, title, "MME" if female else "M",
                  profession, PROFESSIONS[profession], "S" if skill else "", skill, "")


def practitioner(site: Site, who: Person) -> dict[str, Any]:
    skills = [(who.skill, "")] if who.skill else []
    body = rpps_practitioner(who, skills)
    return {"resourceType": "Practitioner", "id": ids.practitioner_id(who.idnat[1:]),
            "meta": c.region_meta(site.region),
            "extension": [c.creation_date(site.moment)],
            **{k: v for k, v in body.items() if k != "resourceType"}}


def role(site: Site, rpps: str, number: int, offer: dict[str, Any], mode: str
         ) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "PractitionerRole", "id": ids.role_id(rpps, number),
        "meta": c.region_meta(site.region),
        "extension": [c.ext_concept(p.EXT_EXERCISE_MODE, TRE_R23, mode),
                      c.creation_date(site.moment)],
        "active": True,
        "practitioner": c.reference("Practitioner", ids.practitioner_id(rpps)),
        "organization": c.reference("Organization", ids.site_id(site.finess)),
        "healthcareService": [c.reference("HealthcareService", offer["id"])],
    }
    if offer.get("location"):
        body["location"] = offer["location"]
    return body
