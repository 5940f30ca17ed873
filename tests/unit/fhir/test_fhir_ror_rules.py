"""ROR 0.7.0 profile rules: hand-made broken copies, each asserting the exact expression."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openror.fhir import profiles as p
from openror.fhir.ror_rules import validate_profile
from tests.unit.fhir.conftest import FakeTerminology

Example = Callable[[str], dict[str, Any]]
TERM = FakeTerminology()


def errors(resource: dict[str, Any]) -> list[tuple[str, ...]]:
    return [i.expression for i in validate_profile(resource, TERM) if i.is_error]


def drop_ext(resource: dict[str, Any], url: str) -> None:
    resource["extension"] = [e for e in resource["extension"] if e["url"] != url]


def test_missing_sensitive_unit(hs: dict[str, Any]) -> None:
    drop_ext(hs, p.EXT_SENSITIVE_UNIT)
    assert errors(hs) == [(f"HealthcareService.extension('{p.EXT_SENSITIVE_UNIT}')",)]


def test_missing_creation_date(hs: dict[str, Any]) -> None:
    drop_ext(hs, p.EXT_CREATION_DATE)
    assert errors(hs) == [(f"HealthcareService.extension('{p.EXT_CREATION_DATE}')",)]


def test_creation_date_wrong_value_type(example: Example) -> None:
    prac = example("Practitioner-ror-practitioner-exemple.json")
    prac["extension"][0] = {"url": p.EXT_CREATION_DATE, "valueDate": "2023-12-09"}
    assert errors(prac) == [("Practitioner.extension[0]",)]


def test_missing_commune_cog(example: Example) -> None:
    loc = example("Location-ror-location-exemple.json")
    drop_ext(loc, p.EXT_COMMUNE_COG)
    assert errors(loc) == [(f"Location.extension('{p.EXT_COMMUNE_COG}')",)]


def test_missing_exercise_mode(example: Example) -> None:
    role = example("PractitionerRole-ror-practitionerrole-exemple.json")
    drop_ext(role, p.EXT_EXERCISE_MODE)
    assert errors(role) == [(f"PractitionerRole.extension('{p.EXT_EXERCISE_MODE}')",)]


def test_two_identifiers_on_healthcare_service(hs: dict[str, Any]) -> None:
    hs["identifier"].append(dict(hs["identifier"][0]))
    assert errors(hs) == [("HealthcareService.identifier",)]


def test_age_range_needs_both_bounds(hs: dict[str, Any]) -> None:
    del hs["extension"][1]["extension"][0]["valueRange"]["high"]
    assert errors(hs) == [("HealthcareService.extension[1].extension[0].valueRange.high",)]


def test_missing_age_range(hs: dict[str, Any]) -> None:
    hs["extension"][1]["extension"] = [{"url": "supportedPatientInfo",
                                        "valueCodeableConcept": {"text": "x"}}]
    assert errors(hs) == [("HealthcareService.extension[1].extension('ageRange')",)]


def test_hs_contact_needs_confidentiality(hs: dict[str, Any]) -> None:
    contact = hs["extension"][4]
    contact["extension"] = [e for e in contact["extension"] if e["url"] != p.EXT_CONFIDENTIALITY]
    assert errors(hs) == [(f"HealthcareService.extension[4].extension('{p.EXT_CONFIDENTIALITY}')",)]


def test_hs_contact_telecom_needs_channel(hs: dict[str, Any]) -> None:
    telecom = hs["extension"][4]["extension"][2]
    telecom["extension"] = telecom["extension"][1:]
    assert errors(hs) == [("HealthcareService.extension[4].extension[2]"
                           f".extension('{p.EXT_TELECOM_CHANNEL}')",)]


def test_missing_operational_activity(hs: dict[str, Any]) -> None:
    hs["specialty"][0]["coding"][0]["system"] = "http://example.org/other"
    assert errors(hs) == [("HealthcareService.specialty.where(coding.system="
                           f"'{p.TRE_R211_OPERATIONAL_ACTIVITY}')",)]


def test_jdv_url_with_trailing_slash_still_matches_the_slice(hs: dict[str, Any]) -> None:
    hs["specialty"][0]["coding"][0]["system"] = p.TRE_R211_OPERATIONAL_ACTIVITY + "/"
    assert errors(hs) == []


def test_two_care_modes(hs: dict[str, Any]) -> None:
    mode = {"coding": [{"system": p.TRE_R213_CARE_MODE, "code": "32"}]}
    hs["characteristic"] += [mode, mode]
    assert errors(hs) == [("HealthcareService.characteristic.where(coding.system="
                           f"'{p.TRE_R213_CARE_MODE}')",)]


def test_wrong_reference_target_type(hs: dict[str, Any]) -> None:
    hs["providedBy"] = {"reference": "Location/888888"}
    issues = [i for i in validate_profile(hs, TERM) if i.is_error]
    assert [i.expression for i in issues] == [("HealthcareService.providedBy",)]
    assert "allowed target types: Organization" in issues[0].diagnostics


def test_reference_target_in_array_and_logical_reference(example: Example) -> None:
    role = example("PractitionerRole-ror-practitionerrole-exemple.json")
    role["healthcareService"] = [{"reference": "https://x.fr/fhir/Location/1"}]
    role["practitioner"] = {"identifier": {"value": "81234"}}  # logical: allowed
    assert errors(role) == [("PractitionerRole.healthcareService[0]",)]


def test_telecom_pattern(example: Example) -> None:
    prac = example("Practitioner-ror-practitioner-exemple.json")
    del prac["telecom"][0]["value"]
    prac["telecom"][0]["extension"] = prac["telecom"][0]["extension"][:1]
    assert errors(prac) == [
        ("Practitioner.telecom[0].value",),
        (f"Practitioner.telecom[0].extension('{p.EXT_TELECOM_CONFIDENTIALITY}')",),
    ]


def test_organization_contact_confidentiality(example: Example) -> None:
    org = example("Organization-ror-organisation-exemple-eg.json")
    org["contact"][0]["extension"] = []
    assert errors(org) == [
        (f"Organization.contact[0].extension('{p.EXT_CONTACT_CONFIDENTIALITY}')",)]


def test_organization_part_of_target(example: Example) -> None:
    org = example("Organization-ror-organisation-exemple-eg.json")
    org["partOf"] = {"reference": "HealthcareService/1"}
    assert errors(org) == [("Organization.partOf",)]


def test_location_targets(example: Example) -> None:
    loc = example("Location-ror-location-exemple.json")
    loc["managingOrganization"] = {"reference": "Location/2"}
    loc["partOf"] = {"reference": "Organization/2"}
    assert errors(loc) == [("Location.managingOrganization",), ("Location.partOf",)]


def test_practitioner_needs_idnatps(example: Example) -> None:
    prac = example("Practitioner-ror-practitioner-exemple.json")
    prac["identifier"][0]["system"] = "urn:oid:1.2.250.1.71.4.2.2"
    assert errors(prac) == [(f"Practitioner.identifier.where(system='{p.SYSTEM_IDNATPS}')",)]


def test_missing_last_updated(hs: dict[str, Any]) -> None:
    del hs["meta"]["lastUpdated"]
    assert errors(hs) == [("HealthcareService.meta.lastUpdated",)]


def test_template_needs_version(hs: dict[str, Any]) -> None:
    hs["extension"][3]["valueCanonical"] = "https://interop.esante.gouv.fr/ig/fhir/ror/Questionnaire/MS-141"
    assert errors(hs) == [("HealthcareService.extension[3].valueCanonical",)]


def test_task_rules(example: Example) -> None:
    task = example("Task-ror-task-exemple.json")
    del task["businessStatus"]
    task["input"][0]["valueInteger"] = task["input"][0].pop("valueString") and 1
    assert errors(task) == [("Task.businessStatus",), ("Task.input[0]",)]


def test_questionnaire_rules(example: Example) -> None:
    q = example("Questionnaire-ror-questionnaire-offre-mco.json")
    q["status"] = "unknown"
    q["item"][0]["item"][0]["code"] = [{"code": "x"}]
    q["extension"] = []
    assert errors(q) == [
        (f"Questionnaire.extension('{p.EXT_SDC_LAUNCH_CONTEXT}')",),
        ("Questionnaire.status",),
        ("Questionnaire.item[0].item[0].code",),
    ]


def test_measure_rules() -> None:
    measure = {"resourceType": "Measure", "status": "active", "purpose": "p",
               "topic": [{"text": "t"}], "type": [{"text": "t"}],
               "group": [{"description": "d"}]}
    assert errors(measure) == [("Measure.identifier",), ("Measure.group[0].code",)]
    report = {"resourceType": "MeasureReport", "identifier": [{"value": "1"}],
              "status": "complete", "type": "summary", "measure": "https://x/Measure/1",
              "period": {"start": "2024"}, "subject": {"reference": "Task/1"}}
    assert errors(report) == [("MeasureReport.date",), ("MeasureReport.subject",)]


def test_resource_without_ror_profile_has_no_profile_issue() -> None:
    assert validate_profile({"resourceType": "Bundle", "type": "collection"}, TERM) == []
