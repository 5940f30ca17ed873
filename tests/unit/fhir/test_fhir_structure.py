"""Base R4 structure: one hand-made defect per test, with the exact expression."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from openror.fhir.structure import validate_structure, walk
from tests.unit.fhir.conftest import EXAMPLES, load


def only(issues: list[Any]) -> Any:
    assert len(issues) == 1, [i.diagnostics for i in issues]
    return issues[0]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_are_structurally_valid(path: Any) -> None:
    assert validate_structure(load(path)) == []


def test_unknown_resource_type() -> None:
    issue = only(validate_structure({"resourceType": "Patient"}))
    assert issue.code == "not-supported"
    assert issue.expression == ("resourceType",)


def test_unknown_element(hs: dict[str, Any]) -> None:
    hs["foo"] = 1
    issue = only(validate_structure(hs))
    assert issue.expression == ("HealthcareService.foo",)
    assert "unknown element 'foo': remove it or check its spelling" in issue.diagnostics


def test_unknown_element_in_datatype(hs: dict[str, Any]) -> None:
    hs["identifier"][0]["valeur"] = "x"
    assert only(validate_structure(hs)).expression == ("HealthcareService.identifier[0].valeur",)


def test_object_expected_got_string(hs: dict[str, Any]) -> None:
    hs["providedBy"] = "Organization/1"
    issue = only(validate_structure(hs))
    assert issue.expression == ("HealthcareService.providedBy",)
    assert issue.diagnostics == ("HealthcareService.providedBy: expected an object "
                                 "(Reference), got a string")


def test_single_element_given_as_array(hs: dict[str, Any]) -> None:
    hs["providedBy"] = [hs["providedBy"]]
    issue = only(validate_structure(hs))
    assert issue.expression == ("HealthcareService.providedBy",)
    assert "got an array" in issue.diagnostics


def test_repeating_element_given_as_object(hs: dict[str, Any]) -> None:
    hs["identifier"] = hs["identifier"][0]
    assert only(validate_structure(hs)).expression == ("HealthcareService.identifier",)


def test_wrong_primitive_kind(hs: dict[str, Any]) -> None:
    hs["extension"][0]["valueBoolean"] = "false"
    issue = only(validate_structure(hs))
    assert issue.expression == ("HealthcareService.extension[0].valueBoolean",)
    assert "expected true or false, got a string" in issue.diagnostics


def test_bad_date_format(hs: dict[str, Any]) -> None:
    hs["availableTime"][0]["extension"][1]["valuePeriod"]["start"] = "08/04/2025"
    issue = only(validate_structure(hs))
    assert issue.expression == (
        "HealthcareService.availableTime[0].extension[1].valuePeriod.start",)
    assert "'08/04/2025' is not a valid dateTime" in issue.diagnostics


def test_bad_time_and_code(hs: dict[str, Any]) -> None:
    hs["availableTime"][0]["availableStartTime"] = "8h"
    hs["availableTime"][0]["daysOfWeek"] = [" mon"]
    expressions = {i.expression[0] for i in validate_structure(hs)}
    assert expressions == {"HealthcareService.availableTime[0].availableStartTime",
                           "HealthcareService.availableTime[0].daysOfWeek[0]"}


def test_integer_must_be_whole(hs: dict[str, Any]) -> None:
    hs["availableTime"][0]["extension"][0]["valueInteger"] = 1.5
    assert only(validate_structure(hs)).expression == (
        "HealthcareService.availableTime[0].extension[0].valueInteger",)


def test_missing_required_base_element(hs: dict[str, Any]) -> None:
    del hs["extension"][0]["url"]
    issue = only(validate_structure(hs))
    assert issue.code == "required"
    assert issue.expression == ("HealthcareService.extension[0].url",)


def test_empty_string_object_array_and_null(hs: dict[str, Any]) -> None:
    hs["name"] = ""
    hs["providedBy"] = {}
    hs["location"] = []
    hs["comment"] = None
    expressions = sorted(i.expression[0] for i in validate_structure(hs))
    assert expressions == ["HealthcareService.comment", "HealthcareService.location",
                           "HealthcareService.name", "HealthcareService.providedBy"]


def test_two_choice_variants(hs: dict[str, Any]) -> None:
    hs["extension"][0]["valueString"] = "false"
    issue = only(validate_structure(hs))
    assert "only one value[x] variant" in issue.diagnostics


def test_extension_needs_value_or_extensions(hs: dict[str, Any]) -> None:
    del hs["extension"][0]["valueBoolean"]
    assert only(validate_structure(hs)).expression == ("HealthcareService.extension[0]",)


def test_primitive_twin(example: Any) -> None:
    loc = example("Location-ror-location-exemple.json")
    loc["address"]["_city"] = {"extension": [{"url": "http://x", "valueString": "y"}]}
    assert validate_structure(loc) == []
    loc["address"]["_city"] = {"foo": 1}
    assert only(validate_structure(loc)).expression == ("Location.address._city.foo",)
    loc["address"]["_city"] = {"extension": []}
    assert only(validate_structure(loc)).expression == ("Location.address._city.extension",)


def test_twin_only_next_to_primitives(hs: dict[str, Any]) -> None:
    hs["_providedBy"] = {"id": "x"}
    assert only(validate_structure(hs)).expression == ("HealthcareService._providedBy",)


def test_null_in_aligned_primitive_array(example: Any) -> None:
    loc = example("Location-ror-location-exemple.json")
    loc["address"]["line"] = ["a", None]
    loc["address"]["_line"] = [None, {"extension": [{"url": "http://x", "valueString": "y"}]}]
    assert validate_structure(loc) == []
    loc["address"]["_line"] = [None, None]
    assert only(validate_structure(loc)).expression == ("Location.address.line[1]",)


def test_reference_shape(hs: dict[str, Any]) -> None:
    hs["providedBy"] = {"reference": "Organization 999999"}
    assert only(validate_structure(hs)).expression == (
        "HealthcareService.providedBy.reference",)


def test_contained_resources_are_validated(hs: dict[str, Any]) -> None:
    hs["contained"] = [{"resourceType": "Location", "id": "l1", "nom": "x"}]
    assert only(validate_structure(hs)).expression == ("HealthcareService.contained[0].nom",)
    hs["contained"] = [{"resourceType": "Patient", "id": "p"}]
    assert only(validate_structure(hs)).code == "not-supported"


def test_backbone_and_content_reference(example: Any) -> None:
    q = example("Questionnaire-ror-questionnaire-offre-mco.json")
    q["item"][0]["item"][0]["item"][0]["requis"] = True
    assert only(validate_structure(q)).expression == (
        "Questionnaire.item[0].item[0].item[0].requis",)


# -- an update: what the stored version already had was checked when it was stored ---------

def test_update_reports_only_what_it_changes(hs: dict[str, Any]) -> None:
    hs["identifier"][0]["valeur"] = "x"  # a defect the stored version already had
    previous = copy.deepcopy(hs)
    assert walk(hs, None, previous) == []
    hs["identifier"].append({"system": "urn:oid:1.2.3", "valeur": "y"})  # a new one
    assert only(walk(hs, None, previous)).expression == (
        "HealthcareService.identifier[1].valeur",)
    hs["identifier"][0]["value"] = "06/0099998"  # the old item changed: checked again
    assert {i.expression for i in walk(hs, None, previous)} == {
        ("HealthcareService.identifier[0].valeur",), ("HealthcareService.identifier[1].valeur",)}


def test_update_checks_a_changed_single_value(hs: dict[str, Any]) -> None:
    previous = copy.deepcopy(hs)
    hs["providedBy"] = {"reference": "not a reference"}
    assert only(walk(hs, None, previous)).expression == (
        "HealthcareService.providedBy.reference",)
    assert walk(hs, None) != [] == walk(hs, None, copy.deepcopy(hs))  # stored with it


def test_update_collects_only_the_changed_codings(hs: dict[str, Any]) -> None:
    previous = copy.deepcopy(hs)
    codings: list[Any] = []
    walk(hs, codings, previous)
    assert codings == []
    hs["specialty"].append({"coding": [{"system": "urn:x", "code": "42"}]})
    walk(hs, codings, previous)
    assert [(where, coding["code"]) for where, coding, _ in codings] == [
        (f"HealthcareService.specialty[{len(hs['specialty']) - 1}].coding[0]", "42")]


def test_update_still_finds_missing_required_elements() -> None:
    stored = {"resourceType": "Bundle"}  # however it got there, its type is still required
    assert only(walk({"resourceType": "Bundle"}, None, stored)).code == "required"
