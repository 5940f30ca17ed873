"""Reads served by a real PostgreSQL streaming replica, with read-your-writes, over real HTTP.

The module starts a primary and a replica on loopback (tests/replica_cluster.py). The replica
applies commits ``APPLY_DELAY_S`` late: what it serves right after a write is visibly the
old state, which proves a read went to it; a caller that just wrote must nevertheless read
its write at once. Two live servers on the same database stand for two worker processes of
``openror serve --workers 2``: nothing but the database is shared between them.
"""

from __future__ import annotations

import base64
import itertools
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import sqlalchemy as sa

from openror.config import Settings
from openror.store import read_context
from openror.store.database import Database
from openror.store.migrate import upgrade
from openror.store.replicas import replica_status
from tests.builders import organization
from tests.conftest import LiveServer
from tests.replica_cluster import Cluster, missing

pytestmark = pytest.mark.skipif(missing() is not None,
                                reason=f"streaming replica tests skipped: {missing()}")

APPLY_DELAY_S = 5
PASSWORD = "un mot de passe assez long"
WITHIN_S = 60.0  # a bound on waiting for replication, not a measured time
FHIR = {"Content-Type": "application/fhir+json"}
_finess = itertools.count(1)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    made = Cluster(apply_delay_s=APPLY_DELAY_S)
    try:
        made.start()
        db = Database(made.primary_url)
        upgrade(db)
        db.dispose()
        yield made
    finally:
        made.stop()


@pytest.fixture(scope="module")
def servers(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[LiveServer, LiveServer]]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"),
                        database_url=cluster.primary_url,
                        database_replica_urls=cluster.replica_url, region="11",
                        log_level="ERROR", rate_limit_per_minute=1_000_000,
                        rate_limit_burst=100_000, cookie_secure=False)
    with LiveServer(settings) as first, LiveServer(settings) as second:
        yield first, second


def _db(server: LiveServer) -> Database:
    db: Database = server.app.state.services.db
    return db


def _wait(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WITHIN_S
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {WITHIN_S} s: {what}")
        time.sleep(0.1)


def _settle(cluster: Cluster, *servers: LiveServer) -> None:
    """Wait until the replica has replayed everything and each server knows it."""
    position = cluster.primary_position()
    cluster.wait_replayed(position, WITHIN_S)
    for server in servers:
        _wait(partial(_knows, server, position), "the server sees the replica")


def _knows(server: LiveServer, position: int) -> bool:
    replicas = _db(server).replicas
    assert replicas is not None
    return all(m.healthy and (m.replayed or 0) >= position for m in replicas.members)


def _create(client: httpx.Client, name: str) -> dict[str, Any]:
    body = organization(name=name, finess=f"0900{next(_finess):05d}")
    response = client.post("/Organization", json=body, headers=FHIR)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _as(server: LiveServer, other: LiveServer) -> httpx.Client:
    """A client of ``other``'s API client, talking to ``server``."""
    return httpx.Client(base_url=server.url + "/fhir", headers=other.headers, timeout=30)


def _not_replayed_yet(cluster: Cluster) -> None:
    """What follows must run while the replica still lags behind the last write (it applies
    commits APPLY_DELAY_S late): otherwise the test proves nothing."""
    assert cluster.replayed() < cluster.primary_position(), \
        f"the replica caught up before the checks ({APPLY_DELAY_S} s apply delay)"


def test_a_writer_reads_its_own_write_at_once_on_every_worker(
        cluster: Cluster, servers: tuple[LiveServer, LiveServer]) -> None:
    first, second = servers
    _settle(cluster, first, second)
    with first.client() as mine_here, _as(second, first) as mine_there:
        created = _create(mine_here, "Clinique des Écritures")
        _not_replayed_yet(cluster)
        assert mine_here.get(f"/Organization/{created['id']}").json() == created
        # the other worker learns the caller's write position from the primary
        assert mine_there.get(f"/Organization/{created['id']}").json() == created
        found = mine_there.get("/Organization", params={"name": "Clinique des Écritures"})
        assert [e["resource"]["id"] for e in found.json()["entry"]] == [created["id"]]
        updated = mine_there.put(f"/Organization/{created['id']}",
                                 json={**created, "name": "Clinique des Réécritures"},
                                 headers=FHIR)
        assert updated.status_code == 200, updated.text
        _not_replayed_yet(cluster)
        again = mine_here.get(f"/Organization/{created['id']}")
        assert again.json()["name"] == "Clinique des Réécritures"
        assert again.headers["ETag"] == 'W/"2"'


def test_a_person_reads_their_own_write_at_once_on_every_worker(
        cluster: Cluster, servers: tuple[LiveServer, LiveServer]) -> None:
    first, second = servers
    people = first.app.state.services.people
    people.users.add("admin-rw", "Admin", "admin-rw@example.org", None, ("admin",))
    people.logins.set_password("admin-rw", PASSWORD)
    _settle(cluster, first, second)
    with httpx.Client(base_url=first.url, timeout=30) as here:
        login = here.post("/auth/login", data={"login": "admin-rw", "password": PASSWORD})
        assert login.status_code == 200, login.text
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        body = organization(name="Clinique de la Personne", finess=f"0900{next(_finess):05d}")
        created = here.post("/fhir/Organization", json=body, headers={**FHIR, **csrf}).json()
        _not_replayed_yet(cluster)
        with httpx.Client(base_url=second.url, cookies=here.cookies, timeout=30) as there:
            assert there.get(f"/fhir/Organization/{created['id']}").json() == created


def test_another_caller_is_served_by_the_replica_then_sees_the_write(
        cluster: Cluster, servers: tuple[LiveServer, LiveServer]) -> None:
    first, second = servers
    _settle(cluster, first, second)
    with first.client() as writer, second.client() as reader:
        created = _create(writer, "Clinique du Différé")
        path = f"/Organization/{created['id']}"
        _not_replayed_yet(cluster)
        # not there yet on the replica: this read was served by it, not by the primary
        assert reader.get(path).status_code == 404
        listed = reader.get("/Organization", params={"name": "Clinique du Différé"})
        assert listed.json()["total"] == 0
        _wait(lambda: reader.get(path).status_code == 200, "the replica replays the write")
        assert reader.get(path).json() == created
        listed = reader.get("/Organization", params={"name": "Clinique du Différé"})
        assert listed.json()["total"] == 1


def test_reads_fall_back_to_the_primary_while_the_replica_is_down(
        cluster: Cluster, servers: tuple[LiveServer, LiveServer]) -> None:
    first, second = servers
    _settle(cluster, first, second)
    with first.client() as writer, second.client() as reader:
        before = _create(writer, "Clinique de la Panne")
        _wait(lambda: reader.get(f"/Organization/{before['id']}").status_code == 200,
              "the replica replays the write")
        cluster.stop_replica()
        try:
            # the kept connections to the replica are dead: the primary answers instead
            listed = reader.get("/Organization", params={"name": "Clinique de la Panne"})
            assert listed.json()["total"] == 1
            assert reader.get(f"/Organization/{before['id']}").json() == before
            during = _create(writer, "Clinique de la Panne 2")
            assert reader.get(f"/Organization/{during['id']}").json() == during
            listed = reader.get("/Organization", params={"name": "Clinique de la Panne"})
            assert listed.json()["total"] == 2
            assert [s.healthy for s in replica_status(_db(second))] == [False]
        finally:
            cluster.start_replica()
        # after its back-off the replica serves reads again: a fresh write is stale there
        def stale_read_seen() -> bool:
            fresh = _create(writer, "Clinique du Retour")
            return reader.get(f"/Organization/{fresh['id']}").status_code == 404

        _wait(stale_read_seen, "the replica serves reads again")


def test_replica_status_hides_the_password_and_tells_the_lag(
        cluster: Cluster, servers: tuple[LiveServer, LiveServer]) -> None:
    first, _ = servers
    _settle(cluster, first)
    [status] = replica_status(_db(first))
    assert status.healthy
    assert "s3cret" not in status.url and f":{cluster.replica_port}/openror" in status.url
    with first.client() as writer:
        _create(writer, "Clinique du Retard")
    _wait(lambda: (replica_status(_db(first))[0].lag_bytes or 0) > 0,
          "the status shows the replica behind")


def test_a_page_link_is_read_where_its_matches_are(
        cluster: Cluster, servers: tuple[LiveServer, LiveServer]) -> None:
    first, second = servers
    _settle(cluster, first, second)
    db = _db(first)
    with read_context.replica_reads(None), db.read() as conn:
        assert _in_recovery(conn)  # a caller without writes: the replica
    with first.client() as writer:
        made = [_create(writer, f"Centre Paginé {n}")["id"] for n in range(3)]
    position = db.wal_position()
    assert position is not None
    with read_context.replica_reads(None):
        read_context.must_see(position)  # what a page link made now carries
        with db.read() as conn:
            assert not _in_recovery(conn)  # the replica lags behind it: the primary
    # the writer's search runs on the primary (the replica lags behind its writes); its page
    # link, followed by a caller without writes, must be read where those matches are
    with first.client() as writer, second.client() as reader:
        page = writer.get("/Organization", params={"name": "Centre Paginé", "_count": 1})
        link = next(x["url"] for x in page.json()["link"] if x["relation"] == "next")
        cursor = parse_qs(urlparse(link).query)["_cursor"][0]
        token = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        assert int(token.split(":")[0].split(".")[1], 16) >= position
        _not_replayed_yet(cluster)
        following = reader.get(link.replace(first.url, second.url))
        assert following.status_code == 200, following.text
        shown = [e["resource"]["id"] for e in page.json()["entry"]]
        shown += [e["resource"]["id"] for e in following.json()["entry"]]
        assert len(shown) == 2 and set(shown) < set(made)


def _in_recovery(conn: sa.Connection) -> bool:
    return bool(conn.exec_driver_sql("SELECT pg_is_in_recovery()").scalar())
