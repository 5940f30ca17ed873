"""Capacity threshold alerts: one signed webhook delivery per crossing (below, then again
after recovery), retried with backoff until delivered, logged; managed over the API by the
profiles that see every figure. Both back-ends."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from openror.capacity import alerts, webhooks
from openror.store.resources import utcnow
from tests.builders import coding, healthcare_service, organization
from tests.capacity.feed_fixture import (
    FHIR,
    SITE,
    available,
    indicator_path,
    installed,
    place,
    replace,
    send,
)
from tests.capacity.test_feed import feeder
from tests.conftest import LiveServer, wipe
from tests.webhook_receiver import WebhookReceiver


class Receiver(WebhookReceiver):
    """A webhook endpoint on loopback that records what it gets and fails on demand."""

    def __init__(self) -> None:
        super().__init__(ok_status=204)

    def crossings(self) -> list[tuple[str, int]]:
        return [(json.loads(b)["crossing"], json.loads(b)["available"])
                for _, b in self.received]


@pytest.fixture(scope="module")
def server(region_server: LiveServer) -> LiveServer:
    return region_server


@pytest.fixture
def api(server: LiveServer) -> Iterator[httpx.Client]:
    wipe(server.app.state.services.db)
    with server.client("") as client:
        for body in (place("icu-1", f"{SITE}/UF0001", installed(), available(4)),
                     place("icu-far", None, available(9), commune="75056", region="11")):
            client.put(f"/fhir/Location/{body['id']}", json=body,
                       headers=FHIR).raise_for_status()
        client.put("/fhir/Organization/eg", json={**organization(), "id": "eg"},
                   headers=FHIR).raise_for_status()
        offer = {**healthcare_service("Organization/eg"), "id": "hs-icu",
                 "specialty": [coding("TRE_R211-ActiviteOperationnelle", "127")],
                 "location": [{"reference": "Location/icu-1"},
                              {"reference": "Location/icu-far"}]}
        client.put("/fhir/HealthcareService/hs-icu", json=offer,
                   headers=FHIR).raise_for_status()
        yield client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


def watch(api: httpx.Client, receiver: Receiver) -> dict[str, Any]:
    response = api.post("/api/capacity/alerts", json={
        "name": "Réa adulte Aisne", "departement": "02", "activities": ["127"], "below": 3,
        "url": receiver.url})
    assert response.status_code == 201, response.text
    alert: dict[str, Any] = response.json()
    return alert


def set_available(api: httpx.Client, count: int, minute: int) -> None:
    value = available(count, updated=f"2026-11-25T08:{minute:02d}:00Z")
    response = send(api, replace(value, indicator_path("02", gender="01")))
    assert response.status_code == 200, response.text


def deliver(server: LiveServer, later: timedelta = timedelta(0)) -> int:
    return webhooks.deliver_due(server.app.state.services.db, now=utcnow() + later)


def test_one_alert_per_crossing_and_again_after_recovery(
        api: httpx.Client, server: LiveServer, receiver: Receiver) -> None:
    alert = watch(api, receiver)
    assert alert["state"] == "above" and alert["available"] == 4  # the Paris ICU is not in
    for minute, count in enumerate((2, 1, 0, 2, 5, 6, 1)):
        set_available(api, count, minute)
    assert deliver(server) == 3
    assert receiver.crossings() == [("below", 2), ("recovered", 5), ("below", 1)]
    headers, body = receiver.received[0]
    expected = hmac.new(alert["secret"].encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-OpenROR-Signature"] == f"sha256={expected}"
    assert deliver(server) == 0  # nothing twice
    listed = api.get("/api/capacity/alerts").json()["alerts"]
    assert [(a["state"], a["available"]) for a in listed] == [("below", 1)]
    assert "secret" not in listed[0]


def test_an_alert_already_below_fires_at_once(api: httpx.Client, server: LiveServer,
                                              receiver: Receiver) -> None:
    set_available(api, 1, 0)
    watch(api, receiver)
    assert deliver(server) == 1
    assert receiver.crossings() == [("below", 1)]


def test_a_failing_receiver_gets_retries_with_backoff_and_a_log(
        api: httpx.Client, server: LiveServer, receiver: Receiver) -> None:
    alert = watch(api, receiver)
    receiver.failing = 2
    set_available(api, 0, 1)
    assert deliver(server) == 0
    assert deliver(server) == 0  # not due yet: the retry waits 30 s
    assert deliver(server, timedelta(seconds=31)) == 0  # second failure
    assert deliver(server, timedelta(seconds=95)) == 1
    log = api.get(f"/api/capacity/alerts/{alert['id']}/deliveries").json()["deliveries"]
    assert [(d["status"], d["attempts"]) for d in log] == [("delivered", 3)]
    assert receiver.crossings() == [("below", 0)]
    assert len({h["X-OpenROR-Delivery"] for h, _ in receiver.received}) == 1


def test_who_may_manage_alerts(api: httpx.Client, server: LiveServer,
                               receiver: Receiver) -> None:
    alert = watch(api, receiver)
    with feeder(server, profile=2) as p2:
        assert p2.post("/api/capacity/alerts", json={
            "name": "x", "departement": "02", "below": 3,
            "url": receiver.url}).status_code == 403
    with feeder(server, profile=4) as p4:
        assert p4.get("/api/capacity/alerts").json()["alerts"] == []  # not its alert
        assert p4.delete(f"/api/capacity/alerts/{alert['id']}").status_code == 404
    bad = api.post("/api/capacity/alerts", json={"name": "x", "below": 0, "url": "x"})
    assert bad.status_code == 400
    assert bad.json()["issue"][0]["expression"] == ["url"]
    assert api.delete(f"/api/capacity/alerts/{alert['id']}").status_code == 204
    assert api.get("/api/capacity/alerts").json()["alerts"] == []


def test_the_scheduled_check_catches_what_no_place_write_triggered(
        api: httpx.Client, server: LiveServer, receiver: Receiver) -> None:
    """An offer that stops being intensive care takes its beds out of the alert's sum: no
    place was written, the scheduled check sees the crossing (once)."""
    watch(api, receiver)
    offer = api.get("/fhir/HealthcareService/hs-icu").json()
    offer["specialty"] = [coding("TRE_R211-ActiviteOperationnelle", "437")]
    api.put("/fhir/HealthcareService/hs-icu", json=offer, headers=FHIR).raise_for_status()
    assert deliver(server) == 0  # nothing seen yet
    db = server.app.state.services.db
    alerts.check_all(db)
    alerts.check_all(db)
    assert deliver(server) == 1
    assert receiver.crossings() == [("below", 0)]
