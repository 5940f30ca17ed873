"""``GET /api/orientation`` with the criteria beyond the activity (both databases): equipment
with a weight, specific act, public, open now, an address; each result's opening hours and
contacts in the JSON; a 400 naming the parameter, a 403 for a profile that may not see a
criterion."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api.test_auth import token_for
from tests.conftest import LiveServer, wipe
from tests.search.test_orientation_criteria import ACT, world

FHIR = {"Content-Type": "application/fhir+json"}


@pytest.fixture(scope="module")
def loaded(live_server: LiveServer) -> Iterator[httpx.Client]:
    wipe(live_server.app.state.services.db)
    with live_server.client("") as client:
        for body in world():
            client.put(f"/fhir/{body['resourceType']}/{body['id']}", json=body,
                       headers=FHIR).raise_for_status()
        yield client


@pytest.fixture(scope="module")
def open_data(live_server: LiveServer, loaded: httpx.Client) -> Iterator[httpx.Client]:
    """A client of access profile 0."""
    made = live_server.app.state.services.clients.add("open data", 0)
    token = token_for(live_server, made)
    with httpx.Client(base_url=live_server.url, timeout=30,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def get(client: httpx.Client, **params: str) -> httpx.Response:
    return client.get("/api/orientation", params=params)


def test_equipment_with_a_weight_from_an_address(loaded: httpx.Client) -> None:
    reply = get(loaded, q="cardio", equipment="089,090", equipmentLimit="200|kg",
                address="12 rue de la Paix 02000 Laon", explain="bari-soissons")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["where"]["label"] == "02000 Laon (02408)"
    assert [r["id"] for r in body["results"]] == ["bari-laon", "bari-chauny"]
    assert [e["code"] for e in body["need"]["equipment"]] == ["089", "090"]
    assert body["need"]["equipmentLimit_kg"] == 200.0
    first = body["results"][0]
    assert {"criterion": "equipment", "text": "équipement : Lit d'hospitalisation obésité "
            "(poids entre 250 et 350 kg) - bariatrique, jusqu'à 300 kg"} in \
        first["explanation"]["criteria"]
    assert first["opening"] == {"openNow": True, "text": "ouvert 24 h/24", "until": None,
                                "nextOpening": None}
    assert body["whyNot"] == {"id": "bari-soissons", "stage": "filters", "reason":
                              "écartée par un critère impératif (equipment) : l'équipement "
                              "supporte au plus 180 kg, 200 kg demandés"}


def test_free_text_equipment_act_public(loaded: httpx.Client) -> None:
    assert [r["id"] for r in get(loaded, q="lit bariatrique 400 kg", commune="02408")
            .json()["results"]] == ["bari-chauny"]
    body = get(loaded, q="cardio", act=ACT, public="01", commune="02408").json()
    assert [r["id"] for r in body["results"]] == ["bari-laon"]
    assert [p["code"] for p in body["need"]["publics"]] == ["01"]
    assert [a["code"] for a in body["need"]["acts"]] == [ACT]


def test_open_now_and_contacts(loaded: httpx.Client) -> None:
    """Hours are read at the real time: only offers open around the clock are asserted."""
    body = get(loaded, q="cardio", openNow="true", commune="02408", count="20").json()
    ids = [r["id"] for r in body["results"]]
    assert {"bari-laon", "bari-stq", "bari-chauny"} <= set(ids)
    assert "bari-hirson" not in ids  # no hours: not known to be open
    assert body["need"]["openNow"] is True
    every = {r["id"]: r for r in get(loaded, q="cardio", commune="02408", count="20")
             .json()["results"]}
    assert every["bari-hirson"]["opening"] == {"openNow": None, "nextOpening": None,
                                               "until": None,
                                               "text": "horaires non renseignés"}
    assert every["plain-laon"]["contacts"] == [
        {"system": "phone", "value": "0199000001", "label": "Standard"},
        {"system": "phone", "value": "0199000002", "label": "Prise de rendez-vous"},
        {"system": "email", "value": "plain-laon@hopital.mssante.fr",
         "label": "Courrier électronique"}]


def test_profile_0_gets_public_contacts_only_and_may_not_ask_equipment(
        open_data: httpx.Client) -> None:
    every = {r["id"]: r for r in get(open_data, q="cardio", commune="02408", count="20")
             .json()["results"]}
    assert every["plain-laon"]["contacts"] == [
        {"system": "phone", "value": "0199000001", "label": "Standard"}]
    for params, name in (({"equipment": "089"}, "equipment"), ({"act": ACT}, "act")):
        reply = get(open_data, q="cardio", commune="02408", **params)
        assert reply.status_code == 403, reply.text
        assert reply.json()["issue"][0]["expression"] == [name]


@pytest.mark.parametrize(("params", "expression"), [
    ({"q": "cardio", "address": "12 rue de la Paix"}, "address"),
    ({"q": "cardio", "commune": "02408", "equipment": "999"}, "equipment"),
    ({"q": "cardio", "commune": "02408", "equipment": "089", "equipmentLimit": "lourd"},
     "equipmentLimit"),
    ({"q": "cardio", "commune": "02408", "equipmentLimit": "200"}, "equipmentLimit"),
    ({"q": "cardio", "commune": "02408", "public": "99"}, "public"),
    ({"q": "cardio", "commune": "02408", "act": "a b"}, "act"),
    ({"q": "cardio", "commune": "02408", "openNow": "oui"}, "openNow"),
])
def test_bad_input_names_the_parameter(loaded: httpx.Client, params: dict[str, str],
                                       expression: str) -> None:
    reply = get(loaded, **params)
    assert reply.status_code == 400, reply.text
    assert reply.json()["issue"][0]["expression"] == [expression]
