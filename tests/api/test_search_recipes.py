"""The golden query recipes of SPEC.md §3.5 (and the ``_filter`` examples of §3.4), over real
HTTP on each back-end, against the hand-written data set of ``search_fixture``.

Expected results are reasoned from the fixture (see the comments there), never computed by
the server. Searches run with ``Prefer: handling=strict`` so that a parameter the server
does not know is a 400, not a silently ignored criterion.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from tests.api.search_fixture import (
    FINESS,
    IDNAT_PS,
    OI,
    R13,
    R30,
    R211,
    R212,
    R213,
    R237,
    R240,
    R242,
    R244,
    R245,
    R246,
    R250,
    R329,
    R330,
    R331,
    R332,
    R333,
    R338,
    R340,
    UCUM,
    load,
)
from tests.conftest import LiveServer, wipe

Bundle = dict[str, Any]
Params = list[tuple[str, str]]

STRICT = {"Prefer": "handling=strict"}
FORM = "application/x-www-form-urlencoded"
DISTANCE = "http://hl7.org/fhir/StructureDefinition/location-distance"
GRAPH: Params = [
    ("_include", "HealthcareService:organization"),
    ("_include:iterate", "Organization:partof"),
    ("_include", "HealthcareService:location"),
    ("_revinclude", "PractitionerRole:service"),
    ("_include", "PractitionerRole:practitioner"),
]


@dataclass(frozen=True)
class Server:
    client: httpx.Client
    late: str  # lastUpdated of the first resource written after the base data set


@pytest.fixture(scope="module")
def server(live_server: LiveServer) -> Iterator[Server]:
    """The data set, loaded once per module and back-end (the tests only read)."""
    wipe(live_server.app.state.services.db)
    with live_server.client() as client:
        yield Server(client, load(client))


def search(server: Server, rtype: str, params: Params, *, post: bool = False) -> Bundle:
    """GET (or POST _search) in strict handling: a 200 searchset with no outcome entry."""
    if post:
        response = server.client.post(f"/{rtype}/_search", content=urlencode(params),
                                      headers={**STRICT, "Content-Type": FORM})
    else:
        response = server.client.get(f"/{rtype}", params=tuple(params), headers=STRICT)
    assert response.status_code == 200, response.text
    bundle: Bundle = response.json()
    assert bundle["type"] == "searchset"
    assert not [e for e in bundle.get("entry", []) if e["search"]["mode"] == "outcome"]
    return bundle


def matches(bundle: Bundle) -> list[str]:
    """Ids of the matches, in bundle order."""
    return [e["resource"]["id"] for e in bundle.get("entry", [])
            if e["search"]["mode"] == "match"]


def included(bundle: Bundle) -> set[str]:
    """``Type/id`` of the included resources (each must come once)."""
    keys = [f"{e['resource']['resourceType']}/{e['resource']['id']}"
            for e in bundle.get("entry", []) if e["search"]["mode"] == "include"]
    assert len(keys) == len(set(keys)), keys
    return set(keys)


def found(server: Server, rtype: str, params: Params) -> set[str]:
    """The ids the search matches (``total`` must agree)."""
    bundle = search(server, rtype, params)
    ids = matches(bundle)
    assert bundle["total"] == len(ids)
    return set(ids)


def km(entry: dict[str, Any]) -> float:
    """The location-distance extension of a search entry, checked, in km."""
    [ext] = [e for e in entry["search"].get("extension", []) if e["url"] == DISTANCE]
    distance = ext["valueDistance"]
    assert (distance["system"], distance["code"]) == (UCUM, "km")
    value: float = distance["value"]
    return value


# -- what and where ------------------------------------------------------------------------------

def test_offers_by_activity_with_the_offer_graph(server: Server) -> None:
    """specialty=R211|227: the two child-psychiatry offers, not 228; with their providers."""
    bundle = search(server, "HealthcareService", [("specialty", f"{R211}|227"), *GRAPH])
    assert set(matches(bundle)) == {"pedopsy-a-cmp", "pedopsy-b-hdj"}
    assert included(bundle) == {"Organization/eg-misc", "Organization/ej-misc"}


def test_type_and_modality(server: Server) -> None:
    """ITEP (R244 50) AND accueil séquentiel (R338 01) must hold together."""
    assert found(server, "HealthcareService", [
        ("service-category", f"{R244}|50"), ("characteristic", f"{R338}|01"),
    ]) == {"itep-seq"}


NEAR_CASES = [
    pytest.param("location.near-insee-code", "44162|15|km",
                 [("cardio-orvault", 5.27), ("cardio-nantes", 6.14), ("cardio-reze", 8.35)],
                 id="near-insee-code-15km"),
    pytest.param("location.near", "47.218|-1.637|15|km",
                 [("cardio-orvault", 6.01), ("cardio-nantes", 6.30), ("cardio-reze", 8.07)],
                 id="near-point-15km"),
    pytest.param("location.near-insee-code", "44162|50|km",
                 [("cardio-orvault", 5.27), ("cardio-nantes", 6.14), ("cardio-reze", 8.35),
                  ("cardio-stnazaire", 44.07)], id="near-insee-code-50km"),
]


@pytest.mark.parametrize(("name", "value", "expected"), NEAR_CASES)
def test_cardiology_near_nearest_first(server: Server, name: str, value: str,
                                       expected: list[tuple[str, float]]) -> None:
    """Cardiology (013) near Saint-Herblain: nearest first, each with its distance in km, on
    the offers and on their included places (haversine distances worked out beforehand from
    the fixture positions and the commune point of 44162, 47.2244 / -1.6344)."""
    bundle = search(server, "HealthcareService", [
        ("specialty", f"{R211}|013"), (name, value),
        ("_include", "HealthcareService:location")])
    entries = [e for e in bundle["entry"] if e["search"]["mode"] == "match"]
    assert [e["resource"]["id"] for e in entries] == [rid for rid, _ in expected]
    for entry, (_rid, distance) in zip(entries, expected, strict=True):
        assert km(entry) == pytest.approx(distance, abs=0.1)
    places = {e["resource"]["id"]: km(e) for e in bundle["entry"]
              if e["search"]["mode"] == "include"}
    assert set(places) == {"loc-" + rid.removeprefix("cardio-") for rid, _ in expected}
    for rid, distance in expected:
        assert places["loc-" + rid.removeprefix("cardio-")] == pytest.approx(distance, abs=0.1)


def test_departement_by_postcode_prefix(server: Server) -> None:
    """Postcode 71… (not 07100), EHPAD (21), hosting (46) and specialisation R245 24."""
    assert found(server, "HealthcareService", [
        ("location.address-postalcode", "71"), ("service-category", f"{R244}|21"),
        ("characteristic", f"{R213}|46"), ("characteristic", f"{R245}|24"),
    ]) == {"ehpad-macon"}


def test_commune_cog_with_comma_or(server: Server) -> None:
    """Bourges (18033) or Marseille 13e (13213), general practice (437), consultation (32)."""
    assert found(server, "HealthcareService", [
        ("location.commune-cog", f"{R13}|18033,13213"), ("specialty", f"{R211}|437"),
        ("characteristic", f"{R213}|32"),
    ]) == {"gp-bourges", "gp-marseille13"}


def test_intervention_zone(server: Server) -> None:
    """SAAD (R244 30) for daily-life help (293) serving Morlaix (29151)."""
    assert found(server, "HealthcareService", [
        ("intervention-zone", f"{R13}|29151"), ("service-category", f"{R244}|30"),
        ("specialty", f"{R211}|293"),
    ]) == {"saad-morlaix", "saad-pays"}


# -- who -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (f"{IDNAT_PS}|810000000001", {"cardio-nantes", "gp-bourges"}),
    ("810000000001", {"cardio-nantes", "gp-bourges"}),
    (f"{IDNAT_PS}|810000000003", {"gp-vannes"}),
    (f"{IDNAT_PS}|899999999999", set()),
])
def test_offers_of_a_professional(server: Server, value: str, expected: set[str]) -> None:
    """_has:PractitionerRole:service:practitioner.identifier: the offers they work in."""
    assert found(server, "HealthcareService", [
        ("_has:PractitionerRole:service:practitioner.identifier", value)]) == expected


@pytest.mark.parametrize(("name", "value", "expected"), [
    pytest.param("organization:above.identifier", f"{FINESS}|440000011",
                 {"cardio-nantes", "cardio-orvault", "cardio-reze", "cardio-stnazaire"},
                 id="EJ-above"),
    pytest.param("organization:above.identifier", f"{FINESS}|440000029",
                 {"cardio-nantes", "cardio-orvault", "cardio-reze"}, id="EG-above"),
    pytest.param("organization:above.identifier", f"{OI}|52/OI-0001",
                 {"cardio-nantes", "cardio-reze"}, id="pole-above"),
    pytest.param("organization.identifier", f"{FINESS}|440000011", set(), id="EJ-direct"),
    pytest.param("organization.identifier", f"{FINESS}|440000029", {"cardio-orvault"},
                 id="EG-direct"),
])
def test_offers_of_an_establishment(server: Server, name: str, value: str,
                                    expected: set[str]) -> None:
    """organization:above: offers of the organisation and of everything below it
    (EJ > EG > pôle > UF); without :above, only those it provides itself."""
    assert found(server, "HealthcareService", [(name, value)]) == expected


# -- capacity and equipment --------------------------------------------------------------------

AVAILABLE_FEMALE_BED: Params = [
    ("specialty", f"{R211}|356"),
    ("location.capacity-type", f"{R329}|01"),
    ("location.gender-capacity-available", f"{R332}|01"),
    ("location.temporality-capacity", f"{R331}|01"),
    ("location.capacity-status", f"{R330}|02"),
    ("location.nb-capacity", "gt0"),
]


@pytest.mark.parametrize("post", [False, True], ids=["GET", "POST"])
def test_available_female_bed_is_one_capacity_record(server: Server, post: bool) -> None:
    """Only loc-usinv-ok has one record that is a current, available, female bed with a
    count > 0; loc-usinv-spread has every property, but spread over several records."""
    bundle = search(server, "HealthcareService",
                    [*AVAILABLE_FEMALE_BED, ("_include", "HealthcareService:location")],
                    post=post)
    assert matches(bundle) == ["usinv-ok"]
    assert included(bundle) == {"Location/loc-usinv-ok"}


@pytest.mark.parametrize("criterion", AVAILABLE_FEMALE_BED[1:], ids=lambda c: c[0])
def test_the_capacity_decoy_meets_each_criterion_alone(server: Server,
                                                       criterion: tuple[str, str]) -> None:
    """The decoy is a real one: each capacity criterion alone finds it."""
    assert "usinv-spread" in found(server, "HealthcareService",
                                   [("specialty", f"{R211}|356"), criterion])


def test_closed_reopenable_beds(server: Server) -> None:
    """Closed (05) re-openable (R333 01) beds, count > 0, in one record."""
    assert found(server, "HealthcareService", [
        ("specialty", f"{R211}|356"),
        ("location.capacity-closing-type", f"{R333}|01"),
        ("location.capacity-status", f"{R330}|05"),
        ("location.nb-capacity", "gt0"),
    ]) == {"usinv-ok"}


EQUIPMENT: Params = [
    ("specialty", f"{R211}|025"),
    ("location.equipment-type", f"{R212}|088"),
    ("location.equipment-feature", f"{R340}|001"),
    ("location.limit-value", f"ge200|{UCUM}|kg"),
]


def test_equipment_with_a_weight_limit(server: Server) -> None:
    """A bariatric table (088) bearing >= 200 kg (250 kg, or 220 000 g): not 150 kg, not a
    300 kg limit of another equipment of the place."""
    got = found(server, "HealthcareService", EQUIPMENT)
    assert got == {"ortho-250", "ortho-grams"}


def test_equipment_limit_is_one_limit_record(server: Server) -> None:
    """The feature and its value must come from the same limit of the equipment."""
    assert "ortho-two-limits" not in found(server, "HealthcareService", EQUIPMENT)


# -- tariffs -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("sort", "expected"), [
    ("-organization.price-validity-start-date", ["tarif-c", "tarif-a", "tarif-b"]),
    ("organization.price-validity-start-date", ["tarif-b", "tarif-a", "tarif-c"]),
])
def test_tariffs_below_an_amount_sorted_by_start_date(server: Server, sort: str,
                                                      expected: list[str]) -> None:
    """Type-02 price under 80 € (in the same price record), by validity start date:
    tarif-c 2025, tarif-a 2024, tarif-b 2023; not tarif-d (90 €) nor tarif-e (spread)."""
    bundle = search(server, "HealthcareService", [
        ("organization.price-type", f"{R246}|02"),
        ("organization.price-amount-value", "lt80"), ("_sort", sort)])
    assert matches(bundle) == expected


@pytest.mark.parametrize(("sort", "expected"), [
    ("-organization.price-validity-start-date",
     ["tarif-d", "tarif-e", "tarif-c", "tarif-a", "tarif-b"]),
    ("organization.price-validity-start-date",
     ["tarif-b", "tarif-a", "tarif-c", "tarif-e", "tarif-d"]),
])
def test_tariffs_sorted_by_start_date(server: Server, sort: str, expected: list[str]) -> None:
    """The sort of the tariff recipe, without the amount: 2025-06 (d), 2025-03 (e),
    2025-01 (c), 2024 (a), 2023 (b)."""
    bundle = search(server, "HealthcareService", [
        ("organization.price-type", f"{R246}|02"), ("_sort", sort)])
    assert matches(bundle) == expected


def test_tariff_conditions(server: Server) -> None:
    """Residential type, special price, dependency level and welcome type on the type-02
    price: tarif-a; tarif-e has them on its type-01 price only."""
    assert found(server, "HealthcareService", [
        ("organization.price-type", f"{R246}|02"),
        ("organization.price-residential-type", f"{R242}|03"),
        ("organization.special-price", f"{R250}|03"),
        ("organization.price-dependency-level", f"{R237}|02"),
        ("organization.price-welcome-type", f"{R240}|02"),
    ]) == {"tarif-a"}


# -- full text ---------------------------------------------------------------------------------

CARDIO_RANKED = ["service-cardiologie",  # in the name
                 # label only (« Cardiologie générale »), then by id
                 "cardio-bourges", "cardio-nantes", "cardio-orvault", "cardio-reze",
                 "cardio-stnazaire"]
PEDOPSY_RANKED = ["pedopsy-b-hdj",  # « Hôpital de jour pédopsychiatrique »
                  "pedopsy-a-cmp", "psy-ado"]  # labels of 227 and 228


@pytest.mark.parametrize(("text", "expected"), [
    ("cardio", CARDIO_RANKED),
    ("CARDIOLOGIE", CARDIO_RANKED),
    ("pedopsy", PEDOPSY_RANKED),
    ("Pédopsychiatr", PEDOPSY_RANKED),
])
def test_full_text_ranks_names_before_labels(server: Server, text: str,
                                             expected: list[str]) -> None:
    """_content: case- and accent-insensitive word prefixes of names and of the labels of
    coded values; a name match (weight 4) ranks before a label-only match (weight 2)."""
    bundle = search(server, "HealthcareService", [("_content", text)])
    assert matches(bundle) == expected
    scores = [e["search"]["score"] for e in bundle["entry"] if e["search"]["mode"] == "match"]
    assert scores[0] > scores[1]
    assert len(set(scores[1:])) == 1


# -- Location-centric capacity consultation ------------------------------------------------------

LATE = "{late}"


@pytest.mark.parametrize(("name", "value", "places", "offers"), [
    pytest.param("_tag", "52",
                 {"loc-orvault", "loc-nantes", "loc-reze", "loc-stnazaire", "loc-late-1"},
                 {"cardio-orvault", "cardio-nantes", "gp-nantes", "cardio-reze",
                  "cardio-stnazaire", "late-offer"}, id="tag-code"),
    pytest.param("_tag", f"{R30}|24", {"loc-bourges", "loc-late-2"},
                 {"gp-bourges", "gp-bourges-care", "cardio-bourges"}, id="tag-system-code"),
    pytest.param("identifier", "52/192675", {"loc-orvault"}, {"cardio-orvault"},
                 id="identifier"),
    pytest.param("identifier", "52/192675,52/192676", {"loc-orvault", "loc-nantes"},
                 {"cardio-orvault", "cardio-nantes", "gp-nantes"}, id="identifier-or"),
    pytest.param("_id", "loc-bourges,loc-macon", {"loc-bourges", "loc-macon"},
                 {"gp-bourges", "gp-bourges-care", "cardio-bourges", "ehpad-macon",
                  "ehpad-macon-plain"}, id="id-or"),
    pytest.param("_lastUpdated", "ge" + LATE, {"loc-late-1", "loc-late-2"}, {"late-offer"},
                 id="lastUpdated"),
])
def test_places_with_their_offers(server: Server, name: str, value: str, places: set[str],
                                  offers: set[str]) -> None:
    """Location?…&_revinclude=HealthcareService:location: the places and the offers there."""
    bundle = search(server, "Location", [(name, value.replace(LATE, server.late)),
                                         ("_revinclude", "HealthcareService:location")])
    assert set(matches(bundle)) == places
    assert included(bundle) == {f"HealthcareService/{rid}" for rid in offers}


# -- anomalies ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "value", "expected"), [
    ("identifier", "ANO-3", {"task-orvault"}),
    ("focus:HealthcareService.identifier", "52/cardio-reze", {"task-reze-1", "task-reze-2"}),
    ("focus:HealthcareService._tag", f"{R30}|11",
     {"task-reze-1", "task-reze-2", "task-orvault"}),
    ("focus:Organization.identifier", f"{FINESS}|440000029", {"task-org"}),
])
def test_anomalies(server: Server, name: str, value: str, expected: set[str]) -> None:
    """Task by identifier, and by the offer (or organisation) in anomaly."""
    assert found(server, "Task", [(name, value)]) == expected


def test_offers_with_their_anomalies(server: Server) -> None:
    """HealthcareService?identifier=…&_revinclude=Task:focus: the tasks on those offers only."""
    bundle = search(server, "HealthcareService", [
        ("identifier", "52/cardio-reze,52/cardio-orvault"), ("_revinclude", "Task:focus")])
    assert set(matches(bundle)) == {"cardio-reze", "cardio-orvault"}
    assert included(bundle) == {"Task/task-reze-1", "Task/task-reze-2", "Task/task-orvault"}


# -- the full offer graph ------------------------------------------------------------------------

@pytest.mark.parametrize(("offer", "expected"), [
    ("cardio-nantes", {
        "Organization/uf-coro", "Organization/oi-pole-cardio", "Organization/eg-chu-nord",
        "Organization/ej-chu", "Location/loc-nantes",
        "PractitionerRole/role-martin-cardio", "PractitionerRole/role-durand-cardio",
        "Practitioner/pract-martin", "Practitioner/pract-durand"}),
    ("gp-bourges", {
        "Organization/eg-misc", "Organization/ej-misc", "Location/loc-bourges",
        "PractitionerRole/role-martin-gp", "Practitioner/pract-martin"}),
])
def test_full_offer_graph(server: Server, offer: str, expected: set[str]) -> None:
    """Provider and all its ancestors, places, roles in the offer and their professionals;
    not the professional's other roles, nor sibling organisations."""
    bundle = search(server, "HealthcareService", [("identifier", f"52/{offer}"), *GRAPH])
    assert matches(bundle) == [offer]
    assert included(bundle) == expected


# -- _filter -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("expression", "expected"), [
    pytest.param(f"(specialty eq {R211}|005 or {R211}|481)", {"allergo", "gp-allergo"},
                 id="specialty-or"),
    pytest.param('(location.address-postalcode eq "22" or "29")', {"allergo", "gp-allergo"},
                 id="postalcode-eq-departement"),
    pytest.param('(location.address-postalcode eq "22000" or "29200")',
                 {"allergo", "gp-allergo"}, id="postalcode-eq-whole"),
    pytest.param('(location.address-postalcode sw "22" or "29")', {"allergo", "gp-allergo"},
                 id="postalcode-sw-departement"),
    pytest.param(f"((service-category eq {R244}|102) or (specialty eq {R211}|233)) and "
                 f"(age-range-low le 35|{UCUM}|a and age-range-high ge 35|{UCUM}|a)",
                 {"service-cardiologie", "smr-loco-adult", "readapt-adult"}, id="age-35"),
    pytest.param("(_content=cardio or location._content=cardio)",
                 {*CARDIO_RANKED, "ortho-250", "gyneco-250"}, id="content-or-place-content"),
    pytest.param(f"(_lastUpdated ge {LATE} or organization._lastUpdated:above ge {LATE})",
                 {"late-offer", "cardio-reze", "cardio-nantes"}, id="delta-above"),
])
def test_filter(server: Server, expression: str, expected: set[str]) -> None:
    """_filter examples of SPEC.md §3.4, chained from HealthcareService where needed."""
    assert found(server, "HealthcareService",
                 [("_filter", expression.replace(LATE, server.late))]) == expected
