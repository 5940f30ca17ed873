"""The closed list of capacity indicators: valid combinations pass, anything else is refused
with a business-rule issue naming the wrong attribute."""

from __future__ import annotations

from typing import Any

import pytest

from openror.fhir import capacity_indicators as ci

URL = ci.URL


def record(status: str, temporality: str = "01", nature: str = "01", count: int = 3,
           **extra: str) -> dict[str, Any]:
    def coded(name: str, code: str) -> dict[str, Any]:
        return {"url": name, "valueCodeableConcept": {"coding": [{"code": code}]}}
    parts = [coded("capacityType", nature), coded("capacityStatus", status),
             coded("temporalityCapacity", temporality), {"url": "nbCapacity",
                                                           "valueInteger": count},
             coded("capacitySourceType", "02"),
             {"url": "capacityUpdateDate", "valueDateTime": "2026-11-25T08:00:00Z"},
             coded("temporaryAssignement", extra.pop("assignment", "01"))]
    parts += [coded(name, code) for name, code in extra.items()]
    return {"url": URL, "extension": parts}


def place(*records: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Location", "extension": list(records)}


def test_the_usual_indicators_of_a_unit_are_valid() -> None:
    unit = place(record("01"), record("02", genderCapacityAvailable="01"),
                 record("02", genderCapacityAvailable="02"), record("02", "03"),
                 record("03"), record("05", capacityClosingType="01"),
                 record("06", additionalBedType="03", crisisType="02"),
                 record("01", nature="02"))
    assert ci.place_issues(unit) == []


@pytest.mark.parametrize(("bad", "attribute"), [
    (record("05"), "capacityClosingType"),                              # closed: which kind?
    (record("01", capacityClosingType="01"), "capacityClosingType"),    # installed, closed?
    (record("01", "03"), "temporalityCapacity"),                        # installed in 24 h
    (record("06", crisisType="02"), "additionalBedType"),
    (record("02", genderCapacityAvailable="07"), "genderCapacityAvailable"),
    (record("03", genderCapacityAvailable="01"), "genderCapacityAvailable"),
    (record("02", assignment="09"), "temporaryAssignement"),
])
def test_an_invalid_combination_names_the_wrong_attribute(bad: dict[str, Any],
                                                          attribute: str) -> None:
    issues = ci.place_issues(place(record("01"), bad))
    assert [i.code for i in issues] == ["business-rule"]
    assert issues[0].expression[0] == f"Location.extension('{URL}').extension('{attribute}')"
    assert issues[0].expression[1] == f"Location.extension[1].extension('{attribute}')"
    assert attribute in issues[0].diagnostics


def test_an_unknown_status_and_a_negative_count_are_refused() -> None:
    issues = ci.place_issues(place(record("09"), record("01", count=-2)))
    assert [i.expression[0].rsplit("'", 2)[-2] for i in issues] == ["capacityStatus",
                                                                   "nbCapacity"]


def test_a_place_holds_each_indicator_once() -> None:
    unit = place(record("02", genderCapacityAvailable="01"), record("01"),
                 record("02", genderCapacityAvailable="01", count=7),
                 record("02", genderCapacityAvailable="01", nature="02"))
    issues = ci.place_issues(unit)
    assert len(issues) == 1
    assert issues[0].expression == (f"Location.extension('{URL}')", "Location.extension[2]")
    assert "Location.extension[0]" in issues[0].diagnostics


def test_every_listed_indicator_is_valid_and_distinct() -> None:
    every = ci.every_indicator()
    assert all(ci.is_valid(values) for values in every)
    assert len({tuple(sorted((k, v or "") for k, v in values.items())) for values in every}) \
        == len(every)
    # availability: 5 temporalities x (no gender + 4 genders) x 3 assignments
    assert sum(1 for v in every if v["capacityStatus"] == "02") == 75
