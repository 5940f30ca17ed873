"""The capacity history: every value over time per place and indicator, from the feed, the
API and deletions; queried by place, region, département, activity and period, as each
access profile may; rebuilt identically from the stored versions. Both back-ends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from openror.store import capacity_history
from tests.builders import coding, healthcare_service, organization
from tests.capacity.feed_fixture import (
    FHIR,
    SITE,
    add,
    available,
    indicator_path,
    installed,
    place,
    record,
    replace,
    send,
)
from tests.capacity.test_feed import feeder
from tests.conftest import LiveServer, wipe

UNIT = f"{SITE}/UF0001"


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    wipe(live_server.app.state.services.db)
    with live_server.client("") as client:
        for body in (place("icu", UNIT, installed(), available(2)),
                     place("ward", f"{SITE}/UF0002", installed(10), commune="60057",
                           region="32"),
                     place("far", None, installed(5), region="11", commune="75056")):
            client.put(f"/fhir/Location/{body['id']}", json=body,
                       headers=FHIR).raise_for_status()
        site = {**organization(finess="020000261"), "id": "eg"}
        client.put("/fhir/Organization/eg", json=site, headers=FHIR).raise_for_status()
        icu = {**healthcare_service("Organization/eg", "Location/icu"), "id": "hs-icu",
               "specialty": [coding("TRE_R211-ActiviteOperationnelle", "126")]}
        client.put("/fhir/HealthcareService/hs-icu", json=icu,
                   headers=FHIR).raise_for_status()
        for hour, count in ((9, 1), (10, 0), (11, 3)):
            send(client, replace(available(count, updated=f"2026-11-25T{hour:02d}:00:00Z"),
                                 indicator_path("02", gender="01")))
        send(client, add(record("06", 2, additionalBedType="02", crisisType="02",
                                updated="2026-11-25T11:00:00Z")))
        yield client


def history(client: httpx.Client, **params: str) -> list[dict[str, Any]]:
    response = client.get("/api/capacity/history", params=params)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["rows"]
    return rows


def counts(rows: list[dict[str, Any]], status: str = "02") -> list[int | None]:
    return [r["count"] for r in rows if r["indicator"]["status"] == status]


def test_every_value_of_an_indicator_over_time(api: httpx.Client) -> None:
    rows = history(api, place="icu")
    assert counts(rows) == [2, 1, 0, 3]
    assert [r["updatedAt"] for r in rows if r["indicator"]["status"] == "02"][1:] == [
        "2026-11-25T09:00:00Z", "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z"]
    assert {r["departement"] for r in rows} == {"02"}
    assert rows[-1]["indicator"]["status"] == "06"


def test_queried_by_period_departement_region_and_activity(api: httpx.Client) -> None:
    assert counts(history(api, place="icu", since="2026-11-25T09:30:00Z",
                          until="2026-11-25T10:30:00Z")) == [0]
    assert {r["place"] for r in history(api, departement="60")} == {"Location/ward"}
    assert {r["place"] for r in history(api, region="32")} == {"Location/icu",
                                                               "Location/ward"}
    assert {r["place"] for r in history(api, activity="126")} == {"Location/icu"}
    assert history(api, activity="437") == []
    assert counts(history(api, place="icu", status="02")) == [2, 1, 0, 3]


def test_a_removed_indicator_and_a_deleted_place_end_with_no_count(
        api: httpx.Client) -> None:
    api.delete("/fhir/HealthcareService/hs-icu").raise_for_status()
    api.delete("/fhir/Location/icu").raise_for_status()
    rows = history(api, place="icu")
    last = [r for r in rows if r["version"] == max(x["version"] for x in rows)]
    assert {r["count"] for r in last} == {None}
    assert len(last) == 3  # installed, available (women), supplementary


def test_what_each_profile_sees(api: httpx.Client, live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url) as anonymous:
        assert anonymous.get("/api/capacity/history").status_code == 401
    with feeder(live_server, profile=0) as open_data:
        assert open_data.get("/api/capacity/history").status_code == 403
    with feeder(live_server, profile=5) as p5:
        statuses = {r["indicator"]["status"] for r in p5.get(
            "/api/capacity/history").json()["rows"]}
        assert statuses == {"01"}
    with feeder(live_server, profile=2) as p2:
        statuses = {r["indicator"]["status"] for r in p2.get(
            "/api/capacity/history").json()["rows"]}
        assert statuses == {"01", "02"}  # no supplementary beds
    with feeder(live_server, profile=3) as p3:  # the ICU is not medico-social
        assert p3.get("/api/capacity/history").json()["rows"] == []


def test_paging_csv_and_bad_parameters(api: httpx.Client) -> None:
    first = api.get("/api/capacity/history", params={"_count": "2"}).json()
    assert len(first["rows"]) == 2
    second = api.get(first["next"]).json()
    assert second["rows"][0]["seq"] > first["rows"][-1]["seq"]
    csv = api.get("/api/capacity/history", params={"place": "icu", "_format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("seq,place,version")
    bad = api.get("/api/capacity/history", params={"since": "yesterday"})
    assert bad.status_code == 400
    assert bad.json()["issue"][0]["expression"] == ["since"]
    assert api.get("/api/capacity/history", params={"colour": "red"}).status_code == 400


def test_rebuilt_from_the_versions_identically(api: httpx.Client,
                                               live_server: LiveServer) -> None:
    def rows() -> list[dict[str, Any]]:  # a rebuild numbers the rows place by place
        found = [{k: v for k, v in r.items() if k != "seq"} for r in history(api)]
        return sorted(found, key=lambda r: (r["place"], r["version"], str(r["indicator"])))

    before = rows()
    with live_server.app.state.services.db.write() as conn:
        capacity_history.rebuild(conn)
    assert rows() == before
