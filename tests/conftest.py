"""Shared fixtures: a database per back-end (SQLite always, PostgreSQL when
OPENROR_TEST_POSTGRES_URL is set) and a live server on loopback for API tests."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import uvicorn

from openror.access.caller import WRITE_ALL
from openror.app import create_app
from openror.config import Settings
from openror.services.clients import Clients
from openror.store.database import Database
from openror.store.migrate import upgrade
from openror.store.schema import metadata

PG_URL = os.environ.get("OPENROR_TEST_POSTGRES_URL", "")
SHARED = Path(__file__).resolve().parents[2] / "shared"
BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(
        not PG_URL, reason="PostgreSQL variant skipped: OPENROR_TEST_POSTGRES_URL is not set")),
]


def _fresh_pg_database() -> str:
    """A new empty database next to the one in OPENROR_TEST_POSTGRES_URL."""
    name = f"openror_t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(url: str) -> None:
    name = sa.engine.make_url(url).database
    admin = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[str]:
    """A migrated, empty database for the module, on each back-end."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'openror.sqlite'}"
    else:
        url = _fresh_pg_database()
    db = Database(url)
    upgrade(db)
    db.dispose()
    yield url
    if request.param == "postgresql":
        _drop_pg_database(url)


#: tables a wipe keeps: the API clients and the token-signing key, so the live server's
#: client and its token stay valid from test to test
KEEP = frozenset({"api_client", "auth_key"})


def wipe(db: Database) -> None:
    with db.write() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name not in KEEP:
                conn.execute(table.delete())


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    handle = Database(database_url)
    wipe(handle)
    yield handle
    handle.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """uvicorn serving the app on a loopback port, in a background thread, with an API client
    of profile 1 that may write everywhere (``headers`` carry its token).

    Plain HTTP has no client certificates, so the server does not require them (whatever
    ``settings`` say) unless ``certificates_required``: then the test client's token, not
    bound to a certificate, is refused. ``options`` go to uvicorn.Config (TLS and the
    protocol of openror serve: tests/api/test_mtls.py)."""

    def __init__(self, settings: Settings, certificates_required: bool = False,
                 **options: Any) -> None:
        # no background mail delivery: tests read the outbox as the code under test left it;
        # no scheduled quality run: it would raise anomalies in the tests' data
        settings = replace(settings, require_client_certificates=certificates_required,
                           mail_send_interval_seconds=0, quality_run_interval_seconds=0)
        self.app = create_app(settings)
        clients = Clients(self.app.state.services.db,
                          replace(settings, require_client_certificates=False))
        made = clients.add("tests", 1, writes=(WRITE_ALL,))
        self.client_id = made.client_id
        self.token = clients.authenticate(made.client_id, made.client_secret).access_token
        self.headers = {"Authorization": f"Bearer {self.token}"}
        self.port = _free_port()
        self.scheme = "https" if "ssl_certfile" in options else "http"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False, lifespan="on", **options)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def client(self, path: str = "/fhir") -> httpx.Client:
        """An HTTP client of the test API client (a bearer token on every request)."""
        return httpx.Client(base_url=self.url + path, headers=self.headers, timeout=30)

    def reader(self, profile: int, regions: tuple[str, ...] = (), path: str = "/fhir",
               name: str = "reader") -> httpx.Client:
        """An HTTP client of a new API client of this access profile, limited to
        ``regions`` (none: every region), with a token got by its secret."""
        services = self.app.state.services
        clients = Clients(services.db, replace(services.settings,
                                               require_client_certificates=False))
        made = clients.add(f"{name}-p{profile}-{'-'.join(regions) or 'all'}", profile,
                           regions)
        token = clients.authenticate(made.client_id, made.client_secret).access_token
        return httpx.Client(base_url=self.url + path, timeout=30,
                            headers={"Authorization": f"Bearer {token}"})

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def live_server(database_url: str, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[LiveServer]:
    # a module of tests sends requests faster than the rate limit lets a client (tested in
    # tests/api/test_hygiene.py): a limit here would make the suite's results depend on speed
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), database_url=database_url,
                        region="11", log_level="WARNING", rate_limit_per_minute=1_000_000,
                        rate_limit_burst=100_000)
    with LiveServer(settings) as server:
        yield server


@pytest.fixture(scope="module")
def region_server(database_url: str, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[LiveServer]:
    """A live server of region 32 for people's pages: session cookies without Secure (the
    browser speaks http on the loopback), and no background alert work (tests check and
    deliver alerts when they choose)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), database_url=database_url,
                        region="32", log_level="WARNING", cookie_secure=False,
                        alert_interval_seconds=0)
    with LiveServer(settings) as server:
        yield server


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    """An HTTP client on a freshly wiped database."""
    wipe(live_server.app.state.services.db)
    with live_server.client() as client:
        yield client
