"""FHIRPath Patch: the five operations, the capacity-feed flow and error reporting."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from openror.errors import InvalidInput, NotFound
from openror.fhir.patch import PatchTargetMissing, apply_patch

CAPACITY = "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-location-supported-capacity"
STATUS_SYSTEM = "https://mos.esante.gouv.fr/NOS/TRE_R330-TypeStatutCapacite/FHIR/TRE-R330-TypeStatutCapacite"
INDICATOR = (
    f"Location.extension.where(url='{CAPACITY}')"
    ".where(extension.where(url='capacityStatus').value.coding.code='02')"
)


def op(type_: str, path: str, **parts: Any) -> dict[str, Any]:
    """One operation parameter; keyword values are (value[x] key, value) or a part list."""
    out = [{"name": "type", "valueCode": type_}, {"name": "path", "valueString": path}]
    for name, spec in parts.items():
        if isinstance(spec, list):
            out.append({"name": name, "part": spec})
        else:
            key, value = spec
            out.append({"name": name, key: value})
    return {"name": "operation", "part": out}


def params(*ops: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Parameters", "parameter": list(ops)}


def capacity(status: str, count: int) -> dict[str, Any]:
    return {
        "url": CAPACITY,
        "extension": [
            {"url": "capacityStatus",
             "valueCodeableConcept": {"coding": [{"system": STATUS_SYSTEM, "code": status}]}},
            {"url": "nbCapacity", "valueInteger": count},
        ],
    }


def location(*extensions: dict[str, Any]) -> dict[str, Any]:
    loc: dict[str, Any] = {"resourceType": "Location", "id": "l1", "name": "Unité A"}
    if extensions:
        loc["extension"] = list(extensions)
    return loc


def organization() -> dict[str, Any]:
    return {
        "resourceType": "Organization",
        "id": "o1",
        "name": "CH Test",
        "telecom": [
            {"system": "phone", "value": "0102030405"},
            {"system": "email", "value": "a@b.fr"},
        ],
    }


# ---------------------------------------------------------------- the five operations


def test_add_appends_to_a_repeating_element() -> None:
    org = organization()
    out = apply_patch(org, params(op("add", "Organization", name=("valueString", "alias"),
                                     value=("valueString", "CHT"))))
    assert out["alias"] == ["CHT"]
    out = apply_patch(out, params(op("add", "Organization", name=("valueString", "telecom"),
                                     value=("valueContactPoint", {"system": "fax", "value": "1"}))))
    assert [t["system"] for t in out["telecom"]] == ["phone", "email", "fax"]


def test_add_single_element_when_absent_and_refuses_when_present() -> None:
    org = organization()
    del org["name"]
    out = apply_patch(org, params(op("add", "Organization", name=("valueString", "name"),
                                     value=("valueString", "CH Neuf"))))
    assert out["name"] == "CH Neuf"
    with pytest.raises(InvalidInput) as exc:
        apply_patch(out, params(op("add", "Organization", name=("valueString", "name"),
                                   value=("valueString", "Autre"))))
    assert exc.value.issues[0].expression == ("Parameters.parameter[0].part[2]",)
    assert "use replace" in exc.value.issues[0].diagnostics


def test_add_a_reference_links_a_location_to_a_service() -> None:
    hs = {"resourceType": "HealthcareService", "id": "h1", "name": "Cardio"}
    out = apply_patch(hs, params(op("add", "HealthcareService", name=("valueString", "location"),
                                    value=("valueReference", {"reference": "Location/l1"}))))
    assert out["location"] == [{"reference": "Location/l1"}]


def test_add_choice_value_uses_the_typed_key() -> None:
    loc = location({"url": "https://x/ext"})
    out = apply_patch(loc, params(op("add", "Location.extension.where(url='https://x/ext')",
                                     name=("valueString", "value"), value=("valueInteger", 4))))
    assert out["extension"] == [{"url": "https://x/ext", "valueInteger": 4}]


def test_add_complex_value_built_from_parts() -> None:
    contact = [
        {"name": "name", "valueHumanName": {"family": "Martin", "given": ["Léa"]}},
        {"name": "telecom", "valueContactPoint": {"system": "phone", "value": "0600000000"}},
        {"name": "purpose", "part": [{"name": "text", "valueString": "Accueil"}]},
    ]
    out = apply_patch(organization(), params(op("add", "Organization",
                                                name=("valueString", "contact"), value=contact)))
    assert out["contact"] == [{
        "name": {"family": "Martin", "given": ["Léa"]},
        "telecom": [{"system": "phone", "value": "0600000000"}],
        "purpose": {"text": "Accueil"},
    }]


def test_insert_at_index_and_range_error() -> None:
    out = apply_patch(organization(), params(op("insert", "Organization.telecom",
                                                value=("valueContactPoint", {"system": "fax"}),
                                                index=("valueInteger", 1))))
    assert [t["system"] for t in out["telecom"]] == ["phone", "fax", "email"]
    with pytest.raises(InvalidInput) as exc:
        apply_patch(organization(), params(op("insert", "Organization.telecom",
                                              value=("valueContactPoint", {"system": "fax"}),
                                              index=("valueInteger", 3))))
    assert exc.value.issues[0].expression == ("Parameters.parameter[0].part[3]",)


def test_insert_creates_an_absent_list_only_if_it_repeats() -> None:
    out = apply_patch(location(), params(op("insert", "Location.alias",
                                            value=("valueString", "A"),
                                            index=("valueInteger", 0))))
    assert out["alias"] == ["A"]
    with pytest.raises(InvalidInput, match="does not repeat"):
        apply_patch(location(), params(op("insert", "Location.description",
                                          value=("valueString", "A"),
                                          index=("valueInteger", 0))))


def test_delete_one_element_prunes_empties_and_ignores_missing() -> None:
    loc = location(capacity("01", 10))
    out = apply_patch(loc, params(op("delete", f"Location.extension.where(url='{CAPACITY}')")))
    assert "extension" not in out
    assert apply_patch(out, params(op("delete", "Location.extension[0]"))) == out


def test_delete_keeps_primitive_extensions_aligned() -> None:
    pract = {"resourceType": "Practitioner", "name": [{"given": ["A", "B"],
                                                       "_given": [None, {"id": "b"}]}]}
    out = apply_patch(pract, params(op("delete", "Practitioner.name.given[0]")))
    assert out["name"] == [{"given": ["B"], "_given": [{"id": "b"}]}]
    out = apply_patch(out, params(op("delete", "Practitioner.name.given")))
    assert "name" not in out


def test_replace_by_index_first_and_last() -> None:
    body = params(
        op("replace", "Organization.telecom[0].value", value=("valueString", "0999999999")),
        op("replace", "Organization.telecom.last().system", value=("valueCode", "url")),
        op("replace", "Organization.name", value=("valueString", "CH Renommé")),
    )
    out = apply_patch(organization(), body)
    assert out["telecom"][0]["value"] == "0999999999"
    assert out["telecom"][1]["system"] == "url"
    assert out["name"] == "CH Renommé"


def test_replace_choice_may_change_type() -> None:
    loc = location({"url": "https://x/ext", "valueString": "4"})
    out = apply_patch(loc, params(op("replace", "Location.extension[0].value",
                                     value=("valueInteger", 4))))
    assert out["extension"] == [{"url": "https://x/ext", "valueInteger": 4}]


def test_move_within_a_list() -> None:
    out = apply_patch(organization(), params(op("move", "Organization.telecom",
                                                source=("valueInteger", 1),
                                                destination=("valueInteger", 0))))
    assert [t["system"] for t in out["telecom"]] == ["email", "phone"]
    with pytest.raises(InvalidInput) as exc:
        apply_patch(organization(), params(op("move", "Organization.telecom",
                                              source=("valueInteger", 2),
                                              destination=("valueInteger", 0))))
    assert exc.value.issues[0].expression == ("Parameters.parameter[0].part[2]",)


def test_task_business_status_replace() -> None:
    task = {"resourceType": "Task", "status": "requested",
            "businessStatus": {"coding": [{"code": "01"}]}}
    cancelled = {"coding": [{"code": "03"}]}
    out = apply_patch(task, params(op("replace", "Task.businessStatus",
                                      value=("valueCodeableConcept", cancelled))))
    assert out["businessStatus"] == {"coding": [{"code": "03"}]}


# ---------------------------------------------------------------- where() and the capacity feed


def test_nested_where_selects_the_indicator() -> None:
    loc = location(capacity("01", 10), capacity("02", 3), {"url": "https://x/other"})
    out = apply_patch(loc, params(op("replace", INDICATOR + ".extension.where(url='nbCapacity')"
                                     ".value", value=("valueInteger", 5))))
    assert out["extension"][1]["extension"][1] == {"url": "nbCapacity", "valueInteger": 5}
    assert out["extension"][0] == capacity("01", 10)


def test_capacity_feed_replace_then_add_then_replace() -> None:
    loc = location(capacity("01", 10))
    replace = params(op("replace", INDICATOR, value=("valueExtension", capacity("02", 3))))
    with pytest.raises(PatchTargetMissing) as exc:
        apply_patch(loc, replace)
    assert isinstance(exc.value, NotFound)
    assert exc.value.status == 404
    assert exc.value.issues[0].code == "not-found"
    assert exc.value.issues[0].expression == (INDICATOR,)

    added = apply_patch(loc, params(op("add", "Location", name=("valueString", "extension"),
                                       value=("valueExtension", capacity("02", 3)))))
    assert added["extension"] == [capacity("01", 10), capacity("02", 3)]

    replaced = apply_patch(added, params(op("replace", INDICATOR,
                                            value=("valueExtension", capacity("02", 7)))))
    assert replaced["extension"] == [capacity("01", 10), capacity("02", 7)]


def test_where_falls_back_to_fhirpathpy_for_other_criteria() -> None:
    loc = location(capacity("01", 10), capacity("02", 3))
    path = (f"Location.extension.where(url='{CAPACITY}' and "
            "extension.where(url='nbCapacity').value > 5)")
    out = apply_patch(loc, params(op("delete", path)))
    assert out["extension"] == [capacity("02", 3)]


def test_of_type_on_a_choice_element() -> None:
    loc = location({"url": "https://x/a", "valueString": "s"}, {"url": "https://x/b",
                                                                "valueInteger": 1})
    out = apply_patch(loc, params(op("replace", "Location.extension.value.ofType(integer)",
                                     value=("valueInteger", 2))))
    assert out["extension"][1]["valueInteger"] == 2


# ---------------------------------------------------------------- errors and immutability


@pytest.mark.parametrize(
    ("body", "expression", "fragment"),
    [
        ({"resourceType": "Bundle"}, "Parameters", "Parameters resource"),
        (params({"name": "operation", "part": [{"name": "path", "valueString": "Location"}]}),
         "Parameters.parameter[0]", "'type'"),
        (params(op("remove", "Location.name")), "Parameters.parameter[0].part[0]", "unknown"),
        (params(op("replace", "Location.name")), "Parameters.parameter[0]", "'value'"),
        (params(op("delete", "Location.name"), op("add", "Location", value=("valueString", "x"))),
         "Parameters.parameter[1]", "'name'"),
        (params({"name": "operation", "part": [{"name": "type", "valueCode": "delete"}]}),
         "Parameters.parameter[0]", "'path'"),
        (params(op("delete", "Location.extension")), "Parameters.parameter[0].part[1]",
         "2 elements"),
        (params(op("delete", "Organization.name")), "Parameters.parameter[0].part[1]",
         "resource is a Location"),
        (params(op("delete", "Location.extension.exists()")), "Parameters.parameter[0].part[1]",
         "exists() is not supported"),
        (params(op("delete", "Location.name | Location.alias")),
         "Parameters.parameter[0].part[1]", "not supported"),
        (params(op("replace", "Location", value=("valueString", "x"))),
         "Parameters.parameter[0].part[1]", "resource itself"),
    ],
)
def test_invalid_patches_point_into_the_parameters(
    body: dict[str, Any], expression: str, fragment: str
) -> None:
    loc = location({"url": "https://x/a"}, {"url": "https://x/b"})
    with pytest.raises(InvalidInput) as exc:
        apply_patch(loc, body)
    issue = exc.value.issues[0]
    assert issue.expression == (expression,)
    assert fragment in issue.diagnostics


def test_value_part_without_value_is_reported_at_that_part() -> None:
    body = params({"name": "operation", "part": [
        {"name": "type", "valueCode": "replace"},
        {"name": "path", "valueString": "Location.name"},
        {"name": "value"},
    ]})
    with pytest.raises(InvalidInput) as exc:
        apply_patch(location(), body)
    assert exc.value.issues[0].expression == ("Parameters.parameter[0].part[2]",)


def test_input_resource_and_parameters_are_not_mutated() -> None:
    loc = location(capacity("01", 10), capacity("02", 3))
    body = params(
        op("replace", INDICATOR, value=("valueExtension", capacity("02", 7))),
        op("delete", "Location.extension[0]"),
        op("add", "Location", name=("valueString", "alias"), value=("valueString", "A")),
    )
    before, body_before = copy.deepcopy(loc), copy.deepcopy(body)
    out = apply_patch(loc, body)
    assert loc == before
    assert body == body_before
    assert out["extension"] == [capacity("02", 7)]
    out["alias"].append("B")
    assert body == body_before


def test_failing_operation_leaves_input_untouched() -> None:
    loc = location(capacity("01", 10))
    before = copy.deepcopy(loc)
    body = params(op("delete", "Location.extension[0]"),
                  op("replace", "Location.description", value=("valueString", "x")))
    with pytest.raises(PatchTargetMissing):
        apply_patch(loc, body)
    assert loc == before


def test_add_backbone_with_repeated_sub_parts() -> None:
    hs = {"resourceType": "HealthcareService", "name": "Cardio"}
    available = [
        {"name": "daysOfWeek", "valueCode": "mon"},
        {"name": "daysOfWeek", "valueCode": "tue"},
        {"name": "allDay", "valueBoolean": True},
    ]
    out = apply_patch(hs, params(op("add", "HealthcareService",
                                    name=("valueString", "availableTime"), value=available)))
    assert out["availableTime"] == [{"daysOfWeek": ["mon", "tue"], "allDay": True}]


def test_add_and_insert_need_an_existing_target() -> None:
    loc = location()
    with pytest.raises(PatchTargetMissing) as exc:
        apply_patch(loc, params(op("add", "Location.extension.where(url='https://x/a')",
                                   name=("valueString", "valueString"),
                                   value=("valueString", "x"))))
    assert exc.value.issues[0].expression == ("Location.extension.where(url='https://x/a')",)
    with pytest.raises(InvalidInput, match="primitive"):
        apply_patch(loc, params(op("add", "Location.name", name=("valueString", "id"),
                                   value=("valueString", "x"))))


def test_criteria_fhirpathpy_cannot_evaluate_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as exc:
        apply_patch(location({"url": "https://x/a"}),
                    params(op("delete", "Location.extension.where(nosuch())")))
    assert exc.value.issues[0].expression == ("Parameters.parameter[0].part[1]",)
