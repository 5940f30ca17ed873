"""Every error path returns a well-formed OperationOutcome with the right status and the
request id; never a stack trace."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.api.test_crud import FHIR, create
from tests.builders import organization
from tests.conftest import LiveServer

CASES: list[tuple[str, str, dict[str, Any], int, str]] = [
    ("GET", "/Foo/1", {}, 404, "not-supported"),
    ("GET", "/Organization/nope", {}, 404, "not-found"),
    ("GET", "/Organization/bad id!", {}, 404, "not-found"),
    ("POST", "/Measure", {"json": {"resourceType": "Measure"}}, 405, "not-supported"),
    ("POST", "/Organization", {"content": b"<Organization/>",
                               "headers": {"Content-Type": "application/xml"}}, 415,
     "not-supported"),
    ("POST", "/Organization", {"content": b"{not json",
                               "headers": FHIR}, 400, "invalid"),
    ("POST", "/Organization", {"content": b"[]", "headers": FHIR}, 400, "structure"),
    ("POST", "/Organization", {"json": {"name": "x"}, "headers": FHIR}, 400, "required"),
    ("POST", "/Organization", {"json": {"resourceType": "Location"}, "headers": FHIR}, 400,
     "invalid"),
    ("PATCH", "/Organization/x", {"content": b"[]",
                                  "headers": {"Content-Type": "application/json-patch+json"}},
     415, "not-supported"),
    ("DELETE", "/Organization/absent", {}, 404, "not-found"),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "code"), CASES)
def test_error_shape(api: httpx.Client, method: str, path: str, kwargs: dict[str, Any],
                     status: int, code: str) -> None:
    response = api.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == code
    assert body["issue"][0]["severity"] in ("error", "fatal")
    assert body["id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text


def test_client_request_id_is_echoed(api: httpx.Client) -> None:
    response = api.get("/Organization/nope", headers={"X-Request-Id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert response.json()["id"] == "abc-123"


def test_validation_error_names_the_element(api: httpx.Client) -> None:
    body = organization()
    body["telecom"][0]["extension"] = body["telecom"][0]["extension"][:1]
    response = api.post("/Organization", json=body, headers=FHIR)
    assert response.status_code == 400
    expressions = [e for i in response.json()["issue"] for e in i.get("expression", [])]
    assert any("telecom" in e for e in expressions)


def test_gone_is_410(api: httpx.Client) -> None:
    org = create(api, organization())
    api.delete(f"/Organization/{org['id']}")
    assert api.get(f"/Organization/{org['id']}").status_code == 410


def test_capability_statement_states_what_is_implemented(api: httpx.Client) -> None:
    cs = api.get("/metadata").json()
    assert cs["resourceType"] == "CapabilityStatement"
    assert cs["fhirVersion"] == "4.0.1"
    kinds = {r["type"]: {i["code"] for i in r["interaction"]} for r in cs["rest"][0]["resource"]}
    assert set(kinds) == {"Organization", "HealthcareService", "Location", "Practitioner",
                          "PractitionerRole", "Task", "Questionnaire", "Measure",
                          "MeasureReport", "Subscription"}
    assert kinds["Measure"] == {"read", "vread", "history-instance", "history-type",
                                "search-type"}
    assert {"create", "update", "patch", "delete", "search-type"} <= kinds["HealthcareService"]
    assert kinds["Subscription"] == {"read", "create", "update", "delete", "search-type"}


def test_a_bug_is_a_500_outcome_without_stack_trace(
    api: httpx.Client, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(live_server.app.state.services.reader, "read", broken)
    response = api.get("/Organization/x")
    assert response.status_code == 500
    body = response.json()
    assert body["issue"][0]["severity"] == "fatal"
    assert body["id"] == response.headers["x-request-id"]
    assert "secret" not in response.text and "Traceback" not in response.text


def test_an_echoed_value_stays_a_valid_fhir_string(api: httpx.Client) -> None:
    """Found by the ROR conformance run: a control character or a no-break space in the id
    was echoed as it was, which FHIR strings may not hold."""
    response = api.get("/Task/%C2%A0%0C%15x")
    assert response.status_code == 404
    diagnostics = response.json()["issue"][0]["diagnostics"]
    assert re.fullmatch(r"[ \r\n\t\S]+", diagnostics), diagnostics
    assert "x" in diagnostics
