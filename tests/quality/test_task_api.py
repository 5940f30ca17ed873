"""The anomaly workflow through HTTP, on both back-ends: routing on POST, the searches
quality managers use, 422 OperationOutcome for an illegal transition (nothing stored), and
people's rights with a session (the referent answers, the operator triages)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from openror.fhir.profiles import TRE_R30_REGION
from openror.quality import workflow as w
from tests.api.people_fixture import logged_in, people_server, world  # noqa: F401 (fixtures)
from tests.api.search_fixture import anomaly
from tests.builders import parameters, patch_op
from tests.conftest import LiveServer

FHIR = {"Content-Type": "application/fhir+json"}


@pytest.fixture
def server(world: LiveServer) -> LiveServer:  # noqa: F811 (the fixture imported above)
    """The live server of region 32 with the roles world and an account per role."""
    return world


def _new(focus: dict[str, Any], status: str = "02") -> dict[str, Any]:
    body = anomaly("x", "", "ANO-NEW")
    del body["id"]
    body["focus"] = focus
    body["businessStatus"]["coding"][0]["code"] = status
    body["input"].append({"type": {"coding": [{
        "system": body["input"][0]["type"]["coding"][0]["system"], "code": "ruleErrorId"}]},
        "valueString": "CO4"})
    return body


def _move(to: str, reason: str | None = None) -> dict[str, Any]:
    ops = [patch_op("replace", "Task.businessStatus", value={"valueCodeableConcept": {
        "coding": [{"system": w.BUSINESS_STATUS_SYSTEM, "code": to}]}})]
    if reason:
        ops.append(patch_op("add", "Task", name={"valueString": "statusReason"},
                            value={"valueCodeableConcept": {"text": reason}}))
    return parameters(*ops)


def _ids(api: httpx.Client, query: str) -> set[str]:
    response = api.get(f"/Task?{query}")
    assert response.status_code == 200, response.text
    return {e["resource"]["id"] for e in response.json().get("entry", [])}


def _post(api: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    return api.post("/Task", content=json.dumps(body), headers=FHIR)


def test_a_reported_anomaly_is_routed_and_found_by_what_managers_search(
        server: LiveServer) -> None:
    with server.client() as api:
        made = _post(api, _new({"type": "HealthcareService",
                                "identifier": {"value": "32/hs-a"}}))
        assert made.status_code == 201, made.text
        task = made.json()
        assert task["focus"]["reference"] == "HealthcareService/hs-a"
        assert task["owner"] == {"reference": "Organization/eg-a"}
        new, old = task["id"], "task-32"  # the server's anomaly on hs-a, without owner
        assert _ids(api, "focus=HealthcareService/hs-a") == {new, old}
        assert _ids(api, "focus:HealthcareService.identifier=32/hs-a") == {new, old}
        assert _ids(api, f"_tag={TRE_R30_REGION}|32") == {new, old}
        assert _ids(api, f"_tag={TRE_R30_REGION}|84") == {"task-84"}
        assert new in _ids(api, f"business-status={w.BUSINESS_STATUS_SYSTEM}|02")
        assert _ids(api, "status=ready") == {new}
        assert new in _ids(api, "code=06")
        assert _ids(api, "owner=Organization/eg-a") == {new}
        assert _ids(api, "rule=CO4") == {new}
        offers = api.get("/HealthcareService?_id=hs-a,hs-b&_revinclude=Task:focus").json()
        included = {e["resource"]["id"] for e in offers["entry"]
                    if e["resource"]["resourceType"] == "Task"}
        assert included == {new, old}


def test_an_unknown_focus_blocks_and_a_closed_status_is_refused(server: LiveServer) -> None:
    with server.client() as api:
        blocked = _post(api, _new({"identifier": {"value": "32/personne"}}))
        assert blocked.status_code == 201, blocked.text
        assert blocked.json()["businessStatus"]["coding"][0]["code"] == "04"
        refused = _post(api, _new({"reference": "HealthcareService/hs-a"}, "08"))
        assert refused.status_code == 422
        issue = refused.json()["issue"][0]
        assert issue["code"] == "business-rule"
        assert issue["expression"] == ["Task.businessStatus"]


def test_an_illegal_transition_answers_422_and_stores_nothing(server: LiveServer) -> None:
    with server.client() as api:
        before = api.get("/Task/task-32").json()
        for method, path in (("PATCH", "/Task/task-32"),
                             ("PATCH", "/Task?identifier=https://ror.example/anomalies|ANO-32")):
            response = api.request(method, path, content=json.dumps(_move("09")),
                                   headers=FHIR)
            assert response.status_code == 422, response.text
            outcome = response.json()
            assert outcome["resourceType"] == "OperationOutcome"
            issue = outcome["issue"][0]
            assert issue["code"] == "business-rule"
            assert issue["expression"] == ["Task.businessStatus"]
            assert "02 À traiter" in issue["diagnostics"] and "09 Refusé" in issue["diagnostics"]
        assert api.get("/Task/task-32").json() == before


def _as(server: LiveServer, login: str, rid: str, body: dict[str, Any]) -> httpx.Response:
    with logged_in(server, login) as (client, csrf):
        return client.patch(f"/fhir/Task/{rid}", content=json.dumps(body),
                            headers={**FHIR, "X-CSRF-Token": csrf})


def test_the_referent_answers_and_the_operator_triages(server: LiveServer) -> None:
    with server.client() as api:
        sent = api.patch("/Task/task-32", content=json.dumps(_move("05")), headers=FHIR)
        assert sent.status_code == 200, sent.text
        assert sent.json()["executionPeriod"]["start"] == sent.json()["lastModified"]
    tolerate = _as(server, "ref", "task-32", _move("06", "plus tard"))
    assert tolerate.status_code == 403
    assert tolerate.json()["issue"][0]["code"] == "forbidden"
    elsewhere = _as(server, "op", "task-84", _move("06", "plus tard"))
    assert elsewhere.status_code == 403
    tolerated = _as(server, "op", "task-32", _move("06", "travaux en cours"))
    assert tolerated.status_code == 200, tolerated.text
    reopened = _as(server, "op", "task-32", _move("02"))
    assert reopened.json()["status"] == "ready"
    _as(server, "op", "task-32", _move("05"))
    corrected = _as(server, "ref", "task-32", _move("08"))
    assert corrected.status_code == 200, corrected.text
    done = corrected.json()
    assert done["status"] == "completed"
    assert done["executionPeriod"]["end"] == done["lastModified"]


def test_people_see_the_anomalies_they_answer(server: LiveServer) -> None:
    made = {}
    with server.client() as api:
        for focus in ("HealthcareService/hs-a", "HealthcareService/hs-b",
                      "HealthcareService/hs-p", "Practitioner/pract-p", "HealthcareService/hs-84"):
            response = _post(api, _new({"reference": focus}))
            assert response.status_code == 201, response.text
            made[focus] = response.json()["id"]
    expected = {
        "ref": {made["HealthcareService/hs-a"]},
        "pro": {made["HealthcareService/hs-p"], made["Practitioner/pract-p"]},
        "op": {*made.values(), "task-32"} - {made["HealthcareService/hs-84"]},
    }
    for login, wanted in expected.items():
        with logged_in(server, login) as (client, _csrf):
            bundle = client.get("/fhir/Task").json()
            assert {e["resource"]["id"] for e in bundle.get("entry", [])} == wanted, login
            hidden = made["HealthcareService/hs-84"]
            assert client.get(f"/fhir/Task/{hidden}").status_code == 404
