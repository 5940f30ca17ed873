"""The bed-management feed over real HTTP, on both back-ends: the scenarios of the ROR's
``patch-capacitaire`` page (replace, add on 404, unknown place, duplicate external ids,
invalid combination), idempotence, out-of-order figures, feeder rights, two feeders at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa

from openror.access.caller import SYSTEM
from openror.capacity.feed import CapacityFeed
from openror.capacity.operations import MISSING_INDICATOR
from openror.fhir import capacity_indicators as ci
from openror.services.writes import NeedsLock, Prepared, WritePath, WriteResult
from openror.store.feed import LogEntry
from tests.capacity.feed_fixture import (
    FEED,
    FHIR,
    OTHER_SITE,
    SITE,
    add,
    available,
    feed_body,
    indicator_path,
    installed,
    operation,
    place,
    record,
    replace,
    send,
)
from tests.conftest import LiveServer, wipe

UNIT = f"{SITE}/UF0001"


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    wipe(live_server.app.state.services.db)
    with live_server.client("") as client:
        for body in (place("unit-1", UNIT, installed(), available(2)),
                     place("unit-2", f"{SITE}/UF0002", installed(10)),
                     place("other", f"{OTHER_SITE}/UF0001", installed(5))):
            client.put(f"/fhir/Location/{body['id']}", json=body,
                       headers=FHIR).raise_for_status()
        yield client


def feeder(live_server: LiveServer, *writes: str, profile: int = 2) -> httpx.Client:
    clients = live_server.app.state.services.clients
    made = clients.add("bed manager", profile, writes=writes)
    token = clients.authenticate(made.client_id, made.client_secret).access_token
    return httpx.Client(base_url=live_server.url, timeout=30,
                        headers={"Authorization": f"Bearer {token}", **FHIR})


def records(client: httpx.Client, rid: str = "unit-1") -> dict[tuple[Any, ...], int]:
    body = client.get(f"/fhir/Location/{rid}").json()
    return {r.key[1:]: r.count for _, r in ci.records(body)}


def version(client: httpx.Client, rid: str = "unit-1") -> str:
    return str(client.get(f"/fhir/Location/{rid}").json()["meta"]["versionId"])


AVAILABLE_WOMEN = ("02", "01", "01", None, None, None, "01")
AVAILABLE_MEN = ("02", "01", "02", None, None, None, "01")


def test_replace_updates_one_indicator_and_makes_a_version(api: httpx.Client) -> None:
    before = api.get("/fhir/Location/unit-1").json()["meta"]
    response = send(api, replace(available(5, updated="2026-11-25T09:00:00+01:00"),
                                 indicator_path("02", gender="01")))
    assert response.status_code == 200, response.text
    assert response.json()["meta"]["versionId"] == "2"
    assert response.json()["meta"]["lastUpdated"] > before["lastUpdated"]
    assert records(api)[AVAILABLE_WOMEN] == 5
    history = api.get("/fhir/Location/unit-1/_history").json()
    assert history["total"] == 2


def test_replace_of_a_missing_indicator_is_the_404_feeders_answer_with_add(
        api: httpx.Client) -> None:
    missing = send(api, replace(available(1, "02"), indicator_path("02", gender="02")))
    assert missing.status_code == 404
    issue = missing.json()["issue"][0]
    assert (issue["code"], issue["expression"]) == ("not-found", [MISSING_INDICATOR])
    assert send(api, add(available(1, "02"))).status_code == 200
    assert records(api)[AVAILABLE_MEN] == 1
    again = send(api, replace(available(3, "02", updated="2026-11-25T08:30:00+01:00"),
                              indicator_path("02", gender="02")))
    assert again.status_code == 200
    assert records(api)[AVAILABLE_MEN] == 3


def test_an_unknown_place_is_a_404_on_location(api: httpx.Client) -> None:
    response = send(api, add(available(1)), identifier=f"{SITE}/SSR38888")
    assert response.status_code == 404
    issue = response.json()["issue"][0]
    assert (issue["code"], issue["expression"]) == ("not-found", ["Location"])
    assert f"{SITE}/SSR38888" in issue["diagnostics"]


def test_duplicate_external_ids_are_a_412(api: httpx.Client) -> None:
    api.put("/fhir/Location/twin", json=place("twin", UNIT, installed()), headers=FHIR)
    response = send(api, add(available(1)))
    assert response.status_code == 412
    issue = response.json()["issue"][0]
    assert (issue["code"], issue["expression"]) == ("multiple-matches", ["Location"])
    assert records(api) == records(api, "unit-1")  # nothing written
    assert version(api) == "1"


def test_an_invalid_combination_is_a_400_naming_the_attribute(api: httpx.Client) -> None:
    closed_without_kind = record("05", 2)
    response = send(api, add(closed_without_kind))
    assert response.status_code == 400
    issue = response.json()["issue"][0]
    assert issue["code"] == "business-rule"
    assert issue["expression"][0] == ci.where("capacityClosingType")
    assert version(api) == "1"


def test_a_path_that_addresses_no_valid_indicator_is_a_400(api: httpx.Client) -> None:
    installed_in_24h = indicator_path("01", temporality="03")
    response = send(api, replace(installed(), installed_in_24h))
    assert response.status_code == 400
    assert response.json()["issue"][0]["code"] == "business-rule"


def test_the_same_update_twice_changes_nothing(api: httpx.Client) -> None:
    body = replace(available(4, updated="2026-11-25T09:00:00+01:00"),
                   indicator_path("02", gender="01"))
    assert send(api, body).json()["meta"]["versionId"] == "2"
    assert send(api, body).json()["meta"]["versionId"] == "2"
    assert send(api, add(available(4, updated="2026-11-25T09:00:00+01:00"))) \
        .json()["meta"]["versionId"] == "2"
    assert api.get("/fhir/Location/unit-1/_history").json()["total"] == 2


def test_an_older_figure_does_not_overwrite_a_newer_one(api: httpx.Client) -> None:
    path = indicator_path("02", gender="01")
    send(api, replace(available(7, updated="2026-11-25T10:00:00+01:00"), path))
    late = send(api, replace(available(3, updated="2026-11-25T09:30:00+01:00"), path),
                Prefer="return=OperationOutcome")
    assert late.status_code == 200
    assert any("more recent" in i["diagnostics"] for i in late.json()["issue"])
    assert records(api)[AVAILABLE_WOMEN] == 7


def test_a_problem_the_place_already_had_does_not_stop_the_feed(
        api: httpx.Client, live_server: LiveServer) -> None:
    """An update's structure is checked on what it changes: a count is not refused for an
    older defect of the place (stored before a stricter check, say) that the feeder cannot
    correct."""
    stored = api.get("/fhir/Location/unit-1").json()
    stored["address"] = {"city": "Laon", "pays": "France"}  # an unknown element
    with live_server.app.state.services.db.write() as conn:
        conn.execute(sa.text("UPDATE resource SET content = :c WHERE type = 'Location' "
                             "AND id = 'unit-1'"), {"c": orjson.dumps(stored)})
    response = send(api, replace(available(6), indicator_path("02", gender="01")))
    assert response.status_code == 200, response.text
    assert records(api)[AVAILABLE_WOMEN] == 6
    stored = api.get("/fhir/Location/unit-1").json()
    stored["address"]["city"] = "Chauny"  # changed: checked like any change
    refused = api.put("/fhir/Location/unit-1", json=stored, headers=FHIR)
    assert refused.status_code == 400
    assert refused.json()["issue"][0]["expression"] == ["Location.address.pays"]


def test_a_date_in_the_future_is_refused(api: httpx.Client) -> None:
    response = send(api, add(available(1, updated="2099-01-01T00:00:00Z")))
    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"][0] == ci.where("capacityUpdateDate")


def test_a_feeder_writes_the_capacities_of_its_own_site_only(
        api: httpx.Client, live_server: LiveServer) -> None:
    with feeder(live_server, f"capacity:{SITE[1:]}") as bed_manager:
        ok = bed_manager.patch(FEED, params={"identifier": UNIT}, json=add(available(2, "02")))
        assert ok.status_code == 200, ok.text
        other = bed_manager.patch(FEED, params={"identifier": f"{OTHER_SITE}/UF0001"},
                                  json=add(available(2, "02")))
        assert other.status_code == 403
        unknown = bed_manager.patch(FEED, params={"identifier": f"{OTHER_SITE}/NOPE"},
                                    json=add(available(2, "02")))
        assert unknown.status_code == 403  # not 404: nothing learnt of another site
        rename = bed_manager.patch("/fhir/Location/unit-1", json={
            "resourceType": "Parameters", "parameter": [{"name": "operation", "part": [
                {"name": "type", "valueCode": "replace"},
                {"name": "path", "valueString": "Location.name"},
                {"name": "value", "valueString": "Renamed"}]}]})
        assert rename.status_code == 403
        not_capacity = bed_manager.patch(FEED, params={"identifier": UNIT}, json=feed_body(
            operation("replace", None, "Location.name")))
        assert not_capacity.status_code == 400
    log = api.get("/fhir/Location/unit-1").json()
    assert log["name"] == "Unité unit-1"
    assert records(api, "other") == {("01", "01", None, None, None, None, "01"): 5}


def test_anonymous_and_read_only_clients_cannot_feed(live_server: LiveServer,
                                                     api: httpx.Client) -> None:
    with httpx.Client(base_url=live_server.url) as anonymous:
        assert anonymous.patch(FEED, params={"identifier": UNIT}, json=add(available(1)),
                               headers=FHIR).status_code == 401
    with feeder(live_server) as reader:
        assert reader.patch(FEED, params={"identifier": UNIT},
                            json=add(available(1))).status_code == 403


def test_two_feeders_on_one_place_at_once_lose_no_update(
        api: httpx.Client, live_server: LiveServer) -> None:
    """Each feeder replaces, gets 404, adds: both land, each indicator once."""
    genders = ["01", "02", "03", "04"] * 3
    errors: list[str] = []

    def push(gender: str, n: int) -> None:
        with live_server.client("") as client:
            value = available(n, gender, updated=f"2026-11-25T09:{n:02d}:00+01:00")
            path = indicator_path("02", gender=gender)
            response = send(client, replace(value, path))
            if response.status_code == 404:
                response = send(client, add(value))
            if response.status_code != 200:
                errors.append(response.text)

    threads = [threading.Thread(target=push, args=(g, n)) for n, g in enumerate(genders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    found = records(api)
    for gender in ("01", "02", "03", "04"):
        latest = max(n for n, g in enumerate(genders) if g == gender)
        assert found[("02", "01", gender, None, None, None, "01")] == latest
    assert len(found) == 5  # installed + one record per gender


def test_a_place_changed_between_preparation_and_lock_is_prepared_again(
        api: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """The feed prepares an update without the write lock: when another writer changes the
    place before the lock, the update is prepared again from that version, and both land."""
    prepare, store = WritePath.prepare_unlocked, WritePath.store_if_current
    raced: list[object] = []

    def overtaken(self: WritePath, *args: Any, **kwargs: Any) -> Prepared | WriteResult:
        prepared = prepare(self, *args, **kwargs)
        if not raced:
            raced.append("other")  # another feeder's update lands before ours takes the lock
            women = replace(available(9, "01", updated="2026-11-25T09:10:00+01:00"),
                            indicator_path("02", gender="01"))
            CapacityFeed(self).update(UNIT, women, LogEntry("other feeder"), caller=SYSTEM)
        return prepared

    def stored(self: WritePath, *args: Any) -> WriteResult | None:
        found = store(self, *args)
        raced.append(found is not None)
        return found

    monkeypatch.setattr(WritePath, "prepare_unlocked", overtaken)
    monkeypatch.setattr(WritePath, "store_if_current", stored)
    send(api, add(available(6, "02", updated="2026-11-25T09:20:00+01:00"))).raise_for_status()
    assert raced == ["other", True, False, True]  # the other landed; ours missed, then landed
    assert records(api)[AVAILABLE_WOMEN] == 9
    assert records(api)[AVAILABLE_MEN] == 6
    assert version(api) == "3"


def test_an_update_that_needs_the_lock_to_be_prepared_is_made_under_it(
        api: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def needs_lock(*args: Any, **kwargs: Any) -> None:
        raise NeedsLock("a functional identifier's number")

    monkeypatch.setattr(WritePath, "prepare_unlocked", needs_lock)
    answer = send(api, add(available(6, "02", updated="2026-11-25T09:20:00+01:00")))
    assert answer.status_code == 200, answer.text
    assert records(api)[AVAILABLE_MEN] == 6
    assert version(api) == "2"
