"""Terminology checks through validate_resource (real bundled terminology + SPEC overlay)."""

from __future__ import annotations

import timeit
from typing import Any

from openror.fhir import profiles as p
from openror.fhir.validate import validate_resource
from openror.terminology import Terminology
from tests.unit.fhir.conftest import FakeTerminology


def add_care_mode(hs: dict[str, Any], code: str, system: str = p.TRE_R213_CARE_MODE) -> None:
    hs["characteristic"].append({"coding": [{"system": system, "code": code}]})


def test_unknown_care_mode_is_an_error(hs: dict[str, Any], terminology: Terminology) -> None:
    add_care_mode(hs, "99")
    issues = validate_resource(hs, terminology)
    assert [(i.severity, i.expression) for i in issues] == [
        ("error", ("HealthcareService.characteristic[2].coding[0].code",))]
    assert "JDV_J19" in issues[0].diagnostics and "use one of its codes" in issues[0].diagnostics


def test_jdv_url_as_system_is_tolerated(hs: dict[str, Any], terminology: Terminology) -> None:
    jdv = p.nos_url("JDV_J19-ModePriseEnCharge-ROR") + "/"
    add_care_mode(hs, "32", jdv)
    assert validate_resource(hs, terminology) == []


def test_retired_commune_is_only_a_warning(example: Any, terminology: Terminology) -> None:
    loc = example("Location-ror-location-exemple.json")
    loc["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] = "01003"
    issues = validate_resource(loc, terminology)
    assert [(i.severity, i.expression) for i in issues] == [(
        "warning", ("Location.extension[0].valueCodeableConcept.coding[0].code",))]
    assert "retired" in issues[0].diagnostics


def test_an_intervention_zone_is_a_known_commune(hs: dict[str, Any],
                                                 terminology: Terminology) -> None:
    def zone(code: str) -> dict[str, Any]:
        return {"url": p.EXT_TERRITORIAL_DIVISION, "extension": [
            {"url": "typeTerritorialDivision", "valueCodeableConcept": {"coding": [
                {"system": p.nos_url("TRE_R201-TypeDivisionTerritoriale"), "code": "3"}]}},
            {"url": "codeTerritorialDivision", "valueCodeableConcept": {"coding": [
                {"system": p.nos_url("TRE_R13-CommuneOM"), "code": code}]}}]}
    hs["extension"] += [zone("02691"), zone("Gauchi")]
    issues = [i for i in validate_resource(hs, terminology) if i.is_error]
    assert [(i.severity, i.expression) for i in issues] == [("error", (
        f"HealthcareService.extension[{len(hs['extension']) - 1}].extension[1]"
        ".valueCodeableConcept.coding[0].code",))]
    assert "JDV_J124" in issues[0].diagnostics


def test_unknown_telecom_channel(example: Any, terminology: Terminology) -> None:
    prac = example("Practitioner-ror-practitioner-exemple.json")
    prac["telecom"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] = "77"
    assert [i.expression for i in validate_resource(prac, terminology)] == [
        ("Practitioner.telecom[0].extension[0].valueCodeableConcept.coding[0].code",)]


def test_unknown_code_in_known_system_outside_bindings(example: Any,
                                                      terminology: Terminology) -> None:
    # TRE_R355 is bundled in full, so an unlisted code is certainly wrong...
    role = example("PractitionerRole-ror-practitionerrole-exemple.json")
    role["specialty"] = [{"coding": [{"system": p.TRE_R355_OFFER_ID_TYPE, "code": "ZZ"}]}]
    assert [i.expression for i in validate_resource(role, terminology)] == [
        ("PractitionerRole.specialty[0].coding[0].code",)]
    # ...while TRE_R213 is only known through JDV_J19: outside that binding, no verdict.
    role["specialty"] = [{"coding": [{"system": p.TRE_R213_CARE_MODE, "code": "ZZ"}]}]
    assert validate_resource(role, terminology) == []


def test_unbundled_system_is_skipped(hs: dict[str, Any], terminology: Terminology) -> None:
    hs["characteristic"].append({"coding": [{"system": "http://example.org/x", "code": "1"}]})
    assert [i for i in validate_resource(hs, terminology) if i.is_error] == []


def test_fake_terminology_retired_and_unknown(hs: dict[str, Any]) -> None:
    add_care_mode(hs, "40")
    issues = validate_resource(hs, FakeTerminology())
    assert [(i.severity, i.expression) for i in issues] == [
        ("warning", ("HealthcareService.characteristic[2].coding[0].code",))]


def test_validate_resource_is_fast(hs: dict[str, Any], terminology: Terminology) -> None:
    """Budget ~0.5 ms for the 13 kB example; assert a loose bound so slow CI stays green."""
    runs = [timeit.timeit(lambda: validate_resource(hs, terminology), number=20) / 20
            for _ in range(5)]
    assert min(runs) < 0.005
