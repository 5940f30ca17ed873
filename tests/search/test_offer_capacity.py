"""The correlated capacity search of offers (an activity, and a capacity record at one of
their places, read from ``search_offer_capacity``) follows every write that changes its
answer: the bed-management feed, an offer's activity or place, an offer deleted; a first
import makes the rows at its end; ``openror check`` finds a stray row and repairs it. Both
back-ends, over real HTTP for the searches and the feed."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from openror.cli import main
from openror.store import bulk_indexes, offer_capacity
from openror.store.database import Database
from openror.store.search_tables import search_offer_capacity
from tests.builders import coding, healthcare_service, organization
from tests.capacity.feed_fixture import (
    FHIR,
    SITE,
    available,
    indicator_path,
    installed,
    place,
    replace,
    send,
)
from tests.conftest import LiveServer, wipe

UNIT = f"{SITE}/UF0001"
#: offers of activity 437 with an available bed for women, more than 2 of them
FREE_BEDS = {"specialty": "437", "location.capacity-status": "02",
             "location.gender-capacity-available": "01", "location.nb-capacity": "gt2"}


def offer(activity: str = "437", unit: str = "Location/unit-1") -> dict[str, Any]:
    body = {**healthcare_service("Organization/eg", unit), "id": "hs"}
    body["specialty"] = [coding("TRE_R211-ActiviteOperationnelle", activity)]
    return body


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    wipe(live_server.app.state.services.db)
    with live_server.client("") as client:
        for path, body in (("Organization/eg", {**organization(), "id": "eg"}),
                           ("Location/unit-1", place("unit-1", UNIT, installed(), available(2))),
                           ("Location/unit-2", place("unit-2", f"{SITE}/UF0002", installed())),
                           ("HealthcareService/hs", offer())):
            client.put(f"/fhir/{path}", json=body, headers=FHIR).raise_for_status()
        yield client


def found(api: httpx.Client, **changed: str) -> list[str]:
    params = {k: v for k, v in {**FREE_BEDS, **changed}.items() if v}
    bundle = api.get("/fhir/HealthcareService", params=params).json()
    assert bundle["resourceType"] == "Bundle", bundle
    return [e["resource"]["id"] for e in bundle.get("entry", [])
            if e["search"]["mode"] == "match"]


def free_beds(api: httpx.Client, count: int) -> None:
    response = send(api, replace(available(count), indicator_path("02", gender="01")), UNIT)
    assert response.status_code == 200, response.text


def test_a_bed_manager_update_changes_the_answer_at_once(api: httpx.Client,
                                                        live_server: LiveServer) -> None:
    assert found(api) == []  # 2 free beds
    free_beds(api, 5)
    assert found(api) == ["hs"]
    assert found(api, **{"location.nb-capacity": "gt5"}) == []  # on the same record
    assert _stored_as_expected(live_server.app.state.services.db) == 2
    free_beds(api, 0)
    assert found(api) == []


def test_an_offer_that_changes_activity_or_place_moves_with_it(api: httpx.Client,
                                                              live_server: LiveServer
                                                              ) -> None:
    free_beds(api, 5)
    api.put("/fhir/HealthcareService/hs", json=offer("293"), headers=FHIR).raise_for_status()
    assert found(api) == []
    assert found(api, specialty="293") == ["hs"]
    api.put("/fhir/HealthcareService/hs", json=offer("293", "Location/unit-2"),
            headers=FHIR).raise_for_status()
    assert found(api, specialty="293") == []  # unit-2 has no free bed
    assert found(api, specialty="293", **{"location.capacity-status": "01",
                                          "location.gender-capacity-available": ""}) == ["hs"]
    assert _stored_as_expected(live_server.app.state.services.db) == 1


def test_a_deleted_offer_leaves_no_row(api: httpx.Client, live_server: LiveServer) -> None:
    free_beds(api, 5)
    assert api.delete("/fhir/HealthcareService/hs").status_code in (200, 204)
    assert found(api) == []
    assert _rows(live_server.app.state.services.db) == 0


def test_check_reports_a_stray_row_and_repair_removes_it(db: Database, tmp_path: Path
                                                         ) -> None:
    _import(db, _bundle_dir(tmp_path))
    with db.write() as conn:
        conn.execute(search_offer_capacity.update().where(
            search_offer_capacity.c.id == "hs").values(nb=99))
    result = CliRunner().invoke(main, ["check", "--no-progress", "--database", db.url])
    assert result.exit_code == 1, result.stdout
    line = next(li for li in result.stdout.splitlines()
                if li.startswith("search_offer_capacity "))
    assert "HealthcareService/hs" in result.stdout, result.stdout
    assert line.split()[1:] == ["0", "0", "2", "1"]  # both its rows differ, one resource
    result = CliRunner().invoke(main, ["check", "--no-progress", "--repair",
                                       "--database", db.url])
    assert result.exit_code == 0, result.stdout
    assert "consistent after the repair" in result.stdout


def test_a_first_import_makes_the_rows_at_its_end(db: Database, tmp_path: Path) -> None:
    """Into an empty database the index tables are loaded without their indexes, and these
    rows, which their joins need, are made once at the end."""
    _import(db, _bundle_dir(tmp_path))
    assert _stored_as_expected(db) == 2  # installed and available
    with db.read() as conn:
        rows = conn.execute(sa.select(search_offer_capacity.c.id, search_offer_capacity.c.code,
                                      search_offer_capacity.c.location_id)).all()
    assert {tuple(r) for r in rows} == {("hs", "437", "unit-1")}


def _stored_as_expected(db: Database) -> int:
    """The rows the writes left are those ``offer_capacity.expected`` selects from the index
    rows (the writes run compiled statements of their own); returns how many."""
    with db.read() as conn:
        stored = sorted(tuple(r) for r in conn.execute(
            sa.select(*(search_offer_capacity.c[n] for n in offer_capacity.COLUMNS))))
        wanted = sorted(tuple(r) for r in conn.execute(offer_capacity.expected()))
    assert stored == wanted
    return len(stored)


def _rows(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(
            search_offer_capacity)).scalar_one())


def _bundle_dir(out: Path) -> Path:
    for name, bodies in (("Organization", [{**organization(), "id": "eg"}]),
                         ("Location", [place("unit-1", UNIT, installed(), available(5))]),
                         ("HealthcareService", [offer()])):
        with gzip.open(out / f"{name}.ndjson.gz", "wb") as f:
            f.write(b"".join(orjson.dumps(b) + b"\n" for b in bodies))
    return out


def _import(db: Database, folder: Path) -> None:
    result = CliRunner().invoke(main, ["import", "bundle", "--no-progress", "--database",
                                       db.url, *map(str, sorted(folder.iterdir()))])
    assert result.exit_code == 0, result.output


def test_during_a_first_load_the_search_reads_the_index_rows(api: httpx.Client,
                                                             live_server: LiveServer) -> None:
    """A first load drops the index tables' indexes and makes these rows at its end; a
    search meanwhile still finds what is loaded."""
    free_beds(api, 5)
    db = live_server.app.state.services.db
    with db.write() as conn:  # as a first load leaves the tables half-way
        bulk_indexes.drop(conn)
        conn.execute(search_offer_capacity.delete())
    assert found(api) == ["hs"]
    with db.write() as conn:
        bulk_indexes.build(conn)
    assert _stored_as_expected(db) == 2
    assert found(api) == ["hs"]
