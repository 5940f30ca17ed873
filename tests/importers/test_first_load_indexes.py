"""A first import into an empty database writes the search index tables without their
indexes and builds them at its end (store.bulk_indexes), with fresh statistics; an import
into a database that holds data keeps them; a first load that stops half-way leaves them to
its continuation or to ``openror db upgrade``. Both databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from openror.access.caller import SYSTEM
from openror.search.engine import SearchEngine
from openror.search.parse import parse_query
from openror.services.bulk import BulkWriter
from openror.services.container import Services
from openror.store import bulk_indexes
from openror.store.migrate import upgrade
from tests.importers.test_bundle_import import graph, run, write_ndjson


def missing(services: Services) -> list[str]:
    with services.db.read() as conn:
        return bulk_indexes.missing(conn)


def offers_at(services: Services, place: str) -> list[str]:
    query = parse_query("HealthcareService", [("location", f"Location/{place}")])
    return [hit.id for hit, _ in SearchEngine(services.db, SYSTEM).search(query).matches]


@pytest.fixture
def missing_at_each_batch(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The indexes missing while each batch of an import is written."""
    seen: list[list[str]] = []
    original = BulkWriter.upsert_all

    def watching(self: BulkWriter, items: Any) -> Any:
        seen.append(bulk_indexes.missing(self.conn))
        return original(self, items)

    monkeypatch.setattr(BulkWriter, "upsert_all", watching)
    return seen


def test_a_first_load_ends_with_every_index_and_searches_find(
        services: Services, tmp_path: Path, missing_at_each_batch: list[list[str]]) -> None:
    run(services, [write_ndjson(tmp_path / "g.ndjson", graph(3))], batch_size=4)
    seen = missing_at_each_batch
    assert seen and all(len(names) == len(bulk_indexes._indexes()) for names in seen)
    assert missing(services) == []
    assert offers_at(services, "loc-1") == ["hs-1"]


def test_a_first_load_ends_analysed_with_its_indexes(services: Services, tmp_path: Path
                                                     ) -> None:
    with services.db.write() as conn:  # what earlier tests on this database left
        conn.exec_driver_sql("DELETE FROM sqlite_stat1" if services.db.dialect == "sqlite"
                             else "SELECT pg_stat_reset()")
    run(services, [write_ndjson(tmp_path / "g.ndjson", graph(3))], batch_size=4)
    with services.db.read() as conn:
        assert bulk_indexes.missing(conn) == []
        if services.db.dialect == "sqlite":
            analysed = {row[0] for row in conn.exec_driver_sql("SELECT tbl FROM sqlite_stat1")}
        else:
            analysed = {row[0] for row in conn.exec_driver_sql(
                "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
                "AND last_analyze IS NOT NULL AND last_vacuum IS NOT NULL")}
    assert {"resource", "search_token", "search_ref", "change_feed"} <= analysed


def test_an_import_into_a_database_with_data_keeps_the_indexes(
        services: Services, tmp_path: Path, missing_at_each_batch: list[list[str]]) -> None:
    run(services, [write_ndjson(tmp_path / "a.ndjson", graph(1))])
    missing_at_each_batch.clear()  # the first import's batches: a first load
    run(services, [write_ndjson(tmp_path / "b.ndjson", graph(3))])
    assert missing_at_each_batch and all(names == [] for names in missing_at_each_batch)


def test_a_first_load_stopped_half_way_is_finished_by_its_continuation(
        services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    original = BulkWriter.upsert_all

    def crash_in_the_second_batch(self: BulkWriter, items: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return original(self, items)

    monkeypatch.setattr(BulkWriter, "upsert_all", crash_in_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        run(services, [write_ndjson(tmp_path / "g.ndjson", graph(4))], batch_size=4)
    assert len(missing(services)) == len(bulk_indexes._indexes())  # data in, indexes out
    assert offers_at(services, "loc-0") == []  # searches still answer, from what is there
    monkeypatch.setattr(BulkWriter, "upsert_all", original)
    run(services, [], continue_from="apply", batch_size=4)
    assert missing(services) == []
    assert offers_at(services, "loc-3") == ["hs-3"]


def test_db_upgrade_builds_what_a_stopped_first_load_left_out(services: Services) -> None:
    with services.db.write() as conn:
        bulk_indexes.drop(conn)
    assert missing(services)
    upgrade(services.db)
    assert missing(services) == []
