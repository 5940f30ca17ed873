"""GET /-/metrics and GET /-/ready on a live server, both back-ends: what an operator's
Prometheus scrapes, parsed with prometheus_client's own parser — request latency by route
template, search latency by kind, connection pools, the subscriptions' backlog, capacity
freshness, the progress of an import run by another process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from openror.config import Settings
from openror.importers.bundle import BundleSource
from openror.importers.run import ImportRun, Options
from openror.services.bulk import BulkWriter
from openror.services.container import Services
from tests.builders import coding, healthcare_service, location, organization
from tests.capacity.feed_fixture import available, place
from tests.conftest import LiveServer, wipe

FHIR = {"Content-Type": "application/fhir+json"}
REQUESTS = "openror_http_request_duration_seconds_count"
SEARCHES = "openror_search_duration_seconds_count"

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    """Database figures read at every scrape (no cache), no background deliveries: the
    notifications a test queues stay pending."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), database_url=database_url,
                        region="11", log_level="WARNING", metrics_cache_seconds=0,
                        subscription_interval_seconds=0, alert_interval_seconds=0,
                        rate_limit_per_minute=1_000_000, rate_limit_burst=100_000)
    with LiveServer(settings) as live:
        yield live


@pytest.fixture
def api(server: LiveServer) -> Iterator[httpx.Client]:
    wipe(server.app.state.services.db)
    with server.client("") as client:
        yield client


def scrape(server: LiveServer) -> Samples:
    response = httpx.get(f"{server.url}/-/metrics")  # no token: an open path
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def grew(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def put(api: httpx.Client, body: dict[str, Any]) -> None:
    api.put(f"/fhir/{body['resourceType']}/{body['id']}", json=body,
            headers=FHIR).raise_for_status()


def test_requests_are_counted_by_route_template_never_by_path(server: LiveServer,
                                                               api: httpx.Client) -> None:
    before = scrape(server)
    for n in range(3):
        assert api.get(f"/fhir/Location/missing-{n}").status_code == 404
    assert httpx.get(f"{server.url}/fhir/Location/no-token").status_code == 401  # unrouted
    put(api, {**location(), "id": "made-here"})
    assert api.get("/fhir/Location/made-here").status_code == 200
    after = scrape(server)
    by_id = {"route": "/fhir/{type}/{id}", "method": "GET"}
    assert grew(before, after, REQUESTS, **by_id, status="4xx") == 4
    assert grew(before, after, REQUESTS, **by_id, status="2xx") == 1
    assert grew(before, after, REQUESTS, route="/fhir/{type}/{id}", method="PUT",
                status="2xx") == 1
    assert grew(before, after, "openror_http_request_duration_seconds_bucket", **by_id,
                status="4xx", le="+Inf") == 4
    labels = {v for _, pairs in after for _, v in pairs}
    assert not any("missing-" in v or "made-here" in v or "no-token" in v for v in labels)


def test_each_search_is_counted_under_its_kind(server: LiveServer, api: httpx.Client) -> None:
    put(api, {**organization(name="Centre A"), "id": "org-a"})
    put(api, {**organization(name="Centre B", finess="010000002"), "id": "org-b"})
    put(api, {**location(), "id": "loc-a"})
    put(api, {**healthcare_service("Organization/org-a", "Location/loc-a"), "id": "hs-a"})
    searches = {
        ("Organization", "plain"): "/fhir/Organization?name=Centre",
        ("Location", "near"): "/fhir/Location?near=48.8|2.1|50|km",
        ("HealthcareService", "text"): "/fhir/HealthcareService?_content=medecine",
        ("HealthcareService", "chained"): "/fhir/HealthcareService?organization.name=Centre",
        ("Location", "correlated"): "/fhir/Location?capacity-status=02&capacity-type=01",
        ("HealthcareService", "include"):
            "/fhir/HealthcareService?_include=HealthcareService:organization",
        ("Organization", "count"): "/fhir/Organization?_summary=count",
        ("HealthcareService", "orientation"): "/api/orientation?activity=437&lat=48.8&lon=2.1",
    }
    before = scrape(server)
    for path in searches.values():
        assert api.get(path).status_code == 200, path
    first = api.get("/fhir/Organization?_count=1").json()
    following = next(link["url"] for link in first["link"] if link["relation"] == "next")
    assert httpx.get(following, headers=server.headers).status_code == 200
    after = scrape(server)
    expected = {**dict.fromkeys(searches, 1.0), ("Organization", "page"): 1.0,
                ("Organization", "plain"): 2.0}  # name=Centre, and the first page
    assert {key: grew(before, after, SEARCHES, type=key[0], kind=key[1])
            for key in expected} == expected


def test_pool_gauges_describe_the_engines_of_the_database(server: LiveServer) -> None:
    samples = scrape(server)
    settings = server.app.state.services.settings
    if server.app.state.services.db.dialect == "sqlite":
        assert value(samples, "openror_db_pool_size", engine="write") == 1
        assert value(samples, "openror_db_pool_size", engine="read") == settings.sqlite_readers
    else:
        assert value(samples, "openror_db_pool_size", engine="read-write") == settings.pool_size
    engines = {dict(labels)["engine"] for name, labels in samples
               if name == "openror_db_pool_checked_out"}
    assert engines and all(value(samples, "openror_db_pool_checked_in", engine=e) >= 0
                           for e in engines)


def test_a_matching_write_shows_as_subscription_backlog(server: LiveServer,
                                                        api: httpx.Client) -> None:
    put(api, {**organization(), "id": "eg"})
    made = api.post("/fhir/Subscription", headers=FHIR, json={
        "resourceType": "Subscription", "status": "requested", "reason": "metrics",
        "criteria": "HealthcareService",
        "channel": {"type": "rest-hook", "endpoint": "http://127.0.0.1:9/hook"}})
    assert made.status_code == 201, made.text
    before = scrape(server)
    put(api, {**healthcare_service("Organization/eg"), "id": "hs-1"})
    put(api, {**organization(name="Autre"), "id": "eg"})  # matches no subscription
    after = scrape(server)
    assert value(after, "openror_subscriptions", status="active") == 1
    assert value(after, "openror_subscription_notifications_pending",
                 subscription_status="active") == 1
    assert value(after, "openror_subscription_oldest_pending_age_seconds",
                 subscription_status="active") >= 0
    assert grew(before, after, "openror_change_feed_last_seq") == 2  # every write is fed


def ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="seconds")


def test_capacity_freshness_counts_figures_by_family(server: LiveServer,
                                                     api: httpx.Client) -> None:
    put(api, place("ward-fresh", None, available(3, updated=ago(1))))
    put(api, place("ward-stale", None, available(3, updated=ago(24 * 10))))
    # 30 hours: within the default 72 h, beyond the 24 h of critical care
    put(api, place("icu", None, available(1, updated=ago(30)), available(2, gender="02",
                                                                        updated=ago(2))))
    put(api, {**organization(), "id": "eg"})
    icu_offer = {**healthcare_service("Organization/eg", "Location/icu"), "id": "hs-icu",
                 "specialty": [coding("TRE_R211-ActiviteOperationnelle", "127")]}
    put(api, icu_offer)
    samples = scrape(server)
    counts = {(dict(labels)["family"], dict(labels)["freshness"]): n
              for (name, labels), n in samples.items()
              if name == "openror_capacity_availability_figures"}
    assert counts == {("default", "fresh"): 1, ("default", "stale"): 1,
                      ("critical", "fresh"): 1, ("critical", "stale"): 1,
                      ("emergency", "fresh"): 0, ("emergency", "stale"): 0}


def test_an_import_under_way_in_another_process_shows_its_progress(
        server: LiveServer, api: httpx.Client, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    records = [{**organization(name=f"Centre {n}", finess=f"0200000{n:02d}"), "id": f"o-{n}"}
               for n in range(12)]
    path = tmp_path / "orgs.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + "not json\n",
                    encoding="utf-8")
    original = BulkWriter.upsert_all
    batches = {"n": 0}

    def stop_in_the_second_batch(self: BulkWriter, items: Any) -> Any:
        batches["n"] += 1
        if batches["n"] == 2:
            raise KeyboardInterrupt  # the importer stopped (Ctrl-C, killed, crashed)
        return original(self, items)

    monkeypatch.setattr(BulkWriter, "upsert_all", stop_in_the_second_batch)
    settings = server.app.state.services.settings
    services = Services.open(settings)  # the importer's own connections, as in its process
    importer = ImportRun(services, BundleSource(), Options(progress=False, batch_size=5))
    try:
        with pytest.raises(KeyboardInterrupt):
            importer.run([path])
    finally:
        services.close()
    samples = scrape(server)
    key = {"run_id": importer.run_id, "source": "bundle", "phase": "apply"}
    assert value(samples, "openror_import_records_done", **key) == 5
    assert value(samples, "openror_import_records_total", **key) == 12
    assert value(samples, "openror_import_rejects", **key) == 1
    assert value(samples, "openror_import_last_progress_age_seconds", **key) >= 0

    monkeypatch.setattr(BulkWriter, "upsert_all", original)
    services = Services.open(settings)
    try:
        ImportRun(services, BundleSource(), Options(progress=False, batch_size=5,
                                                    continue_from="apply")).run([])
    finally:
        services.close()
    finished = scrape(server)
    assert not any(name.startswith("openror_import_") for name, _ in finished)


def test_ready_when_the_database_answers_at_the_code_schema(server: LiveServer) -> None:
    response = httpx.get(f"{server.url}/-/ready")  # no token: an open path
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["problems"] == []
    assert body["schema"]["current"] == body["schema"]["expected"]
