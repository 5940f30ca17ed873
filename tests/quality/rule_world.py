"""A small directory for the rule tests: FHIR bodies built here go through the same reading
(quality.facts) and assembling (quality.directory) as a run's."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from openror.quality.directory import Directory
from openror.quality.evaluate import evaluate
from openror.quality.model import Finding
from openror.store.finess_reference import Authorisation, FinessSite
from openror.terminology import default_terminology
from tests.builders import SD, coding, location, telecom

NOW = datetime(2026, 11, 26, 12, 0)
EXT_PERIOD = "http://hl7.org/fhir/StructureDefinition/organization-period"
IDNAT = "urn:oid:1.2.250.1.71.4.2.2"
FINESS = "https://finess.esante.gouv.fr"
_TERMINOLOGY = default_terminology()


def legal_entity(finess: str, idnat: str | None = None) -> dict[str, Any]:
    return {"resourceType": "Organization", "name": f"EJ {finess}",
            "identifier": [{"system": FINESS, "value": finess},
                           {"system": IDNAT, "value": idnat or f"1{finess}"}]}


def site(finess: str, parent: str, category: str = "355", *, closed: str | None = None,
         idnat: str | None = None, postal_code: str = "78000") -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "Organization", "name": f"Site {finess}",
        "identifier": [{"system": FINESS, "value": finess},
                       {"system": IDNAT, "value": idnat or f"1{finess}"}],
        "type": [coding("TRE_R66-CategorieEtablissement", category)],
        "partOf": {"reference": f"Organization/{parent}"},
        "address": [{"line": ["1 rue A"], "city": "Versailles", "postalCode": postal_code}],
        "extension": [{"url": EXT_PERIOD, "valuePeriod": {"start": "2000-01-01"}}],
    }
    if closed:
        body["extension"] = [
            {"url": EXT_PERIOD, "valuePeriod": {"start": "2000-01-01", "end": "2025-01-01"}},
            {"url": SD + "ror-organization-closing-type",
             "valueCodeableConcept": coding("TRE_R286-TypeFermeture", closed)}]
    return body


def contact() -> dict[str, Any]:
    channel, level = telecom()["extension"]
    return {"url": SD + "ror-healthcareservice-contact", "extension": [
        {"url": "purposeContact", "valueCodeableConcept": coding("TRE_R287-NatureContact", "02")},
        {"url": SD + "ror-confidentiality-level",
         "valueCodeableConcept": coding("TRE_R283-NiveauConfidentialite", "1")},
        {"url": SD + "ror-healthcareservice-contact-telecom", "extension": [
            channel, level, {"url": "telecomAddress", "valueString": "0102030405"}]}]}


def offer(provider: str, *, name: str = "Médecine générale", field: str = "01",
          activities: tuple[str, ...] = ("437",), care_modes: tuple[str, ...] = ("32",),
          places: tuple[str, ...] = (), ages: tuple[int, int] | None = (0, 120),
          with_contact: bool = True, sensitive: bool = False, active: bool = True,
          category: str | None = None, reception: str | None = None,
          maternity: str | None = None) -> dict[str, Any]:
    extension: list[dict[str, Any]] = [
        {"url": SD + "ror-healthcareservice-sensitive-unit", "valueBoolean": sensitive}]
    if ages is not None:
        extension.append({"url": SD + "ror-healthcareservice-patient-type", "extension": [
            {"url": "ageRange", "valueRange": {"low": {"value": ages[0]},
                                               "high": {"value": ages[1]}}}]})
    if with_contact:
        extension.append(contact())
    characteristic = [coding("TRE_R213-ModePriseEnCharge", m) for m in care_modes]
    if reception:
        characteristic.append(coding("TRE_R240-TemporaliteAccueil", reception))
    if maternity:
        characteristic.append(coding("TRE_R253-TypeMaternite", maternity))
    body: dict[str, Any] = {
        "resourceType": "HealthcareService", "extension": extension, "active": active,
        "providedBy": {"reference": f"Organization/{provider}"}, "name": name,
        "type": [coding("TRE_R227-ChampActivite", field)],
        "specialty": [coding("TRE_R211-ActiviteOperationnelle", a) for a in activities],
        "characteristic": characteristic,
        "location": [{"reference": f"Location/{p}"} for p in places],
    }
    if category:
        body["category"] = [coding("TRE_R244-CategorieOrganisation", category)]
    return body


def place(installed: int | None = None, addressed: bool = True) -> dict[str, Any]:
    body = location()
    if not addressed:
        del body["address"]
    if installed is not None:
        body["extension"].append({"url": SD + "ror-location-supported-capacity", "extension": [
            {"url": "capacityStatus",
             "valueCodeableConcept": coding("TRE_R330-TypeStatutCapacite", "01")},
            {"url": "nbCapacity", "valueInteger": installed}]})
    return body


def available(updated: str, count: int = 2) -> dict[str, Any]:
    """An available-beds record (status 02, current) updated at ``updated``."""
    return {"url": SD + "ror-location-supported-capacity", "extension": [
        {"url": "capacityType", "valueCodeableConcept": coding("TRE_R329-NatureCapacite", "01")},
        {"url": "capacityStatus",
         "valueCodeableConcept": coding("TRE_R330-TypeStatutCapacite", "02")},
        {"url": "temporalityCapacity",
         "valueCodeableConcept": coding("TRE_R331-TemporaliteCapacite", "01")},
        {"url": "nbCapacity", "valueInteger": count},
        {"url": "capacityUpdateDate", "valueDateTime": updated}]}


class World:
    """Resources by id, the FINESS reference, and the run's findings."""

    def __init__(self) -> None:
        self.bodies: dict[str, tuple[str, dict[str, Any], datetime]] = {}
        self.finess: list[FinessSite] = []
        self.granted: dict[str, list[Authorisation]] = {}
        self.confirmed: dict[str, datetime] = {}

    def add(self, rid: str, body: dict[str, Any], updated: datetime = NOW,
            region: str = "11") -> str:
        self.bodies[rid] = (region, body, updated)
        return rid

    def registry(self, finess: str, *, ej: str | None = None, category: str | None = "355",
                 state: str = "open", closing: str | None = None,
                 authorisations: tuple[tuple[str, str], ...] = (), form: str = "00") -> None:
        self.finess.append(FinessSite(finess, ej, f"FINESS {finess}", category, state, closing,
                                      "11", "78", NOW))
        self.granted[finess] = [Authorisation(a, m, form, None) for a, m in authorisations]

    def directory(self) -> Directory:
        found = Directory(now=NOW, terminology=_TERMINOLOGY)
        order = ("Organization", "HealthcareService", "Location")  # as a run reads them
        for rid, (region, body, updated) in sorted(
                self.bodies.items(), key=lambda item: order.index(item[1][1]["resourceType"])):
            kind = body["resourceType"]
            if kind == "Organization":
                found.add_organization(rid, region, body, updated)
            elif kind == "HealthcareService":
                found.add_offer(rid, region, body, updated)
            else:
                found.add_place(rid, body)
        found.finess_sites = sorted(self.finess, key=lambda row: row.finess)
        found.authorisations = self.granted
        found.confirmed = self.confirmed
        return found.linked()

    def findings(self, rule: str) -> dict[str, Finding]:
        return {f.unit: f for f in evaluate(self.directory()) if f.rule == rule}

    def state(self, rule: str, unit: str) -> str | None:
        """conformant, partial, deviating — or None when the rule does not apply."""
        found = self.findings(rule).get(unit)
        return None if found is None else found.state


def hospital(world: World, finess: str = "780000001", ej: str = "780000000",
             category: str = "355", **registry: Any) -> str:
    """A legal entity and its site, both in the ROR and in FINESS; returns the site's id."""
    world.add(f"ej-{ej}", legal_entity(ej))
    sid = world.add(f"eg-{finess}", site(finess, f"ej-{ej}", category))
    world.registry(finess, ej=ej, category=category, **registry)
    return sid


def day(text: str) -> datetime:
    return datetime.combine(date.fromisoformat(text), datetime.min.time())
