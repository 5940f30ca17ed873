"""The steering indicators as Measure and MeasureReport: built from a week's indicator rows,
valid against the server's own profiles, published by the server alone (a second publication
of the same week makes no version), and found by the searches of the ROR use case."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import httpx
import orjson
import pytest

from openror.access.caller import SYSTEM, WRITE_ALL, Caller
from openror.errors import MethodNotAllowed
from openror.fhir.validate import validate_resource
from openror.quality import catalog
from openror.quality.measure_publish import publish, publish_week
from openror.quality.measures import measure, reports
from openror.services.clients import Clients
from openror.services.measure_writer import SystemMeasureWriter
from openror.services.writes import WritePath
from openror.store import quality_results
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.store.resources import read_current
from openror.terminology import default_terminology
from tests.conftest import LiveServer

WEEK = date(2026, 11, 23)
MEASURED_AT = datetime(2026, 11, 24, 6, 30, 12)
REGION_TAG = "https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM"
CO4 = "https://openror.fr/fhir/Measure/quality-CO4"


def _row(indicator: str, region: str, perimeter: int, conformant: int, partial: int = 0,
         departement: str = "", category: str = "") -> dict[str, Any]:
    return {"indicator": indicator, "region": region, "departement": departement,
            "field": "", "category": category, "perimeter": perimeter,
            "conformant": conformant, "partial": partial,
            "deviating": perimeter - conformant - partial}


#: CO4 in two départements of Île-de-France, in Hauts-de-France and at an unknown place;
#: PE (population: partial = in progress) in Île-de-France only
ROWS = [
    _row("CO4", "11", 3, 2, departement="78", category="355"),
    _row("CO4", "11", 5, 5, departement="92", category="106"),
    _row("CO4", "32", 4, 1, departement="59"),
    _row("CO4", "", 2, 0),
    _row("PE", "11", 8, 5, partial=2),
]


def _by_id(bodies: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {body["id"]: body for body in bodies}


def _populations(body: dict[str, Any]) -> dict[str, int]:
    return {p["code"]["coding"][0]["code"]: p["count"] for p in body["group"][0]["population"]}


def _errors(body: dict[str, Any]) -> list[str]:
    return [i.diagnostics for i in validate_resource(body, default_terminology()) if i.is_error]


# -- building ------------------------------------------------------------------------------

def test_reports_per_rule_and_region_with_a_national_roll_up() -> None:
    built = _by_id(reports(catalog.rules(), ROWS, WEEK, MEASURED_AT))
    assert set(built) == {"quality-CO4-11-2026-11-23", "quality-CO4-32-2026-11-23",
                          "quality-CO4-00-2026-11-23", "quality-PE-11-2026-11-23",
                          "quality-PE-00-2026-11-23"}  # no report for the unknown region
    idf = built["quality-CO4-11-2026-11-23"]
    assert _populations(idf) == {"initial-population": 8, "denominator": 8, "numerator": 7,
                                 "deviating": 1, "partial": 0}
    assert idf["group"][0]["measureScore"]["value"] == 0.875
    national = built["quality-CO4-00-2026-11-23"]  # 11 + 32 + the unknown region
    assert _populations(national) == {"initial-population": 14, "denominator": 14,
                                      "numerator": 8, "deviating": 6, "partial": 0}
    assert national["group"][0]["measureScore"]["value"] == round(8 / 14, 4)
    assert national["meta"]["tag"] == [{"system": REGION_TAG, "code": "00"}]
    pe = built["quality-PE-11-2026-11-23"]
    assert _populations(pe)["partial"] == 2 and _populations(pe)["deviating"] == 1
    assert idf["identifier"][0]["value"] == "CO4|11|2026-11-23"
    assert idf["measure"] == CO4
    assert idf["period"] == {"start": "2026-11-23", "end": "2026-11-29"}
    assert idf["date"] == "2026-11-24T06:30:12+00:00"
    assert (idf["status"], idf["type"]) == ("complete", "summary")


def test_the_resources_pass_the_servers_profile_validation() -> None:
    for rule in catalog.rules():
        assert _errors(measure(rule)) == [], rule.id
    for body in reports(catalog.rules(), ROWS, WEEK, MEASURED_AT):
        assert _errors(body) == [], body["id"]
    co4 = measure(catalog.rule("CO4"))
    assert co4["identifier"] == [{"system": "https://openror.fr/fhir/quality-indicator",
                                  "value": "CO4"}]
    assert co4["topic"][0]["coding"][0]["code"] == "06"  # Exactitude
    assert co4["group"][0]["code"]["coding"][0]["code"] == "CO4"
    assert co4["group"][0]["description"] == catalog.rule("CO4").scope


def test_the_national_tag_00_is_only_for_the_indicators() -> None:
    org = {"resourceType": "Organization", "meta": {"tag": [{"system": REGION_TAG,
                                                             "code": "00"}]}}
    assert any("meta.tag" in e for e in _errors(org))


# -- publishing ----------------------------------------------------------------------------

def _store_week(db: Database, run_id: str, rows: list[dict[str, Any]], at: datetime) -> None:
    with db.write() as conn:
        quality_results.start(conn, run_id, "cli", at)
        quality_results.replace_week(conn, WEEK, [{**row, "run_id": run_id} for row in rows])
        quality_results.finish(conn, run_id, at, "{}")


def _writer(db: Database) -> SystemMeasureWriter:
    return SystemMeasureWriter(WritePath(db, default_terminology(), "11"))


def _version(db: Database, rtype: str, rid: str) -> int:
    with db.read() as conn:
        current = read_current(conn, rtype, rid)
    assert current is not None
    return current.version


def _body(db: Database, rtype: str, rid: str) -> dict[str, Any]:
    with db.read() as conn:
        current = read_current(conn, rtype, rid)
    assert current is not None and current.content is not None
    found: dict[str, Any] = orjson.loads(current.content)
    return found


def test_publishing_the_same_week_twice_makes_no_new_version(db: Database) -> None:
    _store_week(db, "run-1", ROWS, MEASURED_AT)
    written = publish_week(db, _writer(db), WEEK)
    assert written == len(catalog.rules()) + 5
    assert _version(db, "Measure", "quality-CO4") == 1
    assert _version(db, "MeasureReport", "quality-CO4-00-2026-11-23") == 1
    assert _body(db, "MeasureReport", "quality-CO4-00-2026-11-23")["date"] == (
        "2026-11-24T06:30:12+00:00")  # when the run stored the rows
    publish_week(db, _writer(db), WEEK)
    assert _version(db, "Measure", "quality-CO4") == 1
    assert _version(db, "MeasureReport", "quality-CO4-11-2026-11-23") == 1
    # a later run of the same week: the same report, updated
    _store_week(db, "run-2", [_row("CO4", "11", 8, 8)], datetime(2026, 11, 25, 6, 30))
    publish_week(db, _writer(db), WEEK)
    assert _version(db, "MeasureReport", "quality-CO4-11-2026-11-23") == 2
    assert _version(db, "Measure", "quality-CO4") == 1


def test_a_week_without_rows_publishes_the_definitions_only(db: Database) -> None:
    assert publish_week(db, _writer(db), WEEK) == len(catalog.rules())


def test_only_the_server_writes_indicators(db: Database) -> None:
    writes = WritePath(db, default_terminology(), "11")
    admin = Caller("client:admin", 1, writes=frozenset({WRITE_ALL}))
    body = measure(catalog.rule("CO4"))
    with pytest.raises(MethodNotAllowed):
        writes.update("Measure", body["id"], body, LogEntry("client:admin"), caller=admin)
    with pytest.raises(MethodNotAllowed):  # the server writes by update only
        writes.create(body, LogEntry("system"), caller=SYSTEM)


# -- over HTTP -----------------------------------------------------------------------------

@pytest.fixture
def published(api: httpx.Client, live_server: LiveServer) -> Iterator[httpx.Client]:
    services = live_server.app.state.services
    publish(SystemMeasureWriter(services.writes), ROWS, WEEK, MEASURED_AT)
    publish(SystemMeasureWriter(services.writes), [_row("CO4", "11", 2, 1)],
            date(2026, 11, 16), datetime(2026, 11, 17, 6, 0))
    yield api


def _ids(bundle: httpx.Response) -> list[str]:
    assert bundle.status_code == 200, bundle.text
    return sorted(f"{e['resource']['resourceType']}/{e['resource']['id']}"
                  for e in bundle.json().get("entry", []))


def test_measures_are_found_by_identifier_and_topic(published: httpx.Client) -> None:
    assert _ids(published.get("/Measure", params={"identifier": "CO4"})) == [
        "Measure/quality-CO4"]
    assert _ids(published.get("/Measure", params={
        "identifier": "https://openror.fr/fhir/quality-indicator|EX1.2"})) == [
        "Measure/quality-EX1.2"]
    exactitude = [r.id for r in catalog.rules() if r.theme == "06"]
    assert _ids(published.get("/Measure", params={"topic": "06"})) == sorted(
        f"Measure/quality-{rid}" for rid in exactitude)


def test_reports_are_found_by_date_measure_tag_and_identifier(published: httpx.Client) -> None:
    this_week = _ids(published.get("/MeasureReport", params={"date": "ge2026-11-24"}))
    assert this_week == sorted(f"MeasureReport/{i}" for i in (
        "quality-CO4-11-2026-11-23", "quality-CO4-32-2026-11-23", "quality-CO4-00-2026-11-23",
        "quality-PE-11-2026-11-23", "quality-PE-00-2026-11-23"))
    last_week = _ids(published.get("/MeasureReport", params={"date": "le2026-11-17T23:59"}))
    assert last_week == ["MeasureReport/quality-CO4-00-2026-11-16",
                         "MeasureReport/quality-CO4-11-2026-11-16"]
    for measure_ref in (CO4, "Measure/quality-CO4"):
        found = _ids(published.get("/MeasureReport", params={"measure": measure_ref,
                                                             "_tag": f"{REGION_TAG}|11"}))
        assert found == ["MeasureReport/quality-CO4-11-2026-11-16",
                         "MeasureReport/quality-CO4-11-2026-11-23"]
    national = _ids(published.get("/MeasureReport", params={"_tag": f"{REGION_TAG}|00",
                                                            "period": "ge2026-11-23"}))
    assert national == ["MeasureReport/quality-CO4-00-2026-11-23",
                        "MeasureReport/quality-PE-00-2026-11-23"]
    assert _ids(published.get("/MeasureReport", params={"identifier": r"CO4\|32\|2026-11-23"})
                ) == ["MeasureReport/quality-CO4-32-2026-11-23"]


def test_the_ror_use_case_searches(published: httpx.Client) -> None:
    with_reports = _ids(published.get("/Measure", params={
        "identifier": "PE", "_revinclude": "MeasureReport:measure"}))
    assert with_reports == ["Measure/quality-PE", "MeasureReport/quality-PE-00-2026-11-23",
                            "MeasureReport/quality-PE-11-2026-11-23"]
    measured = _ids(published.get("/Measure", params={
        "_has:MeasureReport:measure:date": "eq2026-11-17T06:00",
        "_revinclude": "MeasureReport:measure"}))
    assert measured == ["Measure/quality-CO4",  # and its reports of both weeks
                        "MeasureReport/quality-CO4-00-2026-11-16",
                        "MeasureReport/quality-CO4-00-2026-11-23",
                        "MeasureReport/quality-CO4-11-2026-11-16",
                        "MeasureReport/quality-CO4-11-2026-11-23",
                        "MeasureReport/quality-CO4-32-2026-11-23"]
    report_and_measure = _ids(published.get("/MeasureReport", params={
        "_id": "quality-PE-11-2026-11-23", "_include": "MeasureReport:measure"}))
    assert report_and_measure == ["Measure/quality-PE", "MeasureReport/quality-PE-11-2026-11-23"]


def test_clients_cannot_write_indicators(published: httpx.Client) -> None:
    current = published.get("/Measure/quality-CO4")
    assert current.status_code == 200
    body = current.json()
    put = published.put("/Measure/quality-CO4", json={**body, "title": "changed"})
    post = published.post("/MeasureReport", json={**body, "resourceType": "MeasureReport"})
    for answer in (put, post):
        assert answer.status_code == 405, answer.text
        assert answer.json()["issue"][0]["code"] == "not-supported"
    assert published.get("/Measure/quality-CO4").json()["meta"]["versionId"] == "1"


def _client(server: LiveServer, name: str, profile: int, regions: tuple[str, ...] = ()
            ) -> httpx.Client:
    clients: Clients = server.app.state.services.clients
    made = clients.add(name, profile, regions=regions)
    token = clients.authenticate(made.client_id, made.client_secret).access_token
    return httpx.Client(base_url=server.url + "/fhir", timeout=30,
                        headers={"Authorization": f"Bearer {token}"})


def test_reports_follow_the_read_policy(published: httpx.Client,
                                        live_server: LiveServer) -> None:
    with _client(live_server, "indicators idf", 1, ("11",)) as regional:
        found = _ids(regional.get("/MeasureReport", params={"date": "ge2026-11-24"}))
        assert found == ["MeasureReport/quality-CO4-11-2026-11-23",
                         "MeasureReport/quality-PE-11-2026-11-23"]
        assert regional.get("/MeasureReport/quality-CO4-32-2026-11-23").status_code == 404
    with _client(live_server, "indicators professional", 2) as professional:
        assert _ids(professional.get("/MeasureReport")) == []
        assert _ids(professional.get("/Measure", params={"identifier": "CO4"})) == [
            "Measure/quality-CO4"]

