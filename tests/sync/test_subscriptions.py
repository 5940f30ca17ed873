"""FHIR rest-hook Subscriptions: created by API clients with checked criteria and endpoint;
signed notifications for the matching writes a subscriber may read, and only those; retries
with backoff; a delivery log; disabling after repeated failures, with a mail to the contact.
Both back-ends."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from openror.config import Settings
from openror.fhir.profiles import TRE_R30_REGION
from openror.store.people_tables import mail_outbox
from openror.store.resources import utcnow
from openror.sync.subscriptions.delivery import deliver_due
from tests.builders import SD, coding, healthcare_service, organization
from tests.conftest import LiveServer, wipe
from tests.webhook_receiver import WebhookReceiver

FHIR = {"Content-Type": "application/fhir+json"}
SENSITIVE = "ror-healthcareservice-sensitive-unit"


class Receiver(WebhookReceiver):
    """A subscriber's endpoint on loopback: records what it gets, fails while told to."""

    def __init__(self) -> None:
        super().__init__(ok_status=200)

    def events(self) -> list[tuple[str, str, str]]:
        """(event, resource, etag) of each notification received, in order."""
        found = []
        for _, body in self.received:
            entry = json.loads(body)["entry"][0]
            found.append((entry["extension"][0]["valueCode"], entry["request"]["url"],
                          entry["response"]["etag"]))
        return found


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    """No background delivery: the tests deliver when they choose, at the time they choose."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), database_url=database_url,
                        region="11", log_level="WARNING", alert_interval_seconds=0,
                        subscription_interval_seconds=0, rate_limit_per_minute=1_000_000,
                        rate_limit_burst=100_000)
    with LiveServer(settings) as live:
        yield live


@pytest.fixture
def writer(server: LiveServer) -> Iterator[httpx.Client]:
    """The server's test client (profile 1, writes everywhere), on a wiped database with one
    site."""
    wipe(server.app.state.services.db)
    with server.client() as client:
        client.put("/Organization/eg", json={**organization(), "id": "eg"},
                   headers=FHIR).raise_for_status()
        yield client


def subscriber(server: LiveServer, profile: int, regions: tuple[str, ...] = ()
               ) -> httpx.Client:
    return server.reader(profile, regions, path="", name="subscriber")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


def subscription(endpoint: str, criteria: str = "HealthcareService", **channel: Any
                 ) -> dict[str, Any]:
    return {"resourceType": "Subscription", "status": "requested", "reason": "sync",
            "criteria": criteria,
            "channel": {"type": "rest-hook", "endpoint": endpoint, **channel}}


def subscribe(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/fhir/Subscription", json=body, headers=FHIR)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def secret_of(made: dict[str, Any]) -> str:
    secret: str = made["channel"]["extension"][0]["valueString"]
    return secret


def offer(rid: str, region: str = "11", sensitive: bool = False) -> dict[str, Any]:
    body = {**healthcare_service("Organization/eg"), "id": rid,
            "meta": {"tag": [{"system": TRE_R30_REGION, "code": region}]}}
    for ext in body["extension"]:
        if ext["url"].endswith(SENSITIVE):
            ext["valueBoolean"] = sensitive
    return body


def regulation_contact(phone: str) -> dict[str, Any]:
    """An offer's contact of confidentiality level 3: profiles 1 and 4 only."""
    level = {"valueCodeableConcept": coding("TRE_R283-NiveauConfidentialite", "3")}
    return {"url": SD + "ror-healthcareservice-contact", "extension": [
        {"url": SD + "ror-confidentiality-level", **level},
        {"url": SD + "ror-healthcareservice-contact-telecom", "extension": [
            {"url": SD + "ror-telecom-communication-channel",
             "valueCodeableConcept": coding("TRE_R200-CanalCommunication", "2")},
            {"url": "telecomAddress", "valueString": phone},
            {"url": SD + "ror-telecom-confidentiality-level", **level}]}]}


def put(writer: httpx.Client, body: dict[str, Any]) -> None:
    writer.put(f"/HealthcareService/{body['id']}", json=body, headers=FHIR).raise_for_status()


def deliver(server: LiveServer, at: datetime, max_failures: int = 8) -> int:
    return deliver_due(server.app.state.services.db, max_failures, now=at)


def issue_of(response: httpx.Response) -> dict[str, Any]:
    issue: dict[str, Any] = response.json()["issue"][0]
    return issue


def test_criteria_and_endpoint_are_checked_and_the_secret_shown_once(
        server: LiveServer, writer: httpx.Client, receiver: Receiver) -> None:
    with subscriber(server, 2) as client:
        for endpoint in ("ftp://hooks.example/x", "http://hooks.example/x", "not a url"):
            response = client.post("/fhir/Subscription", json=subscription(endpoint),
                                   headers=FHIR)
            assert response.status_code == 400
            assert issue_of(response)["expression"] == ["Subscription.channel.endpoint"]
        for criteria in ("Nothing?x=1", "HealthcareService?no-such-param=1",
                         "HealthcareService?_count=10"):
            response = client.post("/fhir/Subscription",
                                   json=subscription(receiver.url, criteria), headers=FHIR)
            assert response.status_code == 400, criteria
            assert issue_of(response)["expression"] == ["Subscription.criteria"]
        made = subscribe(client, subscription("https://hooks.example/ror"))
        assert made["status"] == "active" and len(secret_of(made)) >= 32
        read = client.get(f"/fhir/Subscription/{made['id']}").json()
        assert "extension" not in read["channel"] and read["status"] == "active"
        listed = client.get("/fhir/Subscription").json()
        assert [e["resource"]["id"] for e in listed["entry"]] == [made["id"]]
    # another client neither sees nor changes it
    assert writer.get(f"/Subscription/{made['id']}").status_code == 404
    assert writer.delete(f"/Subscription/{made['id']}").status_code == 404
    assert writer.get("/Subscription").json()["total"] == 0
    subscriptions = [r["type"] for r in writer.get("/metadata").json()["rest"][0]["resource"]]
    assert "Subscription" in subscriptions


def test_signed_notifications_for_matching_readable_writes_only(
        server: LiveServer, writer: httpx.Client, receiver: Receiver) -> None:
    with subscriber(server, 2) as client:
        made = subscribe(client, subscription(
            receiver.url, f"HealthcareService?_tag={TRE_R30_REGION}|11",
            header=["Authorization: Bearer subscriber-token"]))
    put(writer, offer("hs-11"))
    put(writer, offer("hs-84", region="84"))  # outside the criteria
    put(writer, offer("hs-secret", sensitive=True))  # hidden from profile 2
    changed = offer("hs-11")
    changed["name"] = "Médecine polyvalente"
    put(writer, changed)
    refused = offer("hs-11")
    refused["specialty"][0]["coding"][0]["code"] = "no-such-activity"
    assert writer.put("/HealthcareService/hs-11", json=refused, headers=FHIR).status_code == 400
    writer.delete("/HealthcareService/hs-11").raise_for_status()
    writer.delete("/HealthcareService/hs-84").raise_for_status()

    assert deliver(server, utcnow()) == 3
    assert receiver.events() == [("create", "HealthcareService/hs-11", 'W/"1"'),
                                 ("update", "HealthcareService/hs-11", 'W/"2"'),
                                 ("delete", "HealthcareService/hs-11", 'W/"3"')]
    for headers, body in receiver.received:
        expected = "sha256=" + hmac.new(secret_of(made).encode(), body,
                                        hashlib.sha256).hexdigest()
        assert headers["X-OpenROR-Signature"] == expected
        assert headers["X-OpenROR-Subscription"] == made["id"]
        assert headers["Authorization"] == "Bearer subscriber-token"
        assert "resource" not in json.loads(body)["entry"][0]  # id-only by default
    assert len({h["X-OpenROR-Delivery"] for h, _ in receiver.received}) == 3
    assert deliver(server, utcnow() + timedelta(hours=3)) == 0  # delivered once


def test_a_region_limited_client_hears_of_its_regions_only(
        server: LiveServer, writer: httpx.Client, receiver: Receiver) -> None:
    with subscriber(server, 2, regions=("84",)) as client:
        subscribe(client, subscription(receiver.url))  # every offer it may read
    put(writer, offer("hs-11"))
    put(writer, offer("hs-84", region="84"))
    assert deliver(server, utcnow()) == 1
    assert receiver.events() == [("create", "HealthcareService/hs-84", 'W/"1"')]


def test_full_payload_is_the_resource_as_the_owner_reads_it(
        server: LiveServer, writer: httpx.Client, receiver: Receiver) -> None:
    with subscriber(server, 0) as client:
        subscribe(client, subscription(receiver.url, "HealthcareService?specialty=437",
                                       payload="application/fhir+json"))
        body = offer("hs-1")
        body["extension"].append(regulation_contact("0633333333"))
        put(writer, body)
        assert deliver(server, utcnow()) == 1
        sent = json.loads(receiver.received[0][1])["entry"][0]["resource"]
        assert sent == client.get("/fhir/HealthcareService/hs-1").json()
    assert "0633333333" not in json.dumps(sent)  # redacted for profile 0
    assert "0633333333" in writer.get("/HealthcareService/hs-1").text


def test_failed_deliveries_are_retried_with_backoff_and_logged(
        server: LiveServer, writer: httpx.Client, receiver: Receiver) -> None:
    with subscriber(server, 1) as client:
        made = subscribe(client, subscription(receiver.url))
        put(writer, offer("hs-1"))
        receiver.failing = 2
        start = utcnow()
        assert deliver(server, start) == 0
        assert deliver(server, start + timedelta(seconds=20)) == 0  # not due before 30 s
        assert deliver(server, start + timedelta(seconds=31)) == 0  # second failure
        assert deliver(server, start + timedelta(seconds=31 + 50)) == 0  # then 1 min
        assert receiver.received == []
        assert deliver(server, start + timedelta(seconds=31 + 61)) == 1
        log = client.get(f"/api/subscriptions/{made['id']}/deliveries").json()["deliveries"]
    assert [(d["event"], d["resource"], d["status"]) for d in log] == [
        ("create", "HealthcareService/hs-1", "delivered")]
    assert [(a["ok"], a["error"]) for a in log[0]["attempts"]] == [
        (False, "HTTP 503"), (False, "HTTP 503"), (True, None)]
    assert writer.get(f"/../api/subscriptions/{made['id']}/deliveries").status_code == 404


def test_a_failing_endpoint_disables_the_subscription_and_tells_the_contact(
        server: LiveServer, writer: httpx.Client, receiver: Receiver) -> None:
    with subscriber(server, 1) as client:
        body = subscription(receiver.url)
        body["contact"] = [{"system": "email", "value": "integration@service.example"}]
        made = subscribe(client, body)
        put(writer, offer("hs-1"))
        put(writer, offer("hs-2"))
        receiver.failing = -1
        at = utcnow()
        for _ in range(8):  # 8 attempts each, the clock moved past every wait
            deliver(server, at, max_failures=2)
            at += timedelta(hours=2)
        found = client.get(f"/fhir/Subscription/{made['id']}").json()
        assert found["status"] == "error"
        assert "2 consecutive failed notifications" in found["error"]
        with server.app.state.services.db.read() as conn:
            mails = conn.execute(sa.select(mail_outbox.c.recipient, mail_outbox.c.body)).all()
        assert [m.recipient for m in mails] == ["integration@service.example"]
        assert made["id"] in mails[0].body

        # stopped: no more attempts while in error, even with the endpoint back
        receiver.failing = 0
        put(writer, offer("hs-3"))
        assert deliver(server, at) == 0
        # the owner resumes it: what was queued meanwhile is delivered
        found["status"] = "active"
        response = client.put(f"/fhir/Subscription/{made['id']}", json=found, headers=FHIR)
        assert response.status_code == 200 and "error" not in response.json()
    assert deliver(server, at) == 1
    assert receiver.events() == [("create", "HealthcareService/hs-3", 'W/"1"')]
