"""Every official ROR example survives create then read unchanged (apart from server
metadata); broken copies are refused with the right expression."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from openror.store.freshness import FRESHNESS_URL
from tests.api.test_crud import FHIR
from tests.builders import (
    EXAMPLES,
    coding,
    healthcare_service,
    location,
    organization,
    practitioner,
)

BROKEN = EXAMPLES.parents[1] / "validator" / "tests" / "broken"
EXAMPLE_FILES = sorted(
    p.relative_to(EXAMPLES).as_posix()
    for p in [*EXAMPLES.glob("*.json"), *EXAMPLES.glob("compiled-from-fsh/*.json")]
)
#: resources the examples point at, created first so that references resolve
TARGETS: list[tuple[str, dict[str, Any]]] = [
    ("Organization/1111", organization(finess="010000011")),
    ("Organization/999999", organization(finess="010000012")),
    ("Organization/4947", organization(finess="010000013")),
    ("Location/888888", location()),
    ("Location/1215", location()),
    ("Practitioner/2524", practitioner()),
    ("HealthcareService/9597", healthcare_service("Organization/4947")),
    # the site the anomaly example is about (its focus, by IdNatStruct)
    ("Organization/9108", {**organization(finess="910800002"), "identifier": [
        {"system": "https://finess.esante.gouv.fr", "value": "910800002"},
        {"system": "urn:oid:1.2.250.1.71.4.2.2", "value": "1910800002"}]}),
]
#: what the server adds or sets on every resource: meta, and what it assigns when missing
SERVER_KEYS = ("meta",)
#: what the anomaly workflow maintains (docs/api/anomalies.md): the status its business
#: status implies, the time of the change, the owner and literal reference of its focus
TASK_KEYS = ("status", "lastModified", "owner")


def load(path: Path) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return body


def put_targets(api: httpx.Client) -> None:
    for ref, body in TARGETS:
        rid = ref.split("/")[1]
        response = api.put(f"/{ref}", json={**body, "id": rid}, headers=FHIR)
        assert response.status_code == 201, response.text


def _server_keys(body: dict[str, Any]) -> tuple[str, ...]:
    return SERVER_KEYS + (TASK_KEYS if body.get("resourceType") == "Task" else ())


def without_server_metadata(body: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    """Drop meta, identifiers the server assigned because the example had none, the
    freshness a read adds to a place with capacity figures (store.freshness), and what the
    anomaly workflow maintains."""
    out = {k: v for k, v in without_freshness(body).items() if k not in _server_keys(body)}
    if "identifier" not in sent:
        out.pop("identifier", None)
    if body.get("resourceType") == "Task" and "reference" not in sent.get("focus", {}):
        out["focus"] = {k: v for k, v in out["focus"].items() if k != "reference"}
    return out


def without_freshness(body: dict[str, Any]) -> dict[str, Any]:
    kept = [e for e in body.get("extension", []) if e.get("url") != FRESHNESS_URL]
    return {**body, "extension": kept} if "extension" in body else body


def expected_of(sent: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in sent.items() if k not in _server_keys(sent)}


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_survives_put_then_read(api: httpx.Client, name: str) -> None:
    put_targets(api)
    sent = load(EXAMPLES / name)
    response = api.put(f"/{sent['resourceType']}/{sent['id']}", json=sent, headers=FHIR)
    assert response.status_code == 201, response.text
    read = api.get(f"/{sent['resourceType']}/{sent['id']}").json()
    assert without_server_metadata(read, sent) == expected_of(sent)
    assert read["meta"]["versionId"] == "1"
    for tag in sent.get("meta", {}).get("tag", []):
        assert tag in read["meta"]["tag"]


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_survives_post_then_read(api: httpx.Client, name: str) -> None:
    put_targets(api)
    sent = load(EXAMPLES / name)
    response = api.post(f"/{sent['resourceType']}", json=sent, headers=FHIR)
    assert response.status_code == 201, response.text
    created = response.json()
    read = api.get(f"/{sent['resourceType']}/{created['id']}").json()
    assert without_freshness(read) == created
    sent.pop("id")
    read.pop("id")
    assert without_server_metadata(read, sent) == expected_of(sent)


def expected_names(body: dict[str, Any]) -> list[str]:
    tags = body.get("meta", {}).get("tag", [])
    codes = [t["code"] for t in tags if t.get("system") == "urn:kit:expect"]
    return [name.strip() for code in codes for name in code.split(";")]


@pytest.mark.parametrize("path", sorted(BROKEN.glob("*.json")), ids=lambda p: p.name)
def test_kit_broken_copies_are_refused_naming_the_faults(api: httpx.Client, path: Path) -> None:
    put_targets(api)
    body = load(path)
    response = api.put(f"/{body['resourceType']}/{body['id']}", json=body, headers=FHIR)
    assert response.status_code == 400, response.text
    text = json.dumps([i for i in response.json()["issue"] if i["severity"] == "error"])
    for name in expected_names(body):
        assert name in text, f"{name} not named in {text}"
    assert api.get(f"/{body['resourceType']}/{body['id']}").status_code == 404


def _hs() -> dict[str, Any]:
    return load(EXAMPLES / "HealthcareService-1234564.json")


def _drop_extension(body: dict[str, Any], tail: str) -> dict[str, Any]:
    body["extension"] = [e for e in body["extension"] if not e["url"].endswith(tail)]
    return body


def _two_identifiers(body: dict[str, Any]) -> dict[str, Any]:
    body["identifier"] = body["identifier"] * 2
    return body


def _unknown_care_mode(body: dict[str, Any]) -> dict[str, Any]:
    body["characteristic"].append(coding("TRE_R213-ModePriseEnCharge", "99"))
    return body


def _provided_by_array(body: dict[str, Any]) -> dict[str, Any]:
    body["providedBy"] = [body["providedBy"]]
    return body


BREAKAGES = {
    "missing sensitive-unit": (lambda b: _drop_extension(b, "sensitive-unit"),
                               "ror-healthcareservice-sensitive-unit"),
    "two identifiers": (_two_identifiers, "HealthcareService.identifier"),
    "unknown care mode": (_unknown_care_mode, "HealthcareService.characteristic"),
    "providedBy as array": (_provided_by_array, "HealthcareService.providedBy"),
}


@pytest.mark.parametrize("case", sorted(BREAKAGES))
def test_hand_broken_copies_are_refused_with_expression(api: httpx.Client, case: str) -> None:
    put_targets(api)
    breaker, expression = BREAKAGES[case]
    body = breaker(_hs())
    response = api.put(f"/HealthcareService/{body['id']}", json=body, headers=FHIR)
    assert response.status_code == 400, response.text
    expressions = [e for i in response.json()["issue"] if i["severity"] == "error"
                   for e in i.get("expression", [])]
    assert any(expression in e for e in expressions), expressions


def test_dangling_reference_in_an_example_is_refused(api: httpx.Client) -> None:
    body = _hs()
    response = api.put(f"/HealthcareService/{body['id']}", json=body, headers=FHIR)
    assert response.status_code == 400
    issues = response.json()["issue"]
    assert {tuple(i["expression"]) for i in issues} == {
        ("HealthcareService.providedBy",), ("HealthcareService.location[0]",)}
