"""The FHIRPath locator behind FHIRPath Patch: parsing, positions, and where() criteria."""

from __future__ import annotations

from typing import Any

import fhirpathpy
import pytest
from fhirpathpy.models import models

from openror.fhir.fhirpath_locate import (
    PathError,
    Step,
    _native_criteria,
    compile_criteria,
    locate,
    parse_path,
    root_slot,
)
from openror.fhir.patch_elements import element_key, repeats

EXT = {
    "url": "https://x/capacity",
    "extension": [
        {"url": "capacityStatus",
         "valueCodeableConcept": {"coding": [{"system": "s", "code": "02"}]}},
        {"url": "nbCapacity", "valueInteger": 3},
        {"url": "note", "valueString": "it's \"ok\""},
        {"url": "closed", "valueBoolean": False},
        {"url": "twice", "valueCodeableConcept": {"coding": [{"code": "a"}, {"code": "b"}]}},
    ],
}


def test_parse_path_steps() -> None:
    assert parse_path("Location.extension[1].where(url='a.b(c)').value.first()") == (
        Step("child", "Location"),
        Step("child", "extension"),
        Step("index", index=1),
        Step("where", "url='a.b(c)'"),
        Step("child", "value"),
        Step("first"),
    )
    assert parse_path("Location . `extension` .last()") == (
        Step("child", "Location"), Step("child", "extension"), Step("last"),
    )
    assert parse_path("value.ofType(FHIR.string)") == (
        Step("child", "value"), Step("ofType", "String"),
    )


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("Location.extension.exists()", "not-supported"),
        ("Location.name | Location.alias", "not-supported"),
        ("Location.extension[-1]", "not-supported"),
        ("Location.extension.where(url='a'", "invalid"),
        ("Location..name", "invalid"),
        ("Location.first(1)", "not-supported"),
    ],
)
def test_parse_path_rejects(path: str, code: str) -> None:
    with pytest.raises(PathError) as exc:
        parse_path(path)
    assert exc.value.code == code


def test_locate_returns_positions_including_choices() -> None:
    resource = {"resourceType": "Location", "extension": [EXT]}
    [slot] = locate(root_slot(resource), parse_path("extension.extension[1].value"))
    assert (slot.key, slot.index, slot.choice, slot.value) == ("valueInteger", None, "value", 3)
    assert slot.parent is resource["extension"][0]["extension"][1]
    slots = locate(root_slot(resource), parse_path("extension.extension.value.coding"))
    assert [(s.key, s.index) for s in slots] == [("coding", 0), ("coding", 0), ("coding", 1)]


CRITERIA = [
    "url='https://x/capacity'",
    "url = 'https://x/other'",
    "extension.where(url='capacityStatus').value.coding.code='02'",
    "extension.where(url='capacityStatus').value.coding.code='03'",
    "extension.where(url='nbCapacity').value = 3",
    "extension.where(url='nbCapacity').value = 3.0",
    "extension.where(url='nbCapacity').value = '3'",
    "extension.where(url='note').value = 'it\\'s \"ok\"'",
    "extension.where(url='closed').value = false",
    "extension.where(url='twice').value.coding.code = 'a'",
    "extension.where(url='absent').value = 'a'",
    "url='https://x/capacity' and extension.first().url='capacityStatus'",
    "url='https://x/capacity' and extension.last().url='capacityStatus'",
    "extension[1].url = 'nbCapacity'",
    "extension.where(url='absent').empty()",
    "extension.where(url='capacityStatus').empty()",
    "extension.where(url='capacityStatus').exists()",
    "extension.where(url='absent').value.exists()",
    "url='https://x/capacity' and extension.where(url='capacityStatus' and "
    "value.coding.code='02').exists() and extension.where(url='absent').empty()",
    "extension.where(url='twice' and value.coding.code='a').empty()",
    # a name = 'string' clause on what is not a string held right there: a list, a choice
    "extension.where(extension = 'a').exists()",
    "extension.where(value = 'it\\'s \"ok\"').exists()",
    "extension.where(url = 3).exists()",
]


def test_indicator_paths_are_evaluated_natively() -> None:
    """The capacity feed's paths: every clause natively, no fhirpathpy (its cost per
    candidate made an update take 12 ms)."""
    criteria = ("url='https://x/capacity' and extension.where(url='capacityStatus')"
                ".value.coding.code='02' and extension.where(url='absent').empty()")
    assert _native_criteria(criteria) is not None
    assert _native_criteria("extension.count() = 5") is None


@pytest.mark.parametrize("criteria", CRITERIA)
def test_native_criteria_agree_with_fhirpathpy(criteria: str) -> None:
    expected = fhirpathpy.evaluate(EXT, criteria, model=models["r4"]) == [True]
    assert compile_criteria(criteria)(EXT) is expected


def test_native_booleans_are_not_integers() -> None:
    # FHIRPath: Boolean and Integer never compare equal (fhirpathpy says false = 0 is true)
    assert compile_criteria("extension.where(url='closed').value = 0")(EXT) is False


def test_other_criteria_use_fhirpathpy() -> None:
    assert compile_criteria("extension.where(url='nbCapacity').value > 2")(EXT) is True
    assert compile_criteria("extension.count() = 5")(EXT) is True
    with pytest.raises(PathError):
        compile_criteria("nosuchfunction()")(EXT)


def test_of_type_needs_a_choice_or_resource() -> None:
    resource = {"resourceType": "Location", "name": "A"}
    with pytest.raises(PathError, match="ofType"):
        locate(root_slot(resource), parse_path("name.ofType(string)"))


def test_repeats_table_depends_on_context() -> None:
    assert repeats("Organization", "type")
    assert not repeats("identifier", "type")
    assert repeats("Practitioner", "name")
    assert not repeats("Organization", "name")
    assert not repeats("Location", "address")
    assert repeats("Organization", "address")
    assert not repeats("Task", "location")
    assert repeats("HealthcareService", "location")
    assert element_key("value", "String") == "valueString"
    assert element_key("telecom", "ContactPoint") == "telecom"


def _at(resource: dict[str, Any], path: str) -> list[Any]:
    return [s.value for s in locate(root_slot(resource), parse_path(path))]


def test_indexers_apply_to_the_whole_collection() -> None:
    org = {"contact": [{"telecom": [{"value": "1"}, {"value": "2"}]},
                       {"telecom": [{"value": "3"}]}]}
    assert _at(org, "contact.telecom[2].value") == ["3"]
    assert _at(org, "contact.telecom.last().value") == ["3"]
    assert _at(org, "contact[0].telecom.value") == ["1", "2"]
