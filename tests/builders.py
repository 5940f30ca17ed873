"""Small builders of valid ROR resources for tests (no factory framework)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

SD = "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/"
NOS = "https://mos.esante.gouv.fr/NOS/"
EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "ror-ig" / "spec" / "examples"


def tre(name: str) -> str:
    """'TRE_R213-ModePriseEnCharge' -> its canonical code-system URL."""
    return f"{NOS}{name}/FHIR/{name.replace('_', '-')}"


def coding(name: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": tre(name), "code": code}]}


def telecom(value: str = "0102030405", channel: str = "2", level: str = "1") -> dict[str, Any]:
    return {
        "system": "phone", "value": value,
        "extension": [
            {"url": SD + "ror-telecom-communication-channel",
             "valueCodeableConcept": coding("TRE_R200-CanalCommunication", channel)},
            {"url": SD + "ror-telecom-confidentiality-level",
             "valueCodeableConcept": coding("TRE_R283-NiveauConfidentialite", level)},
        ],
    }


def organization(name: str = "Centre hospitalier de test", finess: str = "010000001",
                 part_of: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "Organization",
        "identifier": [{"system": "https://finess.esante.gouv.fr", "value": finess}],
        "name": name,
        "telecom": [telecom()],
    }
    if part_of:
        body["partOf"] = {"reference": part_of}
    return body


def location(commune: str = "78646", name: str = "Bâtiment A") -> dict[str, Any]:
    return {
        "resourceType": "Location",
        "name": name,
        "extension": [{"url": SD + "ror-commune-cog",
                       "valueCodeableConcept": coding("TRE_R13-CommuneOM", commune)}],
        "address": {"line": ["7 rue de test"], "city": "Versailles", "postalCode": "78000"},
    }


def healthcare_service(provided_by: str, location_ref: str | None = None,
                       care_mode: str = "32") -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "HealthcareService",
        "extension": [
            {"url": SD + "ror-healthcareservice-sensitive-unit", "valueBoolean": False},
            {"url": SD + "ror-healthcareservice-patient-type", "extension": [
                {"url": "ageRange", "valueRange": {
                    "low": {"value": 0, "system": "http://unitsofmeasure.org", "code": "a"},
                    "high": {"value": 120, "system": "http://unitsofmeasure.org", "code": "a"}}}
            ]},
        ],
        "providedBy": {"reference": provided_by},
        "name": "Médecine générale",
        "type": [coding("TRE_R227-ChampActivite", "05")],
        "specialty": [coding("TRE_R211-ActiviteOperationnelle", "437")],
        "characteristic": [coding("TRE_R213-ModePriseEnCharge", care_mode)],
    }
    if location_ref:
        body["location"] = [{"reference": location_ref}]
    return body


def practitioner(idnat: str = "810000000001") -> dict[str, Any]:
    return {
        "resourceType": "Practitioner",
        "identifier": [{"system": "urn:oid:1.2.250.1.71.4.2.1", "value": idnat}],
        "name": [{"family": "MARTIN", "given": ["Claire"]}],
    }


def practitioner_role(practitioner_ref: str, service_ref: str) -> dict[str, Any]:
    return {
        "resourceType": "PractitionerRole",
        "extension": [{"url": SD + "ror-practitionerrole-unit-exercise-mode",
                       "valueCodeableConcept": coding("TRE_R23-ModeExercice", "L")}],
        "practitioner": {"reference": practitioner_ref},
        "healthcareService": [{"reference": service_ref}],
    }


def example(name: str) -> dict[str, Any]:
    """One official example from ../shared/ror-ig/spec/examples (deep copy)."""
    path = EXAMPLES / name
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def patch_op(kind: str, path: str, **parts: Any) -> dict[str, Any]:
    part: list[dict[str, Any]] = [{"name": "type", "valueCode": kind},
                                  {"name": "path", "valueString": path}]
    for key, value in parts.items():
        part.append({"name": key, **value})
    return {"name": "operation", "part": part}


def parameters(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Parameters", "parameter": list(operations)}
