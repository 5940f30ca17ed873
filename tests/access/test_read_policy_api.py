"""The read policy over HTTP: each API client's token carries its profile to every read
channel (the whole matrix is in test_read_matrix, on the services)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.access import world
from tests.access.test_read_matrix import VISIBLE, _phones
from tests.conftest import LiveServer, wipe


@pytest.fixture(scope="module")
def clients(live_server: LiveServer) -> Iterator[dict[int, httpx.Client]]:
    services = live_server.app.state.services
    wipe(services.db)
    world.load(services.db)
    made = {}
    for profile in range(6):
        credentials = services.clients.add(f"profile {profile}", profile)
        token = services.clients.authenticate(credentials.client_id,
                                              credentials.client_secret).access_token
        made[profile] = httpx.Client(base_url=live_server.url + "/fhir", timeout=30,
                                     headers={"Authorization": f"Bearer {token}"})
    yield made
    for client in made.values():
        client.close()


@pytest.mark.parametrize("profile", range(6))
def test_each_channel_applies_the_profile(clients: dict[int, httpx.Client], profile: int
                                          ) -> None:
    api, visible = clients[profile], VISIBLE[str(profile)]
    secret = api.get("/HealthcareService/hs-secret")
    assert secret.status_code == (200 if "hs-secret" in visible else 404)
    bundle = api.get("/HealthcareService", params={
        "_revinclude": "PractitionerRole:service",
        "_include": "PractitionerRole:practitioner"}).json()
    ids = {e["resource"]["id"] for e in bundle["entry"]}
    assert ids == {i for i in visible if i.split("-")[0] in ("hs", "role", "pract")}
    assert bundle["total"] == len([i for i in visible if i.startswith("hs-")])
    history = api.get("/_history", params={"_count": 1000}).json()
    assert {e["fullUrl"].rsplit("/", 1)[1] for e in history["entry"]} == visible
    assert history["total"] == len(visible)
    site = api.get("/Organization/eg-52").json()
    assert _phones(site) == {0: {"1"}, 1: {"1", "2", "3"}, 2: {"1", "2"}, 3: {"1"}, 4: {"1"},
                             5: {"1", "2"}}[profile]


def test_a_withheld_field_is_a_403_outcome(clients: dict[int, httpx.Client]) -> None:
    response = clients[0].get("/HealthcareService", params={"location.nb-capacity": "gt0"})
    assert response.status_code == 403
    issue = response.json()["issue"][0]
    assert issue["code"] == "forbidden"
    assert "access profile 0" in issue["diagnostics"]
    assert clients[1].get("/HealthcareService",
                          params={"location.nb-capacity": "gt0"}).status_code == 200


def test_a_conditional_create_does_not_reveal_a_hidden_match(live_server: LiveServer,
                                                             clients: dict[int, httpx.Client]
                                                             ) -> None:
    services = live_server.app.state.services
    made = services.clients.add("writer p2", 2, writes=("region:52",))
    token = services.clients.authenticate(made.client_id, made.client_secret).access_token
    body = next(b for b in world.resources() if b["id"] == "hs-secret")
    body = {k: v for k, v in body.items() if k != "id"}
    with httpx.Client(base_url=live_server.url + "/fhir", timeout=30, headers={
            "Authorization": f"Bearer {token}"}) as writer:
        response = writer.post("/HealthcareService", json=body, headers={
            "Content-Type": "application/fhir+json", "If-None-Exist": "identifier=52/hs-secret"})
    assert response.status_code == 200, response.text
    assert "hs-secret" not in response.text
    assert "Location" not in response.headers and "ETag" not in response.headers
    assert response.json()["resourceType"] == "OperationOutcome"
