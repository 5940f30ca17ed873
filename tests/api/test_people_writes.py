"""Roles with scope through HTTP with a session, on both back-ends: a representative request
of each write interaction for each role (the full matrix is tests/services/test_roles.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openror.store import feed
from tests.api.people_fixture import (
    logged_in,
)
from tests.conftest import LiveServer
from tests.services.roles_world import resources

FHIR = {"Content-Type": "application/fhir+json"}
WORLD = {body["id"]: body for body in resources()}


def _name_patch(name: str) -> dict[str, Any]:
    return {"resourceType": "Parameters", "parameter": [{"name": "operation", "part": [
        {"name": "type", "valueCode": "replace"},
        {"name": "path", "valueString": "HealthcareService.name"},
        {"name": "value", "valueString": name}]}]}


def _put(rid: str, **changes: Any) -> tuple[str, str, dict[str, Any]]:
    body = {**WORLD[rid], **changes}
    return "PUT", f"/fhir/{body['resourceType']}/{rid}", body


def _new_offer(provider: str) -> dict[str, Any]:
    body = {k: v for k, v in WORLD["hs-a"].items() if k not in ("id", "identifier", "location")}
    return {**body, "providedBy": {"reference": f"Organization/{provider}"}}


def _role(practitioner: str, offer: str) -> dict[str, Any]:
    body = {k: v for k, v in WORLD["role-p"].items() if k != "id"}
    return {**body, "practitioner": {"reference": f"Practitioner/{practitioner}"},
            "healthcareService": [{"reference": f"HealthcareService/{offer}"}]}


REQUESTS = [
    ("pro", *_put("hs-p", name="Mon offre"), 200),
    ("pro", *_put("hs-q", name="L'offre d'un autre"), 403),
    ("pro", "PATCH", "/fhir/HealthcareService/hs-p", _name_patch("Mon offre"), 200),
    ("pro", "DELETE", "/fhir/PractitionerRole/role-q", None, 403),
    ("pro", "POST", "/fhir/PractitionerRole", _role("pract-p", "hs-q"), 403),
    ("pro", "PUT", "/fhir/HealthcareService?identifier=32/hs-p",
     {**WORLD["hs-p"], "name": "Conditionnelle"}, 200),
    ("ref", "POST", "/fhir/HealthcareService", _new_offer("unit-a"), 201),
    ("ref", "POST", "/fhir/HealthcareService", _new_offer("eg-b"), 403),
    ("ref", *_put("hs-b", name="Une autre"), 403),
    ("ref", *_put("hs-a", providedBy={"reference": "Organization/eg-b"}), 403),
    ("ref", "PUT", "/fhir/HealthcareService?identifier=32/hs-a",
     {**WORLD["hs-a"], "name": "Conditionnelle"}, 200),
    ("ref", "DELETE", "/fhir/PractitionerRole/role-q-a", None, 200),
    ("op", *_put("task-32", description="Corrigée"), 200),
    ("op", "DELETE", "/fhir/Task/task-84", None, 403),
    ("op", "PATCH", "/fhir/HealthcareService/hs-84", _name_patch("Ailleurs"), 403),
    ("op", "PATCH", "/fhir/HealthcareService?identifier=32/hs-b", _name_patch("B"), 200),
    ("admin", *_put("hs-84", name="Partout"), 200),
]


@pytest.mark.parametrize(("login", "method", "path", "body", "status"), REQUESTS,
                         ids=[f"{r[0]}-{r[1]}-{r[2]}-{r[4]}" for r in REQUESTS])
def test_a_person_writes_within_the_scope_of_their_roles(
        world: LiveServer, login: str, method: str, path: str, body: dict[str, Any] | None,
        status: int) -> None:
    with logged_in(world, login) as (client, csrf):
        content = None if body is None else json.dumps(body)
        response = client.request(method, path, headers={**FHIR, "X-CSRF-Token": csrf},
                                  content=content)
        assert response.status_code == status, response.text
        if status == 403:
            assert response.json()["issue"][0]["code"] == "forbidden"
            return
    with world.app.state.services.db.read() as conn:
        actors = {entry.actor for entry in feed.changes(conn)}
    assert f"user:{login}" in actors, response.text  # the change log names the person
