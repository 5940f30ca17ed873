"""FHIR Bulk Data $export over real HTTP: kick-off (system and type level, GET and POST),
polling, manifest, files, deletion, expiry, parameters, the read policy, and the content
equal to the searches of the same criteria. Both back-ends."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest

from openror.config import Settings
from openror.fhir.profiles import TRE_R30_REGION
from openror.store.feed_order import SEQUENCE_URL
from openror.store.resources import utcnow
from openror.sync.export import jobs
from openror.sync.export.runner import exports_dir
from tests.builders import (
    SD,
    coding,
    healthcare_service,
    location,
    organization,
    practitioner,
    practitioner_role,
    telecom,
)
from tests.conftest import LiveServer, wipe

ASYNC = {"Prefer": "respond-async"}
REGION_TAG = f"{TRE_R30_REGION}|11"


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    """No background export work: jobs run in the process that received them."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), database_url=database_url,
                        region="11", log_level="WARNING", rate_limit_per_minute=1_000_000,
                        rate_limit_burst=100_000, export_interval_seconds=0,
                        alert_interval_seconds=0, subscription_interval_seconds=0)
    with LiveServer(settings) as live:
        yield live


def _region(body: dict[str, Any], code: str) -> dict[str, Any]:
    return {**body, "meta": {"tag": [{"system": TRE_R30_REGION, "code": code}]}}


def _id(response: httpx.Response) -> str:
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture
def world(server: LiveServer) -> Iterator[dict[str, str]]:
    """Region 11: a legal entity (a very restricted telecom) with a site, a city offer on the
    site with a place, a role and its practitioner, and a sensitive unit. Region 32: another
    organisation and its offer. And an organisation without offers."""
    wipe(server.app.state.services.db)
    with server.client() as c:
        ids: dict[str, str] = {}
        ej = organization("Entité juridique", "010000001")
        ej["telecom"] = [telecom("0100000001", level="1"), telecom("0100000003", level="3")]
        ids["ej"] = _id(c.post("/Organization", json=ej))
        ids["site"] = _id(c.post("/Organization", json=organization(
            "Site", "010000002", part_of=f"Organization/{ids['ej']}")))
        ids["place"] = _id(c.post("/Location", json=location()))
        ids["offer"] = _id(c.post("/HealthcareService", json=healthcare_service(
            f"Organization/{ids['site']}", f"Location/{ids['place']}")))
        ids["practitioner"] = _id(c.post("/Practitioner", json=practitioner()))
        ids["role"] = _id(c.post("/PractitionerRole", json=practitioner_role(
            f"Practitioner/{ids['practitioner']}", f"HealthcareService/{ids['offer']}")))
        sensitive = healthcare_service(f"Organization/{ids['site']}")
        sensitive["extension"][0] = {"url": SD + "ror-healthcareservice-sensitive-unit",
                                     "valueBoolean": True}
        ids["sensitive"] = _id(c.post("/HealthcareService", json=sensitive))
        ids["other_org"] = _id(c.post("/Organization", json=_region(
            organization("Ailleurs", "320000001"), "32")))
        ids["other_offer"] = _id(c.post("/HealthcareService", json=_region(
            healthcare_service(f"Organization/{ids['other_org']}"), "32")))
        ids["lonely"] = _id(c.post("/Organization", json=organization("Seule", "010000009")))
    yield ids


def _finished(client: httpx.Client, status_url: str) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        response = client.get(status_url)
        if response.status_code != 202:
            return response
        assert response.headers["Retry-After"].isdigit()
        assert response.headers["X-Progress"]
        assert time.monotonic() < deadline, "the export did not finish"
        time.sleep(0.05)


def _export(client: httpx.Client, path: str = "/$export",
            params: dict[str, str] | None = None) -> tuple[dict[str, Any], str]:
    kicked = client.get(path, params=params, headers=ASYNC)
    assert kicked.status_code == 202, kicked.text
    status_url = kicked.headers["Content-Location"]
    done = _finished(client, status_url)
    assert done.status_code == 200, done.text
    return done.json(), status_url


def _contents(client: httpx.Client, manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """'Type/id' -> resource, from every file of the manifest."""
    found: dict[str, dict[str, Any]] = {}
    for out in manifest["output"]:
        response = client.get(out["url"])
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/fhir+ndjson")
        lines = response.content.splitlines()
        assert len(lines) == out["count"]
        for line in lines:
            body = orjson.loads(line)
            assert body["resourceType"] == out["type"]
            found[f"{body['resourceType']}/{body['id']}"] = body
    return found


def _searched(client: httpx.Client, rtype: str, query: str = "") -> dict[str, dict[str, Any]]:
    bundle = client.get(f"/{rtype}?_count=1000" + (f"&{query}" if query else "")).json()
    return {f"{rtype}/{e['resource']['id']}": e["resource"] for e in bundle.get("entry", [])
            if e["search"]["mode"] == "match"}


def test_system_export_equals_the_searches(server: LiveServer, world: dict[str, str]) -> None:
    with server.client() as c:
        manifest, _ = _export(c)
        assert manifest["requiresAccessToken"] is True
        assert manifest["error"] == []
        assert manifest["request"].endswith("/fhir/$export")
        assert manifest["transactionTime"].startswith(str(utcnow().year))
        # where a consumer goes on in the change feed: nothing after the snapshot yet
        position = manifest["extension"][SEQUENCE_URL]
        feed = c.get("/_history", params={"_after": position}).json()
        assert feed.get("entry", []) == []
        exported = _contents(c, manifest)
        searched: dict[str, dict[str, Any]] = {}
        for rtype in ("Organization", "HealthcareService", "Location", "Practitioner",
                      "PractitionerRole"):
            searched.update(_searched(c, rtype))
    assert exported == searched
    assert f"HealthcareService/{world['sensitive']}" in exported  # profile 1 sees it


def test_type_filter_by_region_equals_the_search(server: LiveServer,
                                                  world: dict[str, str]) -> None:
    with server.client() as c:
        manifest, _ = _export(c, "/HealthcareService/$export",
                              {"_typeFilter": f"HealthcareService?_tag={REGION_TAG}"})
        exported = _contents(c, manifest)
        assert exported == _searched(c, "HealthcareService", f"_tag={REGION_TAG}")
    assert set(exported) == {f"HealthcareService/{world['offer']}",
                             f"HealthcareService/{world['sensitive']}"}


def test_several_type_filters_are_or_and_take_chains(server: LiveServer,
                                                     world: dict[str, str]) -> None:
    """Two searches in one _typeFilter value (comma before the second type), one of them
    chained: the offers matching either."""
    with server.client() as c:
        manifest, _ = _export(c, params={"_typeFilter": (
            f"HealthcareService?organization.name=Ailleurs,"
            f"HealthcareService?_id={world['offer']}")})
        exported = _contents(c, manifest)
        chained = _searched(c, "HealthcareService", "organization.name=Ailleurs")
    assert set(chained) == {f"HealthcareService/{world['other_offer']}"}
    assert set(exported) == {f"HealthcareService/{world['offer']}", *chained}


def test_complete_extract_of_a_region_is_the_offer_graph(server: LiveServer,
                                                         world: dict[str, str]) -> None:
    """The ROR regional extract: the typeFilter alone names the offers; the graph comes with
    them, parents included, and nothing of the other region or without offers."""
    with server.client() as c:
        manifest, _ = _export(c, params={
            "_outputFormat": "application/fhir+ndjson",
            "_typeFilter": f"HealthcareService?_tag={REGION_TAG}",
            "includeAssociatedData": "_myCompleteExtract"})
        exported = _contents(c, manifest)
    assert set(exported) == {
        f"HealthcareService/{world['offer']}", f"HealthcareService/{world['sensitive']}",
        f"Organization/{world['site']}", f"Organization/{world['ej']}",
        f"Location/{world['place']}", f"PractitionerRole/{world['role']}",
        f"Practitioner/{world['practitioner']}"}
    assert [o["type"] for o in manifest["output"]] == [
        "HealthcareService", "Organization", "Location", "PractitionerRole", "Practitioner"]


def test_since_and_a_parent_change_in_the_graph(server: LiveServer,
                                                world: dict[str, str]) -> None:
    with server.client() as c:
        mark = utcnow().isoformat() + "Z"
        renamed = c.patch(f"/Organization/{world['ej']}", json={
            "resourceType": "Parameters", "parameter": [{"name": "operation", "part": [
                {"name": "type", "valueCode": "replace"},
                {"name": "path", "valueString": "Organization.name"},
                {"name": "value", "valueString": "Nouveau nom"}]}]},
            headers={"Content-Type": "application/fhir+json"})
        assert renamed.status_code == 200, renamed.text
        plain, _ = _export(c, params={"_type": "HealthcareService", "_since": mark})
        assert plain["output"] == []  # no offer itself changed
        graph = _contents(c, _export(c, params={
            "_type": "HealthcareService", "_since": mark,
            "includeAssociatedData": "_myCompleteExtract"})[0])
        organizations = _contents(c, _export(c, params={"_type": "Organization",
                                                        "_since": mark})[0])
    assert f"HealthcareService/{world['offer']}" in graph  # its legal entity changed
    assert f"HealthcareService/{world['other_offer']}" not in graph
    assert graph[f"Organization/{world['ej']}"]["name"] == "Nouveau nom"
    assert f"Practitioner/{world['practitioner']}" in graph  # the whole graph comes
    assert set(organizations) == {f"Organization/{world['ej']}"}


def test_json_variant_is_one_bundle_per_file(server: LiveServer, world: dict[str, str]) -> None:
    with server.client() as c:
        manifest, _ = _export(c, params={"_outputFormat": "application/json",
                                         "_type": "Organization"})
        (out,) = manifest["output"]
        assert out["url"].endswith(".json")
        response = c.get(out["url"])
    assert response.headers["content-type"].startswith("application/fhir+json")
    bundle = response.json()
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    assert len(bundle["entry"]) == out["count"] == 4
    assert all(e["fullUrl"].endswith(f"/fhir/Organization/{e['resource']['id']}")
               for e in bundle["entry"])


def test_post_with_parameters_and_no_prefer_header(server: LiveServer,
                                                   world: dict[str, str]) -> None:
    with server.client() as c:
        kicked = c.post("/$export", json={"resourceType": "Parameters", "parameter": [
            {"name": "_type", "valueString": "Location"},
            {"name": "_outputFormat", "valueString": "ndjson"}]},
            headers={"Content-Type": "application/fhir+json"})
        assert kicked.status_code == 202, kicked.text
        done = _finished(c, kicked.headers["Content-Location"])
        assert set(_contents(c, done.json())) == {f"Location/{world['place']}"}


@pytest.mark.parametrize(("params", "expression"), [
    ({"_typo": "x"}, "_typo"),
    ({"_outputFormat": "text/csv"}, "_outputFormat"),
    ({"_since": "yesterday"}, "_since"),
    ({"_type": "Patient"}, "_type"),
    ({"_typeFilter": "HealthcareService?nonsense=1"}, "_typeFilter"),
    ({"_typeFilter": "HealthcareService?_count=3"}, "_typeFilter"),
    ({"_type": "Organization", "_typeFilter": "HealthcareService?_tag=a|1"}, "_typeFilter"),
    ({"includeAssociatedData": "LatestProvenanceResources"}, "includeAssociatedData"),
    ({"_type": "Organization", "includeAssociatedData": "_myCompleteExtract"}, "_type"),
])
def test_bad_parameters_are_refused(server: LiveServer, params: dict[str, str],
                                    expression: str) -> None:
    with server.client() as c:
        response = c.get("/$export", params=params, headers=ASYNC)
    assert response.status_code == 400, response.text
    issue = response.json()["issue"][0]
    assert issue["expression"] == [expression]


def test_another_client_cannot_poll_fetch_or_delete(server: LiveServer,
                                                    world: dict[str, str]) -> None:
    with server.client() as c:
        manifest, status_url = _export(c, params={"_type": "Organization"})
    with server.reader(1) as other:
        assert other.get(status_url).status_code == 404
        assert other.get(manifest["output"][0]["url"]).status_code == 404
        assert other.delete(status_url).status_code == 404
    with server.client() as c:  # still there for its owner
        assert c.get(manifest["output"][0]["url"]).status_code == 200


def test_delete_removes_the_job_and_its_files(server: LiveServer,
                                              world: dict[str, str]) -> None:
    with server.client() as c:
        manifest, status_url = _export(c, params={"_type": "Organization"})
        job_id = status_url.rsplit("=", 1)[1]
        files = exports_dir(server.app.state.services.settings) / job_id
        assert files.is_dir()
        assert c.delete(status_url).status_code == 202
        assert c.get(status_url).status_code == 404
        assert c.get(manifest["output"][0]["url"]).status_code == 404
    assert not files.exists()


def test_files_expire(server: LiveServer, world: dict[str, str]) -> None:
    services = server.app.state.services
    with server.client() as c:
        manifest, status_url = _export(c, params={"_type": "Organization"})
        exports = exports_dir(services.settings)
        later = utcnow() + timedelta(hours=services.settings.export_retention_hours, minutes=1)
        assert jobs.sweep(services.db, exports, now=later) == 1
        polled = c.get(status_url)
        fetched = c.get(manifest["output"][0]["url"])
    assert polled.status_code == 404
    assert "expired" in polled.json()["issue"][0]["diagnostics"]
    assert fetched.status_code == 404
    assert not (exports / status_url.rsplit("=", 1)[1]).exists()


def test_profile_0_export_is_what_profile_0_reads(server: LiveServer,
                                                  world: dict[str, str]) -> None:
    with server.reader(0) as public:
        exported = _contents(public, _export(public)[0])
        searched: dict[str, dict[str, Any]] = {}
        for rtype in ("Organization", "HealthcareService", "Location", "Practitioner",
                      "PractitionerRole"):
            searched.update(_searched(public, rtype))
    assert exported == searched
    assert f"HealthcareService/{world['sensitive']}" not in exported
    phones = [t["value"] for t in exported[f"Organization/{world['ej']}"]["telecom"]]
    assert phones == ["0100000001"]  # the very restricted one is withheld
    assert f"Practitioner/{world['practitioner']}" in exported  # a city offer's


def test_profile_3_sees_more_of_the_medico_social_offer_as_in_search(
        server: LiveServer, world: dict[str, str]) -> None:
    """Profile 3 reads medico-social offers as profile 2 (restricted telecoms too) and the
    others as open data: the export decides it for all resources at once, the search one by
    one; they agree."""
    with server.client() as c:
        offers = {}
        for field in ("04", "05"):
            body = healthcare_service(f"Organization/{world['site']}")
            body["type"] = [coding("TRE_R227-ChampActivite", field)]
            body["telecom"] = [telecom(f"01000000{field}", level="2")]
            offers[field] = _id(c.post("/HealthcareService", json=body))
    with server.reader(3) as p3:
        exported = _contents(p3, _export(p3, params={"_type": "HealthcareService"})[0])
        assert exported == _searched(p3, "HealthcareService")
    assert exported[f"HealthcareService/{offers['04']}"]["telecom"][0]["value"] == "0100000004"
    assert "telecom" not in exported[f"HealthcareService/{offers['05']}"]


def test_region_restricted_client_gets_its_regions_only(server: LiveServer,
                                                        world: dict[str, str]) -> None:
    with server.reader(1, ("32",)) as regional:
        exported = _contents(regional, _export(regional)[0])
    assert set(exported) == {f"Organization/{world['other_org']}",
                             f"HealthcareService/{world['other_offer']}"}


def test_capability_statement_declares_export(server: LiveServer) -> None:
    with server.client() as c:
        rest = c.get("/metadata").json()["rest"][0]
    assert any(op["name"] == "export" for op in rest["operation"])
    offers = next(r for r in rest["resource"] if r["type"] == "HealthcareService")
    assert any(op["name"] == "export" for op in offers.get("operation", []))


def test_any_server_process_answers_for_a_job(server: LiveServer, world: dict[str, str],
                                              tmp_path_factory: pytest.TempPathFactory) -> None:
    """Two server processes on one database and one export directory (openror serve
    --workers 2): a job kicked off on one is polled, downloaded and deleted on the other."""
    settings = server.app.state.services.settings
    with LiveServer(settings) as other, server.client() as first:
        second = httpx.Client(base_url=other.url + "/fhir", headers=server.headers, timeout=30)
        kicked = first.get("/$export", params={"_type": "Organization"}, headers=ASYNC)
        status_url = kicked.headers["Content-Location"].replace(server.url, other.url)
        done = _finished(second, status_url)
        assert done.status_code == 200, done.text
        (out,) = done.json()["output"]
        url = out["url"].replace(server.url, other.url)
        assert len(second.get(url).content.splitlines()) == out["count"] == 4
        assert second.delete(status_url).status_code == 202
        assert first.get(kicked.headers["Content-Location"]).status_code == 404
        second.close()
