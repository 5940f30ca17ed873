"""A live server for people's logins (cookies not Secure: the tests speak http on the
loopback), the roles world of tests/services, and accounts for each role."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import httpx
import pytest

from openror.config import Settings
from openror.services.people import People
from tests.conftest import LiveServer, wipe
from tests.services import roles_world

PASSWORD = "un mot de passe assez long"
#: login -> (practitioner, roles)
ACCOUNTS = {
    "pro": ("pract-p", ("professional",)),
    "ref": (None, ("referent:eg-a",)),
    "op": (None, ("operator:32",)),
    "admin": (None, ("admin",)),
}


@pytest.fixture(scope="module")
def people_server(database_url: str, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[LiveServer]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), database_url=database_url,
                        region="32", log_level="WARNING", require_client_certificates=False,
                        cookie_secure=False)
    with LiveServer(settings) as server:
        yield server


def people(server: LiveServer) -> People:
    found: People = server.app.state.services.people
    return found


@pytest.fixture
def world(people_server: LiveServer) -> LiveServer:
    """The roles world and an account with a password for each role."""
    db = people_server.app.state.services.db
    wipe(db)
    roles_world.load(db)
    add_accounts(people_server, ACCOUNTS)
    return people_server


def add_accounts(server: LiveServer,
                 accounts: Mapping[str, tuple[str | None, Sequence[str]]]) -> None:
    """An account with PASSWORD per login: (linked practitioner, roles)."""
    for login, (practitioner, roles) in accounts.items():
        people(server).users.add(login, login.title(), f"{login}@example.org", practitioner,
                                 tuple(roles))
        people(server).logins.set_password(login, PASSWORD)


def browser(server: LiveServer) -> httpx.Client:
    """A client with a cookie jar and no token, as a browser would be."""
    return httpx.Client(base_url=server.url, timeout=30)


@contextmanager
def logged_in(server: LiveServer, login: str) -> Iterator[tuple[httpx.Client, str]]:
    """A browser with a session of ``login``, and the session's CSRF token."""
    with browser(server) as client:
        response = client.post("/auth/login", data={"login": login, "password": PASSWORD})
        assert response.status_code == 200, response.text
        yield client, str(response.json()["csrf_token"])
