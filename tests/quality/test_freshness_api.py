"""``/api/quality/confirmations``, ``/api/quality/freshness`` and the page
``/qualite/fraicheur`` over HTTP, on both back-ends."""

from __future__ import annotations

import httpx

from openror.store import quality_confirmations
from tests.api.people_fixture import logged_in
from tests.conftest import LiveServer
from tests.quality import world as owners


def _confirmed(server: LiveServer) -> dict[str, object]:
    with server.app.state.services.db.read() as conn:
        return dict(quality_confirmations.confirmed_at(conn))


def test_a_referent_confirms_their_site(world: LiveServer) -> None:
    db = world.app.state.services.db
    owners.age_offers(db, 400, "hs-a")
    position = owners.feed_position(db)
    with logged_in(world, "ref") as (client, csrf):
        before = client.get("/api/quality/freshness", params={"site": "Organization/eg-a"})
        assert before.status_code == 200, before.text
        [offer] = before.json()["offers"]
        assert offer["overdue"] is True and offer["lastConfirmation"] is None
        done = client.post("/api/quality/confirmations", json={"unit": "Organization/eg-a"},
                           headers={"X-CSRF-Token": csrf})
        assert done.status_code == 200, done.text
        body = done.json()
        assert body["unit"] == "Organization/eg-a" and body["confirmedAt"].endswith("Z")
        assert "HealthcareService/hs-a" in body["confirmed"]
        assert body["skipped"] == ["Location/loc-shared"]
        after = client.get("/api/quality/freshness",
                           params={"site": "Organization/eg-a"}).json()
    assert after["site"] == "Organization/eg-a" and after["name"] == "Site A"
    assert after["canConfirm"] is True and after["overdueAfterDays"] == 365
    [offer] = after["offers"]
    assert offer == {"unit": "HealthcareService/hs-a", "name": "Offre hs-a",
                     "lastChange": offer["lastChange"], "lastConfirmation": body["confirmedAt"],
                     "lastConfirmed": body["confirmedAt"], "overdue": False}
    assert owners.feed_position(db) == position  # no version, no change feed entry


def test_refusals(world: LiveServer) -> None:
    with logged_in(world, "ref") as (client, csrf):
        csrf_header = {"X-CSRF-Token": csrf}
        other = client.post("/api/quality/confirmations", json={"unit": "Organization/eg-b"},
                            headers=csrf_header)
        assert other.status_code == 403, other.text
        assert other.json()["resourceType"] == "OperationOutcome"
        bad = client.post("/api/quality/confirmations", json={"unit": "Patient/1"},
                          headers=csrf_header)
        assert bad.status_code == 400 and bad.json()["issue"][0]["expression"] == ["unit"]
        assert client.post("/api/quality/confirmations", content=b"[1]",
                           headers=csrf_header).status_code == 400
        missing = client.post("/api/quality/confirmations",
                              json={"unit": "HealthcareService/nope"}, headers=csrf_header)
        assert missing.status_code == 404
        no_site = client.get("/api/quality/freshness")
        assert no_site.status_code == 400 and no_site.json()["issue"][0]["expression"] == [
            "site"]
        assert client.post("/api/quality/confirmations", json={"unit": "Organization/eg-a"}
                           ).status_code == 403  # no CSRF header
    with httpx.Client(base_url=world.url) as anonymous:
        assert anonymous.post("/api/quality/confirmations",
                              json={"unit": "Organization/eg-a"}).status_code == 401
    assert _confirmed(world) == {}


def test_an_api_client_with_the_write_scope(world: LiveServer) -> None:
    with world.client("/api") as client:
        done = client.post("/quality/confirmations", json={"unit": "HealthcareService/hs-84"})
    assert done.status_code == 200, done.text
    assert done.json()["confirmed"] == ["HealthcareService/hs-84", "Location/loc-84"]


def test_the_page_confirms_in_one_click(world: LiveServer) -> None:
    with logged_in(world, "ref") as (client, csrf):
        page = client.get("/qualite/fraicheur")
        assert page.status_code == 200
        assert "Site A" in page.text and "Offre hs-a" in page.text
        assert "Tout est à jour" in page.text
        refused = client.post("/qualite/fraicheur", data={"unit": "Organization/eg-a"})
        assert refused.status_code == 403 and "formulaire a expiré" in refused.text
        assert _confirmed(world) == {}
        done = client.post("/qualite/fraicheur", data={"unit": "Organization/eg-a",
                                                       "csrf": csrf})
        assert done.status_code == 303
        shown = client.get(done.headers["location"])
        assert "Confirmation enregistrée" in shown.text
    assert "HealthcareService/hs-a" in _confirmed(world)
    with logged_in(world, "pro") as (client, csrf):
        page = client.get("/qualite/fraicheur")
        assert "Vos offres" in page.text and "Offre hs-p" in page.text
        assert "Offre hs-a" not in page.text  # shared with another professional
    with httpx.Client(base_url=world.url) as anonymous:
        assert anonymous.get("/qualite/fraicheur").status_code == 303  # to the login page
