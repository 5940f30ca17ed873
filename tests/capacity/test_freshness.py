"""Freshness: every availability figure carries its age; figures older than their activity
family's threshold are flagged stale in reads and searches, never shown as current."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from openror.config import Settings
from openror.errors import InvalidInput
from openror.store.freshness import FRESHNESS_URL, Thresholds, family_codes
from tests.builders import coding, healthcare_service, organization
from tests.capacity.feed_fixture import FHIR, available, installed, place
from tests.capacity.test_feed import feeder
from tests.conftest import LiveServer, wipe


def ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="seconds")


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    wipe(live_server.app.state.services.db)
    with live_server.client("") as client:
        for body in (place("icu", None, installed(updated=ago(400)),
                           available(2, updated=ago(30))),
                     place("ward", None, installed(), available(2, updated=ago(30))),
                     place("fresh-icu", None, available(1, updated=ago(1))),
                     place("structure", None, installed())):
            client.put(f"/fhir/Location/{body['id']}", json=body,
                       headers=FHIR).raise_for_status()
        client.put("/fhir/Organization/eg", json={**organization(), "id": "eg"},
                   headers=FHIR).raise_for_status()
        for rid, places in (("hs-icu", ["icu", "fresh-icu"]), ("hs-ward", ["ward"])):
            offer = {**healthcare_service("Organization/eg"), "id": rid,
                     "location": [{"reference": f"Location/{p}"} for p in places]}
            if rid == "hs-icu":
                offer["specialty"] = [coding("TRE_R211-ActiviteOperationnelle", "127")]
            client.put(f"/fhir/HealthcareService/{rid}", json=offer,
                       headers=FHIR).raise_for_status()
        yield client


def flag(body: dict[str, Any]) -> dict[str, Any] | None:
    found = [e for e in body.get("extension", []) if e["url"] == FRESHNESS_URL]
    if not found:
        return None
    return {part["url"]: next(v for k, v in part.items() if k.startswith("value"))
            for part in found[0]["extension"]}


def test_critical_care_figures_are_stale_after_24_hours(api: httpx.Client) -> None:
    icu = flag(api.get("/fhir/Location/icu").json())
    assert icu is not None
    assert (icu["family"], icu["stale"], icu["staleCount"]) == ("critical", True, 1)
    assert icu["maxAge"]["value"] == 24
    ward = flag(api.get("/fhir/Location/ward").json())
    assert ward is not None and (ward["family"], ward["stale"]) == ("default", False)
    fresh = flag(api.get("/fhir/Location/fresh-icu").json())
    assert fresh is not None and fresh["stale"] is False
    assert flag(api.get("/fhir/Location/structure").json()) is None  # installed: no age


def test_searches_and_includes_carry_the_flag(api: httpx.Client) -> None:
    bundle = api.get("/fhir/Location", params={"_id": "icu,ward"}).json()
    flags = {e["resource"]["id"]: flag(e["resource"]) for e in bundle["entry"]}
    assert flags["icu"]["stale"] is True and flags["ward"]["stale"] is False  # type: ignore[index]
    bundle = api.get("/fhir/HealthcareService", params={
        "_id": "hs-icu", "_include": "HealthcareService:location"}).json()
    places = {e["resource"]["id"]: flag(e["resource"]) for e in bundle["entry"]
              if e["resource"]["resourceType"] == "Location"}
    assert places["icu"]["stale"] is True  # type: ignore[index]


def test_a_profile_without_availability_gets_no_flag(api: httpx.Client,
                                                     live_server: LiveServer) -> None:
    with feeder(live_server, profile=5) as installed_only:
        assert flag(installed_only.get("/fhir/Location/icu").json()) is None


def test_thresholds_are_configurable_and_checked() -> None:
    parsed = Thresholds.parse("critical=6h,default=7d")
    assert parsed.of("critical") == timedelta(hours=6)
    assert parsed.of("emergency") == timedelta(hours=24)
    assert parsed.of("default") == timedelta(days=7)
    with pytest.raises(InvalidInput, match="capacity_stale_after"):
        Thresholds.parse("icu=6h")
    assert Settings().capacity_stale_after.startswith("critical=")
    codes = family_codes()
    assert {"127", "351"} <= codes["critical"] and "157" in codes["emergency"]
    assert "244" not in codes["critical"]  # "Réadaptation post-réanimation"
