"""kill -9 of an ``openror serve --workers 2`` worker during a write storm: every write the API
acknowledged (2xx) is there afterwards with that version's content, search finds it, the
supervisor starts a new worker, and no change is half applied. Requests that were under way
in the killed worker may fail (connection reset): those writes were never acknowledged."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from openror.access.caller import WRITE_ALL
from openror.config import Settings
from openror.services.clients import Clients
from openror.store.database import Database
from tests.builders import organization
from tests.processes import free_port, server_workers

pytestmark = pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"),
                                reason="openror serve --workers: SO_REUSEPORT, Linux only")
OPENROR = Path(sys.executable).with_name("openror")
FHIR = {"Content-Type": "application/fhir+json"}
WRITERS = 6
STORM_S = 4.0
KILL_AT_S = 1.5  # into the storm
STARTUP_S = 60.0  # a bound on waiting for the server, not a measured time


@dataclass(frozen=True)
class Ack:
    """A write the server acknowledged: the version it said it wrote, and its content."""

    id: str
    finess: str
    version: int
    name: str


@dataclass
class Storm:
    acks: list[Ack] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # HTTP answers other than 2xx
    dropped: int = 0  # requests without an answer (connection reset by the kill)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _wait_until(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + STARTUP_S
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/-/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass(frozen=True)
class Server:
    proc: subprocess.Popen[bytes]
    url: str
    ready_at: float  # when it first answered: its workers are at least that old


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    env = {**os.environ, "OPENROR_LOG_LEVEL": "ERROR", "OPENROR_DATA_DIR": str(tmp_path),
           "OPENROR_REQUIRE_CLIENT_CERTIFICATES": "false",
           "OPENROR_RATE_LIMIT_PER_MINUTE": "100000000", "OPENROR_RATE_LIMIT_BURST": "100000000",
           "OPENROR_QUALITY_RUN_INTERVAL_SECONDS": "0", "OPENROR_MAIL_SEND_INTERVAL_SECONDS": "0"}
    proc = subprocess.Popen([str(OPENROR), "serve", "--database", database_url, "--port",
                             str(port), "--workers", "2"], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until("the server did not start", lambda: _answers(url))
        ready_at = time.monotonic()
        _wait_until("two workers did not start", lambda: len(server_workers(proc.pid)) == 2)
        yield Server(proc, url, ready_at)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _token(database_url: str, url: str, tmp_path: Path) -> str:
    db = Database(database_url)
    try:
        made = Clients(db, Settings(data_dir=tmp_path, database_url=database_url,
                                    require_client_certificates=False)
                       ).add("storm", 1, writes=(WRITE_ALL,))
    finally:
        db.dispose()
    answer = httpx.post(f"{url}/auth/token", data={
        "grant_type": "client_credentials", "client_id": made.client_id,
        "client_secret": made.client_secret})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def _write(client: httpx.Client, writer: int, n: int, mine: list[tuple[str, str]],
           rng: random.Random) -> httpx.Response:
    """Create an Organization, or rename one this writer created."""
    name = f"Tempete {writer} ecrit {n}"
    if len(mine) < 3 or rng.random() < 0.4:
        return client.post("/Organization", headers=FHIR,
                           json=organization(name=name, finess=f"9{writer:02d}{n:06d}"))
    rid, finess = rng.choice(mine)
    return client.put(f"/Organization/{rid}", headers=FHIR,
                      json={**organization(name=name, finess=finess), "id": rid})


def _writer(url: str, token: str, writer: int, until: float, storm: Storm) -> None:
    rng = random.Random(writer)
    mine: list[tuple[str, str]] = []
    headers = {"Authorization": f"Bearer {token}"}
    client = httpx.Client(base_url=f"{url}/fhir", headers=headers, timeout=30)
    n = 0
    while time.monotonic() < until:
        n += 1
        try:
            response = _write(client, writer, n, mine, rng)
        except httpx.TransportError:
            with storm.lock:
                storm.dropped += 1
            client.close()  # its connection went with the worker
            client = httpx.Client(base_url=f"{url}/fhir", headers=headers, timeout=30)
            continue
        if not response.is_success:
            with storm.lock:
                storm.refused.append(f"{response.status_code} {response.text[:300]}")
            continue
        body = response.json()
        finess = body["identifier"][0]["value"]
        if response.status_code == 201:
            mine.append((body["id"], finess))
        with storm.lock:
            storm.acks.append(Ack(body["id"], finess, int(body["meta"]["versionId"]),
                                  body["name"]))
    client.close()


def _storm_with_a_kill(server: Server, token: str) -> tuple[Storm, int, int]:
    """The storm; mid-way, kill -9 of one worker. Returns the storm, the killed pid, and how
    many writes had been acknowledged when it was killed."""
    storm = Storm()
    start = time.monotonic()
    threads = [threading.Thread(target=_writer,
                                args=(server.url, token, w, start + STORM_S, storm))
               for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    time.sleep(KILL_AT_S)
    victim = min(server_workers(server.proc.pid))
    with storm.lock:
        before = len(storm.acks)
    os.kill(victim, signal.SIGKILL)
    for thread in threads:
        thread.join()
    return storm, victim, before


def _check_acknowledged(api: httpx.Client, acks: list[Ack]) -> None:
    """Each acknowledged version is there with its content; the current version is at least
    the last acknowledged; search by name and by identifier finds the resource's current
    state, and no longer finds an acknowledged name it has since replaced."""
    for ack in acks:
        version = api.get(f"/Organization/{ack.id}/_history/{ack.version}")
        assert version.status_code == 200, (ack, version.text)
        assert version.json()["name"] == ack.name
        assert version.json()["meta"]["versionId"] == str(ack.version)
    last: dict[str, Ack] = {}
    for ack in acks:
        if ack.id not in last or ack.version > last[ack.id].version:
            last[ack.id] = ack
    for rid, ack in last.items():
        current = api.get(f"/Organization/{rid}").json()
        assert int(current["meta"]["versionId"]) >= ack.version, (ack, current)
        by_name = api.get("/Organization", params={"name:exact": current["name"]}).json()
        assert [e["resource"]["id"] for e in by_name.get("entry", [])] == [rid]
        by_id = api.get("/Organization", params={"identifier": ack.finess}).json()
        assert [e["resource"]["id"] for e in by_id.get("entry", [])] == [rid]
        if current["name"] != ack.name:  # a later write, applied but never acknowledged
            stale = api.get("/Organization", params={"name:exact": ack.name}).json()
            assert stale["total"] == 0, (ack, stale)


def _half_applied(database_url: str) -> list[object]:
    """Resources whose current row has no version row of the same version and content, and
    versions without their change-feed entry or with a gap before them."""
    db = Database(database_url)
    try:
        with db.read() as conn:
            orphans = conn.execute(sa.text(
                "SELECT r.id, r.version FROM resource r LEFT JOIN resource_version v ON "
                "v.type = r.type AND v.id = r.id AND v.version = r.version "
                "WHERE v.id IS NULL OR v.content <> r.content")).all()
            unlogged = conn.execute(sa.text(
                "SELECT v.id, v.version FROM resource_version v LEFT JOIN change_feed f ON "
                "f.seq = v.seq AND f.type = v.type AND f.id = v.id AND f.version = v.version "
                "WHERE f.seq IS NULL")).all()
            gaps = conn.execute(sa.text(
                "SELECT r.id, r.version, count(v.version) FROM resource r JOIN "
                "resource_version v ON v.type = r.type AND v.id = r.id "
                "GROUP BY r.type, r.id, r.version HAVING count(v.version) <> r.version "
                "OR max(v.version) <> r.version")).all()
    finally:
        db.dispose()
    return [*orphans, *unlogged, *gaps]


def test_kill_9_of_a_worker_mid_storm_loses_no_acknowledged_write(
        server: Server, database_url: str, tmp_path: Path) -> None:
    proc, url = server.proc, server.url
    token = _token(database_url, url, tmp_path)
    storm, victim, before_kill = _storm_with_a_kill(server, token)

    assert storm.refused == []
    assert 0 < before_kill < len(storm.acks), "writes acknowledged before and after the kill"
    _wait_until("the supervisor did not replace the killed worker",
                lambda: len(server_workers(proc.pid)) == 2)
    assert victim not in server_workers(proc.pid)
    assert proc.poll() is None and _answers(url)

    with httpx.Client(base_url=f"{url}/fhir", timeout=30,
                      headers={"Authorization": f"Bearer {token}"}) as api:
        _check_acknowledged(api, storm.acks)
    assert _half_applied(database_url) == []
