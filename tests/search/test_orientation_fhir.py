"""``HealthcareService/$orientation`` over HTTP (both databases): the orientation of
``/api/orientation`` as a FHIR searchset Bundle — same offers in the same order, the score in
``search.score``, the distance and the explanation as extensions of ``entry.search``, why a
named offer is missing as an ``outcome`` entry, includes, and the caller's read policy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from openror.access import ror_headers as ror
from openror.api.orientation_bundle import EXPLANATION_URL, WHY_NOT_STAGES, explanation_extension
from openror.api.orientation_fhir import DEFINITION
from openror.api.search_bundle import DISTANCE_EXT
from openror.config import Settings
from openror.search.orientation.model import Availability, Candidate, Opening, Ranked
from openror.store.freshness import FRESHNESS_URL
from tests.conftest import LiveServer, wipe
from tests.search.test_orientation_ranking import VERSAILLES, offer, place, world

FHIR = {"Content-Type": "application/fhir+json"}
OPERATION = "/fhir/HealthcareService/$orientation"
CARDIO = {"q": "cardio", "commune": "78646", "age": "45"}


def secret_offer() -> list[dict[str, Any]]:
    """A cardiology unit flagged sensitive, in a place of its own (what hangs off it is
    hidden too): profiles 1 and 4 only may see them."""
    body = offer("cardio-secret", "013", "p-secret")
    body["extension"][0]["valueBoolean"] = True
    return [place("p-secret", VERSAILLES), body]


@pytest.fixture(scope="module")
def clients(live_server: LiveServer) -> Iterator[dict[int, httpx.Client]]:
    """The ranking tests' world and a sensitive offer, written once; a client of access
    profile 1 (sees everything) and one of profile 0 (open data)."""
    services = live_server.app.state.services
    wipe(services.db)
    made = services.clients.add("open data", 0)
    token = services.clients.authenticate(made.client_id, made.client_secret).access_token
    with live_server.client("") as one, httpx.Client(
            base_url=live_server.url, timeout=30,
            headers={"Authorization": f"Bearer {token}"}) as zero:
        for body in [*world(), *secret_offer()]:
            one.put(f"/fhir/{body['resourceType']}/{body['id']}", json=body,
                    headers=FHIR).raise_for_status()
        yield {1: one, 0: zero}


def both(client: httpx.Client, params: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON answer and the Bundle of the same query."""
    plain, bundle = client.get("/api/orientation", params=params), client.get(OPERATION,
                                                                                params=params)
    assert plain.status_code == 200, plain.text
    assert bundle.status_code == 200, bundle.text
    assert bundle.headers["content-type"].startswith("application/fhir+json")
    return plain.json(), bundle.json()


def matches(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in bundle["entry"] if e["search"]["mode"] == "match"]


def extension(search: dict[str, Any], url: str) -> dict[str, Any]:
    found = [x for x in search.get("extension", []) if x["url"] == url]
    assert len(found) == 1, (url, search)
    return found[0]


def parts(ext: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [x for x in ext["extension"] if x["url"] == name]


def value(ext: dict[str, Any], name: str) -> Any:
    found = parts(ext, name)
    if not found:
        return None
    return next(v for k, v in found[0].items() if k.startswith("value"))


QUERIES = [
    CARDIO,
    {"q": "cardio", "commune": "78646", "age": "8"},
    {"q": "kiné pédiatrique", "commune": "78646"},
    {"activity": "100", "q": "maternité niveau 3", "postalCode": "78000"},
    {"q": "ophtalmo", "lat": "48.80", "lon": "2.13"},  # rare: national at once
    {"q": "cardio", "commune": "78646", "count": "2"},
    {"q": "cardio", "commune": "78646", "careMode": "29"},  # nothing fits
]


@pytest.mark.parametrize("profile", [1, 0])
@pytest.mark.parametrize("params", QUERIES)
def test_the_bundle_is_the_json_answer(clients: dict[int, httpx.Client], profile: int,
                                       params: dict[str, str]) -> None:
    plain, bundle = both(clients[profile], params)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    found = matches(bundle)
    assert [e["resource"]["id"] for e in found] == [r["id"] for r in plain["results"]]
    assert bundle["total"] == len(plain["results"]) == len(bundle["entry"])
    for entry, result in zip(found, plain["results"], strict=True):
        assert entry["resource"]["resourceType"] == "HealthcareService"
        assert entry["fullUrl"].endswith(f"/fhir/HealthcareService/{result['id']}")
        assert entry["search"]["score"] == result["score"]
        distance = extension(entry["search"], DISTANCE_EXT)
        assert distance["valueDistance"]["unit"] == distance["valueDistance"]["code"] == "km"
        assert distance["valueDistance"]["system"] == "http://unitsofmeasure.org"
        assert abs(distance["valueDistance"]["value"] - result["distance_km"]) <= 0.0051
        why = extension(entry["search"], EXPLANATION_URL)
        assert value(why, "text") == result["explanation"]["text"]
        assert [(value(c, "code"), value(c, "text")) for c in parts(why, "criterion")] == [
            (c["criterion"], c["text"]) for c in result["explanation"]["criteria"]]
        availability = parts(why, "availability")[0]
        expected = result["availability"]
        assert value(availability, "available") == expected["available"]
        assert value(availability, "updated") == expected["updated"]
        assert value(availability, "stale") is expected["stale"]


def test_scores_and_distances_of_a_known_answer(clients: dict[int, httpx.Client]) -> None:
    bundle = clients[1].get(OPERATION, params=CARDIO).json()
    ids = [e["resource"]["id"] for e in matches(bundle)]
    assert ids == ["cardio-sgl", "cardio-secret", "cardio-versailles", "cardio-chartres"]
    first = matches(bundle)[0]["search"]
    assert 0 < first["score"] <= 1
    assert 15 < extension(first, DISTANCE_EXT)["valueDistance"]["value"] < 16
    why = extension(first, EXPLANATION_URL)
    assert value(why, "text").startswith("Cardiologie générale; à 15,4 km")
    assert value(parts(why, "availability")[0], "available") == 3
    assert value(parts(why, "availability")[0], "stale") is False


def test_a_hidden_offer_stays_hidden_for_open_data(clients: dict[int, httpx.Client]) -> None:
    params = CARDIO | {"count": "20", "explain": "cardio-secret"}
    assert "cardio-secret" in {e["resource"]["id"] for e in
                               matches(clients[1].get(OPERATION, params=params).json())}
    plain, bundle = both(clients[0], params)
    ids = [e["resource"]["id"] for e in matches(bundle)]
    assert ids == [r["id"] for r in plain["results"]]
    assert sorted(ids) == ["cardio-chartres", "cardio-sgl", "cardio-versailles"]
    assert "cardio-secret" not in str(bundle["entry"][:-1])
    issue = bundle["entry"][-1]["resource"]["issue"][0]
    assert issue["details"]["coding"][0]["code"] == "unknown"  # not told apart from absent
    # and what open data may not see of a place is not in the answer either
    first = matches(bundle)[0]["search"]
    assert value(parts(extension(first, EXPLANATION_URL), "availability")[0],
                 "available") is None


def test_why_not_is_an_outcome_entry(clients: dict[int, httpx.Client]) -> None:
    bundle = clients[1].get(OPERATION, params=CARDIO | {"explain": "cardio-child"}).json()
    last = bundle["entry"][-1]
    assert last["search"] == {"mode": "outcome"}
    outcome = last["resource"]
    assert outcome["resourceType"] == "OperationOutcome"
    issue = outcome["issue"][0]
    assert issue["severity"] == "information" and issue["expression"] == ["explain"]
    assert issue["details"]["coding"] == [{"system": WHY_NOT_STAGES, "code": "filters"}]
    assert issue["diagnostics"].startswith("cardio-child : écartée par un critère impératif "
                                           "(age)")
    assert bundle["total"] == len(matches(bundle)) == 4
    plain = clients[1].get(OPERATION, params=CARDIO).json()
    assert all(e["search"]["mode"] == "match" for e in plain["entry"])


def test_includes_bring_places_and_sites(clients: dict[int, httpx.Client]) -> None:
    bundle = clients[1].get(OPERATION, params=CARDIO | {
        "_include": "HealthcareService:location",
        "_count": "2"}).json()
    included = [e for e in bundle["entry"] if e["search"]["mode"] == "include"]
    assert [e["resource"]["id"] for e in matches(bundle)] == ["cardio-sgl", "cardio-secret"]
    assert sorted(e["resource"]["id"] for e in included) == ["p-secret", "p-sgl"]
    sgl = next(e for e in included if e["resource"]["id"] == "p-sgl")
    assert sgl["fullUrl"].endswith("/fhir/Location/p-sgl")
    km = extension(sgl["search"], DISTANCE_EXT)["valueDistance"]["value"]
    offer_km = extension(matches(bundle)[0]["search"], DISTANCE_EXT)
    assert abs(km - offer_km["valueDistance"]["value"]) < 0.002
    assert any(x["url"] == FRESHNESS_URL for x in sgl["resource"]["extension"])
    assert bundle["total"] == 2
    both_kinds = clients[1].get(OPERATION, params=[
        *CARDIO.items(), ("_include", "HealthcareService:location"),
        ("_include", "HealthcareService:organization")]).json()
    assert {(e["resource"]["resourceType"], e["resource"]["id"]) for e in both_kinds["entry"]
            if e["search"]["mode"] == "include"} == {
        ("Location", "p-sgl"), ("Location", "p-secret"), ("Location", "p-versailles"),
        ("Location", "p-chartres"), ("Organization", "eg")}


def test_open_data_includes_no_capacity_figures(clients: dict[int, httpx.Client]) -> None:
    bundle = clients[0].get(OPERATION, params=CARDIO | {
        "_include": "HealthcareService:location"}).json()
    places = {e["resource"]["id"]: e["resource"] for e in bundle["entry"]
              if e["search"]["mode"] == "include"}
    assert "p-sgl" in places
    assert not any("capacity" in x["url"] for x in places["p-sgl"].get("extension", []))


def test_post_with_parameters_or_a_form(clients: dict[int, httpx.Client]) -> None:
    got = clients[1].get(OPERATION, params=CARDIO | {"count": "3"}).json()
    ids = [e["resource"]["id"] for e in matches(got)]
    assert len(ids) == 3
    parameters = {"resourceType": "Parameters", "parameter": [
        {"name": "q", "valueString": "cardio"}, {"name": "commune", "valueCode": "78646"},
        {"name": "age", "valueDecimal": 45}, {"name": "_count", "valueInteger": 3}]}
    posted = clients[1].post(OPERATION, json=parameters, headers=FHIR)
    assert posted.status_code == 200, posted.text
    assert [e["resource"]["id"] for e in matches(posted.json())] == ids
    assert posted.json()["link"][0]["url"].endswith(
        "/fhir/HealthcareService/$orientation?q=cardio&commune=78646&age=45&_count=3")
    form = clients[1].post(OPERATION, data=CARDIO | {"count": "3"})
    assert form.status_code == 200, form.text
    assert [e["resource"]["id"] for e in matches(form.json())] == ids


def test_self_link_carries_the_parameters(clients: dict[int, httpx.Client]) -> None:
    bundle = clients[1].get(OPERATION, params=CARDIO).json()
    assert bundle["link"] == [{"relation": "self", "url": bundle["link"][0]["url"]}]
    assert bundle["link"][0]["url"].endswith(
        "/fhir/HealthcareService/$orientation?q=cardio&commune=78646&age=45")


@pytest.mark.parametrize(("params", "expression"), [
    ({"commune": "78646"}, "activity"),
    ({"q": "cardio"}, "commune"),
    ({"q": "cardio", "commune": "99999"}, "commune"),
    ({"q": "cardio", "commune": "78646", "age": "old"}, "age"),
    ({"q": "cardio", "commune": "78646", "radius": "5"}, "radius"),
    ({"q": "cardio", "commune": "78646", "_sort": "name"}, "_sort"),
    ({"q": "cardio", "commune": "78646", "count": "0"}, "count"),
    ({"q": "cardio", "commune": "78646", "_count": "500"}, "_count"),
    ({"q": "cardio", "commune": "78646", "_count": "2", "count": "2"}, "_count"),
    ({"q": "cardio", "commune": "78646", "_include": "HealthcareService:nope"}, "_include"),
])
def test_bad_input_is_the_json_apis_400(clients: dict[int, httpx.Client],
                                        params: dict[str, str], expression: str) -> None:
    reply = clients[1].get(OPERATION, params=params)
    assert reply.status_code == 400
    assert reply.json()["resourceType"] == "OperationOutcome"
    assert reply.json()["issue"][0]["expression"] == [expression]
    if not expression.startswith("_"):  # the JSON API says the same
        plain = clients[1].get("/api/orientation", params=params).json()
        assert plain["issue"][0]["expression"] == [expression]


@pytest.mark.parametrize(("body", "expression"), [
    ({"resourceType": "Patient"}, "resourceType"),
    ({"resourceType": "Parameters", "parameter": [{"name": "q"}]},
     "Parameters.parameter[0]"),
    ({"resourceType": "Parameters", "parameter": [
        {"name": "q", "valueString": "cardio"}, {"name": "commune", "valueCode": "78646"},
        {"name": "radius", "valueInteger": 5}]}, "radius"),
])
def test_bad_parameters_resource(clients: dict[int, httpx.Client], body: dict[str, Any],
                                 expression: str) -> None:
    reply = clients[1].post(OPERATION, json=body, headers=FHIR)
    assert reply.status_code == 400
    assert reply.json()["issue"][0]["expression"] == [expression]


def test_the_capability_statement_declares_the_operation(
        clients: dict[int, httpx.Client]) -> None:
    statement = clients[0].get("/fhir/metadata").json()
    offers = next(r for r in statement["rest"][0]["resource"]
                  if r["type"] == "HealthcareService")
    assert ("orientation", DEFINITION) in [(o["name"], o["definition"])
                                           for o in offers["operation"]]


def test_a_posted_orientation_is_an_audited_read(live_server: LiveServer,
                                                 clients: dict[int, httpx.Client]) -> None:
    assert clients[1].post(OPERATION, data=CARDIO).status_code == 200
    trail = clients[1].get("/-/audit", params={"client": live_server.client_id})
    assert trail.status_code == 200, trail.text
    latest = trail.json()["entries"][0]
    assert (latest["method"], latest["path"], latest["status"]) == (
        "POST", "/fhir/HealthcareService/$orientation", 200)


def test_opening_hours_in_the_explanation() -> None:
    paris = timezone(timedelta(hours=1))
    ranked = Ranked(Candidate("kine", {}, 1.0), 0.9, 1.0, 1.0, Availability(None, None, False),
                    0.25, opening=Opening(False, datetime(2026, 11, 30, 8, 30, tzinfo=paris),
                                          "fermé, ouvre lundi à 8 h 30"))
    ext = explanation_extension(ranked, {"text": "Kinésithérapie.", "criteria": []})
    opening = parts(ext, "opening")[0]
    assert value(opening, "openNow") is False
    assert value(opening, "nextOpening") == "2026-11-30T08:30:00+01:00"
    assert value(opening, "text") == "fermé, ouvre lundi à 8 h 30"
    assert [p["url"] for p in parts(ext, "availability")[0]["extension"]] == ["stale"]
    closed = explanation_extension(Ranked(Candidate("x", {}, None), 0.5, 0.5, 1.0,
                                          Availability(2, datetime(2026, 11, 26, 7, 52), True),
                                          0.5), {"text": "x", "criteria": []})
    assert not parts(closed, "opening")
    assert value(parts(closed, "availability")[0], "updated") == "2026-11-26T07:52:00Z"


@pytest.fixture(scope="module")
def headers_required(database_url: str, tmp_path_factory: pytest.TempPathFactory
                     ) -> Iterator[LiveServer]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("ror"), database_url=database_url,
                        log_level="WARNING", ror_headers=ror.REQUIRED)
    with LiveServer(settings) as live:
        yield live


def test_a_posted_orientation_is_a_read_for_the_ror_headers(
        headers_required: LiveServer) -> None:
    with headers_required.client("") as client:
        answer = client.post(OPERATION, data=CARDIO)
    assert answer.status_code == 400, answer.text
    assert answer.json()["issue"][0]["code"] == "required"
