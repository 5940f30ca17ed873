"""``GET /api/openapi.json`` over HTTP (both databases): a valid OpenAPI 3.1 document, served
without a token, that declares exactly the parameters of ``/api/orientation``; the real
answers of the ``/api/`` routes, errors included, validate against its schemas."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.routing import Mount, Route

from openror import __version__
from openror.api.orientation_api import PARAMS
from openror.quality import run as quality_run
from tests.api.test_auth import token_for
from tests.conftest import LiveServer, wipe
from tests.search import test_orientation_criteria, test_orientation_ranking
from tests.sync.test_subscriptions import subscription

FHIR = {"Content-Type": "application/fhir+json"}
DOC_URI = "urn:openror:openapi"
ORIENTATION = "/api/orientation"
HOOK = "http://127.0.0.1:9/hook"  # nothing listens: deliveries stay pending or fail


@pytest.fixture(scope="module")
def doc(live_server: LiveServer) -> dict[str, Any]:
    """The document as served, fetched without any credential."""
    with httpx.Client(base_url=live_server.url, timeout=30) as anonymous:
        reply = anonymous.get("/api/openapi.json")
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = reply.json()
    return body


@pytest.fixture(scope="module")
def loaded(live_server: LiveServer) -> Iterator[httpx.Client]:
    """Both orientation worlds (near Versailles with capacities, near Laon with hours,
    contacts and equipment), written through the FHIR API, and a quality run on them."""
    wipe(live_server.app.state.services.db)
    with live_server.client("") as client:
        for body in [*test_orientation_ranking.world(), *test_orientation_criteria.world()]:
            client.put(f"/fhir/{body['resourceType']}/{body['id']}", json=body,
                       headers=FHIR).raise_for_status()
        services = live_server.app.state.services
        quality_run.run(services.db, services.terminology)
        yield client


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def resolve(doc: dict[str, Any], pointer: str) -> Any:
    found: Any = doc
    for token in pointer.lstrip("/").split("/"):
        found = found[token.replace("~1", "/").replace("~0", "~")]
    return found


def errors(doc: dict[str, Any], pointer: str, instance: Any) -> str | None:
    """Why ``instance`` does not validate against the schema at ``pointer`` (None: it
    does). Formats (date-time, date) are checked too."""
    registry = Registry().with_resource(
        DOC_URI, Resource.from_contents(doc, default_specification=DRAFT202012))
    validator = Draft202012Validator({"$ref": f"{DOC_URI}#{pointer}"}, registry=registry,
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    error = best_match(validator.iter_errors(instance))
    return None if error is None else f"{error.json_path}: {error.message}"


def check(doc: dict[str, Any], reply: httpx.Response, path: str, method: str = "get") -> None:
    """The reply is one the document declares for the operation: its status, its media type,
    and a body that validates against the schema."""
    responses = doc["paths"][path][method]["responses"]
    status = str(reply.status_code)
    assert status in responses, f"{method} {path}: {status} undeclared: {reply.text[:300]}"
    pointer = f"/paths/{escape(path)}/{method}/responses/{status}"
    if "$ref" in responses[status]:
        pointer = responses[status]["$ref"].removeprefix("#")
    content = resolve(doc, pointer).get("content", {})
    if not content:
        assert reply.content == b""
        return
    media = reply.headers["content-type"].split(";")[0].strip()
    assert media in content, f"{method} {path}: {media} undeclared"
    if media == "text/csv":
        return  # a string
    problem = errors(doc, f"{pointer}/content/{escape(media)}/schema", reply.json())
    assert problem is None, f"{method} {path} {status}: {problem}"


def test_a_valid_openapi_3_1_document_served_without_a_token(
        doc: dict[str, Any], live_server: LiveServer) -> None:
    validate_spec(doc)
    assert doc["openapi"].startswith("3.1.")
    assert doc["info"]["version"] == __version__
    assert doc["paths"]["/api/openapi.json"]["get"]["security"] == []
    with httpx.Client(base_url=live_server.url, timeout=30) as anonymous:
        # the same server refuses the API itself without a token: the exemption is this path
        assert anonymous.get(ORIENTATION, params={"q": "cardio", "commune": "78646"}
                             ).status_code == 401
        bad_token = anonymous.get("/api/openapi.json",
                                  headers={"Authorization": "Bearer nonsense"})
    assert bad_token.status_code == 200


def test_every_orientation_parameter_and_nothing_else(doc: dict[str, Any]) -> None:
    declared = doc["paths"][ORIENTATION]["get"]["parameters"]
    assert sorted(p["name"] for p in declared) == sorted(PARAMS)
    assert all(p["in"] == "query" and not p.get("required") for p in declared)


def test_every_api_route_is_described(doc: dict[str, Any], live_server: LiveServer) -> None:
    api = next(r for r in live_server.app.routes if isinstance(r, Mount) and r.path == "/api")
    served = {(f"/api{r.path}", m.lower()) for r in api.routes if isinstance(r, Route)
              for m in r.methods or () if m != "HEAD"}
    described = {(path, m) for path, item in doc["paths"].items() for m in item}
    assert served == described


def test_every_example_of_the_document_validates(doc: dict[str, Any]) -> None:
    """The examples are part of what readers trust."""
    seen = 0
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                for media, found in response.get("content", {}).items():
                    pointer = f"/paths/{escape(path)}/{method}/responses/{status}/content/" \
                              f"{escape(media)}"
                    examples = [e["value"] for e in found.get("examples", {}).values()]
                    for example in [*examples, *([found["example"]] if "example" in found
                                                 else [])]:
                        assert errors(doc, f"{pointer}/schema", example) is None, pointer
                        seen += 1
    assert seen >= 4


def test_the_schema_can_fail(doc: dict[str, Any]) -> None:
    """A result with a field the document does not know, or without its score, fails: the
    tests below would see an answer that drifted from the document."""
    answer = doc["paths"][ORIENTATION]["get"]["responses"]["200"]["content"][
        "application/fhir+json"]["example"]
    pointer = f"/paths/{escape(ORIENTATION)}/get/responses/200/content/" \
              f"{escape('application/fhir+json')}/schema"
    extra = {**answer, "results": [{**answer["results"][0], "rank": 1}]}
    assert "rank" in (errors(doc, pointer, extra) or "")
    missing = {**answer, "results": [{k: v for k, v in answer["results"][0].items()
                                      if k != "score"}]}
    assert "score" in (errors(doc, pointer, missing) or "")


ORIENTATIONS = [
    # Versailles: availability figures, a hard criterion drops the offer explained
    {"q": "cardio", "commune": "78646", "age": "45", "explain": "cardio-child"},
    {"activity": "100", "q": "maternité niveau 3", "postalCode": "78000", "sex": "F"},
    {"q": "ophtalmo", "lat": "48.8026", "lon": "2.1179", "explain": "nope"},  # national
    {"q": "cardio", "commune": "78646", "count": "1", "explain": "cardio-versailles"},  # rank
    # Laon: hours (open, closed, unknown), contacts, equipment with a weight, acts, publics
    {"q": "cardio", "commune": "02408", "count": "20"},
    {"q": "cardio", "equipment": "089,090", "equipmentLimit": "200|kg",
     "address": "12 rue de la Paix 02000 Laon", "explain": "bari-soissons"},
    {"q": "cardio", "act": test_orientation_criteria.ACT, "public": "01", "commune": "02408",
     "openNow": "true"},
    {"q": "lit bariatrique 400 kg", "commune": "02408", "sex": "male"},
]
#: (parameters, the parameter the 400 names)
BAD = [
    ({"q": "cardio", "commune": "78646", "radius": "5"}, "radius"),
    ({"q": "cardio", "commune": "78646", "count": "0"}, "count"),
    ({"q": "cardio", "commune": "99999"}, "commune"),
    ({"commune": "78646"}, "activity"),
    ({"q": "cardio", "lat": "48.8"}, "lon"),
    ({"q": "cardio", "commune": "02408", "equipmentLimit": "200"}, "equipmentLimit"),
]


@pytest.mark.parametrize("params", ORIENTATIONS)
def test_orientation_answers_validate(doc: dict[str, Any], loaded: httpx.Client,
                                      params: dict[str, str]) -> None:
    reply = loaded.get(ORIENTATION, params=params)
    assert reply.status_code == 200, reply.text
    check(doc, reply, ORIENTATION)


@pytest.mark.parametrize(("params", "expression"), BAD)
def test_bad_parameters_validate(doc: dict[str, Any], loaded: httpx.Client,
                                 params: dict[str, str], expression: str) -> None:
    reply = loaded.get(ORIENTATION, params=params)
    assert reply.status_code == 400
    check(doc, reply, ORIENTATION)
    assert reply.json()["issue"][0]["expression"] == [expression]


def test_what_the_answers_covered(loaded: httpx.Client) -> None:
    """The validation above saw the nullable and optional parts filled and empty."""
    every = [loaded.get(ORIENTATION, params=p).json() for p in ORIENTATIONS]
    results = [r for body in every for r in body["results"]]
    assert {r["availability"]["available"] is None for r in results} == {True, False}
    assert {r["opening"]["openNow"] for r in results} == {True, False, None}
    assert any(r["contacts"] for r in results) and any(not r["contacts"] for r in results)
    assert {b["whyNot"]["stage"] for b in every if "whyNot" in b} >= {"filters", "unknown",
                                                                     "rank"}


def test_a_forbidden_criterion_validates(doc: dict[str, Any], live_server: LiveServer,
                                         loaded: httpx.Client) -> None:
    made = live_server.app.state.services.clients.add("open data", 0)
    headers = {"Authorization": f"Bearer {token_for(live_server, made)}"}
    with httpx.Client(base_url=live_server.url, timeout=30, headers=headers) as open_data:
        reply = open_data.get(ORIENTATION, params={"q": "cardio", "commune": "02408",
                                                   "equipment": "089"})
    assert reply.status_code == 403
    check(doc, reply, ORIENTATION)


def test_the_parameter_examples_are_accepted(doc: dict[str, Any], loaded: httpx.Client) -> None:
    """Each example of the document, added to a plain query, is a 200."""
    partners = {"equipmentLimit": {"equipment": "089"}, "lat": {"lon": "2.1179"},
                "lon": {"lat": "48.8026"}}
    for param in doc["paths"][ORIENTATION]["get"]["parameters"]:
        example = param["example"]
        value = ",".join(example) if isinstance(example, list) else \
            str(example).lower() if isinstance(example, bool) else str(example)
        params = {"q": "cardio", "commune": "02408", **partners.get(param["name"], {}),
                  param["name"]: value}
        reply = loaded.get(ORIENTATION, params=params)
        assert reply.status_code == 200, (param["name"], reply.text)


def test_the_other_api_answers_validate(doc: dict[str, Any], loaded: httpx.Client) -> None:
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("get", "/api/quality/rules", {}),
        ("get", "/api/quality/results", {"params": {"_count": "5"}}),
        ("get", "/api/quality/results", {"params": {"_format": "csv"}}),
        ("get", "/api/quality/results", {"params": {"deviating": "maybe"}}),
        ("get", "/api/quality/indicators", {"params": {"by": "region,departement"}}),
        ("get", "/api/quality/freshness", {"params": {"site": "Organization/eg"}}),
        ("get", "/api/quality/freshness", {"params": {"site": "Organization/none"}}),
        ("post", "/api/quality/confirmations", {"json": {"unit": "Organization/eg"}}),
        ("post", "/api/quality/confirmations", {"json": {"unit": "Patient/1"}}),
        ("get", "/api/capacity/history", {}),
        ("get", "/api/capacity/history", {"params": {"_format": "csv"}}),
        ("get", "/api/capacity/history", {"params": {"since": "yesterday"}}),
        ("get", "/api/capacity/alerts", {}),
        ("post", "/api/capacity/alerts", {"json": {"name": "x", "below": 0, "url": HOOK}}),
    ]
    for method, path, options in calls:
        check(doc, loaded.request(method, path, **options), path, method)
    check(doc, loaded.get("/api/subscriptions/none/deliveries"),
          "/api/subscriptions/{id}/deliveries")  # 404
    paged = loaded.get("/api/quality/results", params={"_count": "1"}).json()
    assert len(paged["rows"]) == 1 and "next" in paged  # a quality run filled them
    indicators = loaded.get("/api/quality/indicators").json()
    assert indicators["rows"] and indicators["trend"]
    assert loaded.get("/api/capacity/history").json()["rows"]


def test_alerts_and_subscription_logs_validate(doc: dict[str, Any],
                                               loaded: httpx.Client) -> None:
    alerts, one = "/api/capacity/alerts", "/api/capacity/alerts/{id}"
    made = loaded.post(alerts, json={"name": "Cardio Yvelines", "departement": "78",
                                     "activities": ["013"], "below": 100, "url": HOOK})
    check(doc, made, alerts, "post")
    alert = made.json()["id"]
    assert made.json()["state"] == "below"  # a delivery is queued at once
    check(doc, loaded.get(alerts), alerts)
    log = loaded.get(f"{alerts}/{alert}/deliveries")
    check(doc, log, one + "/deliveries")
    assert log.json()["deliveries"]
    check(doc, loaded.delete(f"{alerts}/{alert}"), one, "delete")
    check(doc, loaded.delete(f"{alerts}/{alert}"), one, "delete")  # 404
    subscribed = loaded.post("/fhir/Subscription", json=subscription(HOOK), headers=FHIR)
    assert subscribed.status_code == 201, subscribed.text
    offer = loaded.get("/fhir/HealthcareService/kine").json()
    loaded.put("/fhir/HealthcareService/kine", json={**offer, "name": "Kiné"},
               headers=FHIR).raise_for_status()
    path = "/api/subscriptions/{id}/deliveries"
    deliveries = loaded.get(f"/api/subscriptions/{subscribed.json()['id']}/deliveries")
    check(doc, deliveries, path)
    assert deliveries.json()["deliveries"]
