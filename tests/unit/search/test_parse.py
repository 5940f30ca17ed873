"""Parsing search requests: values, modifiers, composition, correlation, bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openror.errors import InvalidInput
from openror.search.model import (
    AllOf,
    AnyOf,
    Chain,
    Content,
    Correlated,
    DateValue,
    Has,
    Match,
    Missing,
    Near,
    NumberValue,
    ReferenceValue,
    StringValue,
    TokenValue,
)
from openror.search.parse import parse_query

R211 = ("https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/"
        "TRE-R211-ActiviteOperationnelle")


def items(rtype: str, *pairs: tuple[str, str]) -> tuple[object, ...]:
    return parse_query(rtype, list(pairs)).criteria.items


def test_token_forms() -> None:
    (m,) = items("HealthcareService", ("specialty", f"{R211}|227,|12,{R211}|,45"))
    assert isinstance(m, Match)
    assert m.values == (TokenValue(R211, "227"), TokenValue("", "12"), TokenValue(R211, None),
                        TokenValue(None, "45"))


def test_repeated_parameters_are_and_commas_are_or() -> None:
    found = items("HealthcareService", ("specialty", "1,2"), ("specialty", "3"))
    assert len(found) == 2 and all(isinstance(m, Match) for m in found)


def test_string_values_are_normalized_unless_exact() -> None:
    (m,) = items("HealthcareService", ("name", "Maternité  Niveau"))
    assert isinstance(m, Match) and m.values == (StringValue("maternite niveau"),)
    (m,) = items("HealthcareService", ("name:exact", "Maternité"))
    assert isinstance(m, Match) and m.values == (StringValue("Maternité"),)


def test_date_precision_and_prefix() -> None:
    (m,) = items("Location", ("_lastUpdated", "ge2023-08"))
    assert isinstance(m, Match)
    assert m.values == (DateValue("ge", "2023-08-01T00:00:00.000000",
                                  "2023-08-31T23:59:59.999999"),)
    (m,) = items("Location", ("_lastUpdated", "2023-08-02T10:00+02:00"))
    assert isinstance(m, Match) and isinstance(m.values[0], DateValue)
    assert m.values[0].low == "2023-08-02T08:00:00.000000"


def test_numbers_keep_their_precision_and_quantities_their_canonical_unit() -> None:
    (m,) = items("Location", ("nb-capacity", "100"))
    assert isinstance(m, Match)
    assert m.values == (NumberValue("eq", Decimal(100), Decimal("99.5"), Decimal("100.5")),)
    (m,) = items("HealthcareService", ("age-range-low", "le6|http://unitsofmeasure.org|mo"))
    assert isinstance(m, Match) and isinstance(m.values[0], NumberValue)
    assert m.values[0].unit == "s" and m.values[0].value == 6 * 2629800


def test_references_accept_id_type_and_url() -> None:
    (m,) = items("HealthcareService", ("organization", "a1,Organization/b2,"
                                       "https://x.fr/fhir/Organization/c3/_history/2"))
    assert isinstance(m, Match)
    assert m.values == (ReferenceValue("Organization", "a1"),
                        ReferenceValue("Organization", "b2"),
                        ReferenceValue("Organization", "c3"))


def test_grouped_parameters_are_correlated_through_a_chain() -> None:
    found = items("HealthcareService", ("location.capacity-status", "02"),
                  ("location.nb-capacity", "gt0"), ("location.address-postalcode", "71"))
    chains = [c for c in found if isinstance(c, Chain)]
    assert len(chains) == 2
    correlated = [c.inner for c in chains if isinstance(c.inner, Correlated)]
    assert len(correlated) == 1 and correlated[0].group == "capacity"
    assert {m.param.name for m in correlated[0].matches} == {"capacity-status", "nb-capacity"}


def test_negated_grouped_parameter_is_not_correlated() -> None:
    found = items("Location", ("capacity-status:not", "05"), ("capacity-type", "01"))
    assert all(isinstance(c, Match) for c in found)


def test_above_typed_chain_and_nested_has() -> None:
    (c,) = items("HealthcareService", ("organization:above.identifier", "010000001"))
    assert isinstance(c, Chain) and c.above and c.target == "Organization"
    (t,) = items("Task", ("focus:HealthcareService.identifier", "11/1"))
    assert isinstance(t, Chain) and t.target == "HealthcareService"
    (focus_any,) = items("Task", ("focus._tag", "11"))
    assert isinstance(focus_any, AnyOf) and len(focus_any.items) >= 4
    (h,) = items("HealthcareService",
                 ("_has:PractitionerRole:service:practitioner.identifier", "8100"))
    assert isinstance(h, Has) and isinstance(h.inner, Chain)


def test_near_content_missing_and_filter() -> None:
    (n,) = items("Location", ("near", "47.218|-1.637|15|km"))
    assert n == Near(47.218, -1.637, 15.0)
    (i,) = items("Location", ("near-insee-code", "44109|2|km"))
    assert isinstance(i, Near) and i.km == 2.0 and abs(i.lat - 47.2) < 0.2
    (c,) = items("HealthcareService", ("_content", "Cardio Pédiatrique"))
    assert c == Content(("cardio", "pediatrique"))
    (m,) = items("Location", ("name:missing", "true"))
    assert isinstance(m, Missing) and m.missing
    (f,) = items("HealthcareService", ("_filter", "(specialty eq 1 or 2) and name co cardio"))
    assert isinstance(f, AllOf) and isinstance(f.items[0], AnyOf)


@pytest.mark.parametrize(("pair", "expected"), [
    (("_lastUpdated", "ge2023-13-01"), "_lastUpdated"),
    (("nb-capacity", "gtten"), "nb-capacity"),
    (("near", "47|x|1|km"), "near"),
    (("near", "47|2|1|parsec"), "near"),
    (("near-insee-code", "99999|5|km"), "near-insee-code"),
    (("name:fuzzy", "x"), "name:fuzzy"),
    (("identifier:of-type", "sys|code"), "identifier:of-type"),
    (("_count", "many"), "_count"),
    (("_sort", "-colour"), "_sort"),
    (("_include", "HealthcareService:colour"), "_include"),
    (("_filter", "(name eq"), "_filter"),
    (("_has:PractitionerRole:service", "x"), "_has:PractitionerRole:service"),
])
def test_a_malformed_value_is_a_400_naming_the_parameter(pair: tuple[str, str],
                                                         expected: str) -> None:
    rtype = "Location" if pair[0].startswith(("near", "nb-", "_last")) else "HealthcareService"
    with pytest.raises(InvalidInput) as caught:
        parse_query(rtype, [pair])
    assert caught.value.issues[0].expression == (expected,)


def test_unknown_parameters_are_reported_or_refused() -> None:
    q = parse_query("HealthcareService", [("colour", "blue"), ("name", "x")])
    assert q.ignored == ("colour",) and len(q.criteria.items) == 1
    with pytest.raises(InvalidInput) as caught:
        parse_query("HealthcareService", [("colour", "blue")], strict=True)
    assert caught.value.issues[0].expression == ("colour",)


def test_result_parameters() -> None:
    q = parse_query("HealthcareService", [
        ("_count", "5000"), ("_sort", "-organization.price-validity-start-date,_id"),
        ("_include", "HealthcareService:organization"),
        ("_include:iterate", "Organization:partof"), ("_summary", "count"),
        ("_elements", "name,specialty")])
    assert q.count == 1000 and q.summary == "count"
    assert [k.path for k in q.sort] == [("organization", "price-validity-start-date"),
                                        ("_id",)]
    assert [(i.source, i.param, i.iterate) for i in q.includes] == [
        ("HealthcareService", "organization", False), ("Organization", "partof", True)]
    assert q.elements == ("name", "specialty")
