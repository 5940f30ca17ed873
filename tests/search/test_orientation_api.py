"""``GET /api/orientation`` over HTTP (both databases): ranked JSON results with distance,
score, availability and explanation; bad input is a 400 naming the parameter."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import LiveServer, wipe
from tests.search.test_orientation_ranking import world

FHIR = {"Content-Type": "application/fhir+json"}


@pytest.fixture(scope="module")
def loaded(live_server: LiveServer) -> Iterator[httpx.Client]:
    """The ranking tests' world, written through the FHIR API once for the module."""
    wipe(live_server.app.state.services.db)
    with live_server.client("") as client:
        for body in world():
            client.put(f"/fhir/{body['resourceType']}/{body['id']}", json=body,
                       headers=FHIR).raise_for_status()
        yield client


def test_ranked_results_with_explanations(loaded: httpx.Client) -> None:
    reply = loaded.get("/api/orientation", params={
        "q": "cardio", "commune": "78646", "age": "45", "explain": "cardio-child"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert [r["id"] for r in body["results"]] == ["cardio-sgl", "cardio-versailles",
                                                  "cardio-chartres"]
    first = body["results"][0]
    assert first["site"]["reference"] == "Organization/eg"
    assert 15 < first["distance_km"] < 16 and 0 < first["score"] <= 1
    assert first["availability"]["available"] == 3 and first["availability"]["stale"] is False
    assert first["explanation"]["text"].startswith("Cardiologie générale; à 15,4 km")
    assert body["whyNot"]["stage"] == "filters"
    assert [a["code"] for a in body["need"]["activities"]] == ["013", "014"]


def test_codes_and_a_postal_code(loaded: httpx.Client) -> None:
    body = loaded.get("/api/orientation", params={
        "activity": "100", "q": "maternité niveau 3", "postalCode": "78000"}).json()
    assert [r["id"] for r in body["results"]] == ["mater-3"]


@pytest.mark.parametrize(("params", "expression"), [
    ({"commune": "78646"}, "activity"),
    ({"q": "cardio"}, "commune"),
    ({"q": "cardio", "commune": "99999"}, "commune"),
    ({"q": "cardio", "lat": "48.8"}, "lon"),
    ({"q": "cardio", "commune": "78646", "age": "old"}, "age"),
    ({"q": "cardio", "commune": "78646", "count": "0"}, "count"),
    ({"q": "cardio", "commune": "78646", "careMode": "99"}, "careMode"),
    ({"q": "cardio", "commune": "78646", "radius": "5"}, "radius"),
])
def test_bad_input_names_the_parameter(loaded: httpx.Client, params: dict[str, str],
                                       expression: str) -> None:
    reply = loaded.get("/api/orientation", params=params)
    assert reply.status_code == 400
    issue = reply.json()["issue"][0]
    assert issue["expression"] == [expression]
