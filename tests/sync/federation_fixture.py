"""Two OpenROR instances for the federation tests, each with its own database: a source
served by uvicorn on loopback (stopped and started again on the same port at will, a fresh
app each time, as a restarted server), and a follower used in process (its CLI and follower
write through its own services)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import uvicorn

from openror.access.caller import SYSTEM
from openror.app import create_app
from openror.config import Settings
from openror.services.clients import Clients
from openror.services.container import Services
from openror.store import federation_sources
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.store.migrate import upgrade
from openror.store.resources import read_current, utcnow
from openror.sync.federation.client import SourceClient
from tests.conftest import BACKENDS, _drop_pg_database, _fresh_pg_database, wipe
from tests.processes import free_port

WRITER = LogEntry(actor="test")


class Instance:
    def __init__(self, url: str, data_dir: Path, region: str) -> None:
        self.settings = Settings(
            data_dir=data_dir, database_url=url, region=region, log_level="WARNING",
            rate_limit_per_minute=1_000_000, rate_limit_burst=100_000,
            require_client_certificates=False, mail_send_interval_seconds=0,
            quality_run_interval_seconds=0, alert_interval_seconds=0,
            subscription_interval_seconds=0)
        self.services = Services.open(self.settings)
        self.port = free_port()
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None
        self.requests: list[str] = []  # paths the server was asked, in order

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        app = create_app(self.settings)

        async def counted(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                query = scope.get("query_string", b"").decode()
                self.requests.append(scope["path"] + (f"?{query}" if query else ""))
            await app(scope, receive, send)

        config = uvicorn.Config(counted, host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("source server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(20)
        self.server = self.thread = None

    def create(self, body: dict[str, Any]) -> str:
        return self.services.writes.create(body, WRITER, caller=SYSTEM).stored.id

    def update(self, rtype: str, rid: str, change: dict[str, Any]) -> None:
        current = self.body(rtype, rid)
        assert current is not None
        self.services.writes.update(rtype, rid, {**current, **change}, WRITER, caller=SYSTEM)

    def delete(self, rtype: str, rid: str) -> None:
        self.services.writes.delete(rtype, rid, WRITER, caller=SYSTEM)

    def body(self, rtype: str, rid: str) -> dict[str, Any] | None:
        with self.services.db.read() as conn:
            found = read_current(conn, rtype, rid)
        if found is None or found.content is None:
            return None
        parsed: dict[str, Any] = orjson.loads(found.content)
        return parsed

    def close(self) -> None:
        self.stop()
        self.services.close()


def fast_client(row: federation_sources.SourceRow) -> SourceClient:
    """Retries that do not make a test wait: 8 attempts, 0.05 s doubling up to 0.5 s."""
    return SourceClient(row, attempts=8, first_wait=0.05, longest_wait=0.5)


def add_source(follower: Instance, source_url: str, source: Instance, tmp: Path,
               name: str = "src", precedence: int = 100) -> None:
    """Register ``source`` (reached at ``source_url``) on ``follower``, with an API client
    of profile 1 made at the source and its secret in a file."""
    made = Clients(source.services.db, source.settings).add(f"federation-{name}", 1)
    secret = tmp / f"{name}.secret"
    secret.write_text(made.client_secret + "\n")
    row = federation_sources.SourceRow(
        name=name, url=source_url, client_id=made.client_id, secret_file=str(secret),
        cert_file=None, key_file=None, precedence=precedence, cursor=0, applied=0,
        added_at=utcnow(), last_run_at=None, last_success_at=None, last_error=None)
    with follower.services.db.write() as conn:
        federation_sources.add(conn, row)


def _new_database(kind: str, tmp: Path, name: str) -> str:
    url = f"sqlite:///{tmp / f'{name}.sqlite'}" if kind == "sqlite" else _fresh_pg_database()
    db = Database(url)
    upgrade(db)
    db.dispose()
    return url


@pytest.fixture(scope="module", params=BACKENDS)
def database_pair(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[tuple[str, str, str]]:
    """(back-end, source URL, follower URL): two migrated databases of one back-end."""
    tmp = tmp_path_factory.mktemp("federation")
    urls = [_new_database(request.param, tmp, name) for name in ("source", "follower", "third")]
    yield request.param, urls[0], urls[1] + "|" + urls[2]
    if request.param == "postgresql":
        for url in urls:
            _drop_pg_database(url)


@pytest.fixture(scope="module")
def instances(database_pair: tuple[str, str, str], tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[Instance, Instance, Instance]]:
    """A source of region 11 (served), a second source of region 32 (served) and a
    follower of region 84."""
    _kind, source_url, others = database_pair
    follower_url, third_url = others.split("|")
    tmp = tmp_path_factory.mktemp("instances")
    source = Instance(source_url, tmp / "s", "11")
    second = Instance(third_url, tmp / "t", "32")
    follower = Instance(follower_url, tmp / "f", "84")
    source.start()
    second.start()
    yield source, second, follower
    for one in (source, second, follower):
        one.close()


@pytest.fixture
def world(instances: tuple[Instance, Instance, Instance]
          ) -> tuple[Instance, Instance, Instance]:
    """The three instances with emptied databases (the API clients and keys kept)."""
    for one in instances:
        wipe(one.services.db)
        one.requests.clear()
    return instances
