"""``/api/quality/rules``, ``/results`` and ``/indicators`` over HTTP: what the last run found,
filtered and paged, as JSON and CSV, for profile 1 only and within a regional caller's
regions. Both back-ends."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import httpx
import pytest

from openror.quality.run import run
from tests.api.people_fixture import logged_in
from tests.conftest import LiveServer, wipe
from tests.quality.rule_world import NOW
from tests.quality.test_quality_run import _directory


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    services = live_server.app.state.services
    wipe(services.db)
    _directory(services.db)
    run(services.db, services.terminology, now=NOW)
    with live_server.reader(1, path="") as client:
        yield client


def test_rules_describe_themes_actions_and_remedies(api: httpx.Client) -> None:
    rules = {r["id"]: r for r in api.get("/api/quality/rules").json()["rules"]}
    assert rules["CO4"]["theme"] == {"code": "06", "display": "Exactitude"}
    assert rules["CO4"]["action"]["code"] == "COR"
    assert "FINESS fait foi" in rules["CO4"]["remedy"]
    assert {"EX1.2", "EX2", "EX3", "EX4", "EX5", "ST2", "ST3", "CO1", "CO2", "CO3", "CO4",
            "CP4", "CP5", "CP6", "RE1.2"} <= set(rules)


def test_results_filter_and_page(api: httpx.Client) -> None:
    answer = api.get("/api/quality/results", params={"rule": "CO4,CO1", "deviating": "true"})
    assert answer.status_code == 200, answer.text
    units = [(r["rule"], r["unit"]) for r in answer.json()["rows"]]
    assert units == [("CO1", "HealthcareService/hs-2"), ("CO4", "Organization/eg-2")]
    first = api.get("/api/quality/results", params={"rule": "PE", "_count": "2"}).json()
    rest = httpx.get(first["next"], headers=api.headers).json()
    assert [r["unit"] for r in first["rows"] + rest["rows"]] == [
        "HealthcareService/hs-1", "HealthcareService/hs-2", "HealthcareService/hs-3"]
    assert "next" not in rest
    listed = api.get("/api/quality/results", params={"site": "Organization/eg-2",
                                                     "_format": "csv"})
    rows = list(csv.DictReader(io.StringIO(listed.text)))
    assert {r["rule"] for r in rows} >= {"CO4", "ST2", "EX2", "CO1", "PE", "RE1.2"}
    assert all(r["site"] == "Organization/eg-2" for r in rows)


def test_indicators_by_dimension_with_rates_and_csv(api: httpx.Client) -> None:
    found = api.get("/api/quality/indicators", params={"rule": "CO4,PE", "by": "category"})
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["week"] == "2026-11-23"
    rows = {(r["indicator"], r["category"]): r for r in body["rows"]}
    assert (rows[("CO4", "106")]["deviating"], rows[("CO4", "106")]["rate"]) == (1, 0.0)
    assert (rows[("PE", "106")]["partial"], rows[("PE", "106")]["rate"]) == (1, 0.5)
    assert [t["indicator"] for t in body["trend"]] == ["CO4", "PE"]
    sheet = api.get("/api/quality/indicators", params={"rule": "CO4", "_format": "csv"})
    assert sheet.text.splitlines()[0] == ("week,indicator,region,perimeter,conformant,partial,"
                                          "deviating,rate")
    assert sheet.text.splitlines()[1] == "2026-11-23,CO4,11,2,1,0,1,0.5"


def test_bad_parameters_say_which_one(api: httpx.Client) -> None:
    for params, expression in (({"rule": "XX9"}, "rule"), ({"_count": "0"}, "_count"),
                               ({"deviating": "maybe"}, "deviating"),
                               ({"colour": "red"}, "colour")):
        answer = api.get("/api/quality/results", params=params)
        assert answer.status_code == 400
        assert answer.json()["issue"][0]["expression"] == [expression]
    grouped = api.get("/api/quality/indicators", params={"by": "colour"})
    assert grouped.json()["issue"][0]["expression"] == ["by"]


def test_only_profile_1_reads_and_a_region_sees_its_own(live_server: LiveServer,
                                                        api: httpx.Client) -> None:
    with live_server.reader(2, path="") as professional:
        assert professional.get("/api/quality/results").status_code == 403
    assert httpx.get(f"{live_server.url}/api/quality/results").status_code == 401
    with live_server.reader(1, ("32",), path="") as aisne:
        assert aisne.get("/api/quality/results").json()["rows"] == []
        refused = aisne.get("/api/quality/indicators", params={"region": "11"})
        assert refused.status_code == 403
    with live_server.reader(1, ("11",), path="") as yvelines:
        assert len(yvelines.get("/api/quality/results").json()["rows"]) > 0


def test_the_owner_of_a_site_reads_what_to_fix_there(world: LiveServer) -> None:
    services = world.app.state.services
    run(services.db, services.terminology, now=NOW)  # the roles world: sites eg-a, eg-b…
    with logged_in(world, "ref") as (client, _):  # referent of eg-a
        own = client.get("/api/quality/results", params={"site": "Organization/eg-a"})
        assert own.status_code == 200, own.text
        assert {r["site"] for r in own.json()["rows"]} == {"Organization/eg-a"}
        assert client.get("/api/quality/results",
                          params={"site": "Organization/eg-b"}).status_code == 403
        assert client.get("/api/quality/results").status_code == 403  # a region's: no
