"""store.derive_process: during a bulk run, the search index rows of a batch are derived by a
helper process; what the search tables hold is what the stored bodies derive, whether the
helper did it or, when it failed, the writer itself. Both databases."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import orjson
import pytest

from openror.services.container import Services
from openror.store import derive_process
from openror.store.search_index import TupleRows, columns
from openror.store.search_tables import INDEX_TABLES
from tests.importers.test_bundle_import import graph, run, write_ndjson

OFFERS = 40  # 120 resources: batches above derive_process.MIN_BATCH


def _stored(services: Services) -> tuple[dict[str, Counter[tuple[Any, ...]]],
                                         list[tuple[str, str, bytes]]]:
    with services.db.read() as conn:
        tables = {table: Counter(tuple(row) for row in conn.exec_driver_sql(
            f"SELECT type, id FROM {table}")) for table in INDEX_TABLES}
        tokens = Counter(tuple(row) for row in conn.exec_driver_sql(
            f"SELECT {', '.join(columns('search_token'))} FROM search_token"))
        bodies = [(t, i, bytes(c)) for t, i, c in conn.exec_driver_sql(
            "SELECT type, id, content FROM resource")]
    return {**tables, "tokens": tokens}, bodies


def _expected(bodies: list[tuple[str, str, bytes]]) -> dict[str, Counter[tuple[Any, ...]]]:
    derived = derive_process.derive(bodies)
    owners = {table: Counter(row[:2] for row in rows) for table, rows in derived.items()}
    return {**owners, "tokens": Counter(derived["search_token"])}


@pytest.fixture
def submitted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the batches the helper was given."""
    sizes: list[int] = []
    original = derive_process.submit

    def spy(bodies: derive_process.Bodies) -> Any:
        coming = original(bodies)
        if coming is not None:
            sizes.append(len(bodies))
        return coming

    monkeypatch.setattr(derive_process, "submit", spy)
    return sizes


def test_the_helper_derives_what_the_bodies_derive(services: Services, tmp_path: Path,
                                                   submitted: list[int]) -> None:
    run(services, [write_ndjson(tmp_path / "g.ndjson", graph(OFFERS))])
    assert sum(submitted) == 3 * OFFERS
    stored, bodies = _stored(services)
    assert stored == _expected(bodies) and sum(stored["tokens"].values()) > 3 * OFFERS
    assert all(orjson.loads(content)["id"] for _, _, content in bodies)


def test_a_helper_that_fails_leaves_the_writer_to_derive(
        services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(bodies: derive_process.Bodies) -> Future[TupleRows]:
        failed: Future[TupleRows] = Future()
        failed.set_exception(RuntimeError("the helper process died"))
        return failed

    monkeypatch.setattr(derive_process, "submit", broken)
    run(services, [write_ndjson(tmp_path / "g.ndjson", graph(OFFERS))])
    stored, bodies = _stored(services)
    assert len(bodies) == 3 * OFFERS and stored == _expected(bodies)
