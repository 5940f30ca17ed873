"""The read replicas in /-/metrics: up or left aside, and how far behind, labelled by their
URL without its password (a real primary and streaming replica on loopback)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from openror.config import Settings
from openror.store.database import Database
from openror.store.migrate import upgrade
from tests.builders import organization
from tests.conftest import LiveServer
from tests.replica_cluster import Cluster, missing

pytestmark = pytest.mark.skipif(missing() is not None,
                                reason=f"streaming replica tests skipped: {missing()}")
WITHIN_S = 60.0  # a bound on waiting for the replica's poll, not a measured time


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cluster, LiveServer]]:
    cluster = Cluster(apply_delay_s=5)  # a write stays visibly unreplayed for seconds
    try:
        cluster.start()
        db = Database(cluster.primary_url)
        upgrade(db)
        db.dispose()
        settings = Settings(data_dir=tmp_path_factory.mktemp("data"),
                            database_url=cluster.primary_url,
                            database_replica_urls=cluster.replica_url, log_level="ERROR")
        with LiveServer(settings) as live:
            yield cluster, live
    finally:
        cluster.stop()


def replicas(live: LiveServer, name: str) -> dict[str, float]:
    text = httpx.get(f"{live.url}/-/metrics").text
    return {s.labels["replica"]: s.value for f in text_string_to_metric_families(text)
            for s in f.samples if s.name == name}


def wait(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WITHIN_S
    while not done():
        assert time.monotonic() < deadline, f"not within {WITHIN_S} s: {what}"
        time.sleep(0.2)


def test_a_replica_is_reported_up_then_behind_then_left_aside(
        server: tuple[Cluster, LiveServer]) -> None:
    cluster, live = server
    wait(lambda: list(replicas(live, "openror_db_replica_up").values()) == [1.0],
         "the replica serves reads")
    [label] = replicas(live, "openror_db_replica_up")
    assert f":{cluster.replica_port}/" in label and "s3cret" not in label
    with live.client() as writer:
        writer.post("/Organization", json=organization(finess="090000001"),
                    headers={"Content-Type": "application/fhir+json"}).raise_for_status()
    wait(lambda: replicas(live, "openror_db_replica_lag_bytes").get(label, 0) > 0,
         "the write is not replayed yet")
    cluster.stop_replica()
    try:
        wait(lambda: replicas(live, "openror_db_replica_up") == {label: 0.0},
             "the replica is left aside")
    finally:
        cluster.start_replica()
