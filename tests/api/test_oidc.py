"""OpenID Connect login against a local provider the tests start (tests/oidc_provider.py), on
both back-ends: the happy path links the professional to their Practitioner by the national
id of the userinfo; a wrong state, another browser, a replay, a wrong nonce, audience or
issuer, a tampered, expired or foreign-signed ID token, a userinfo about someone else and a
PKCE verifier mismatch are all refused."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from openror.config import Settings
from openror.errors import Forbidden
from openror.services.oidc import Identity, _account
from tests.api.people_fixture import browser, people
from tests.conftest import LiveServer, _free_port, wipe
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, RunningProvider, psc_user
from tests.services import roles_world

IDNAT_P = "810000000001"  # pract-p in the roles world


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with RunningProvider(_free_port()) as running:
        yield running


@pytest.fixture(scope="module")
def oidc_server(database_url: str, provider: Provider,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("data"), database_url=database_url, region="32",
        log_level="WARNING", require_client_certificates=False, cookie_secure=False,
        oidc_issuer=provider.issuer, oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_redirect_uri="http://127.0.0.1/auth/oidc/callback")
    with LiveServer(settings) as server:
        yield server


@pytest.fixture
def server(oidc_server: LiveServer, provider: Provider) -> LiveServer:
    wipe(oidc_server.app.state.services.db)
    roles_world.load(oidc_server.app.state.services.db)
    provider.user, provider.fault = psc_user(IDNAT_P), None
    return oidc_server


def _to_callback(client: httpx.Client) -> str:
    """Start a login and let the provider consent: the callback path and query."""
    start = client.get("/auth/oidc/login")
    assert start.status_code == 302, start.text
    assert "code_challenge_method=S256" in start.headers["location"]
    consent = httpx.get(start.headers["location"])
    assert consent.status_code == 302, consent.text
    back = urlsplit(consent.headers["location"])
    return f"{back.path}?{back.query}"


def _login(client: httpx.Client) -> httpx.Response:
    return client.get(_to_callback(client))


def test_a_professional_logs_in_and_is_linked_to_their_practitioner(
        server: LiveServer, provider: Provider) -> None:
    with browser(server) as client:
        response = _login(client)
        assert response.status_code == 200, response.text
        assert response.json()["login"] == IDNAT_P
        me = client.get("/auth/session").json()
        assert me["roles"] == ["professional:pract-p"] and me["profile"] == 2
        assert provider.token_requests[-1]["code_verifier"]  # PKCE
        body = client.get("/fhir/HealthcareService/hs-p").json() | {"name": "Par PSC"}
        written = client.put("/fhir/HealthcareService/hs-p", json=body, headers={
            "Content-Type": "application/fhir+json", "X-CSRF-Token": me["csrf_token"]})
        assert written.status_code == 200, written.text
    with browser(server) as again:
        assert _login(again).status_code == 200
    accounts = people(server).users.all()
    assert [a.user.login for a in accounts] == [IDNAT_P]


def test_an_account_made_for_the_practitioner_is_the_one_linked(server: LiveServer) -> None:
    people(server).users.add("claire", "Claire Pro", None, "pract-p",
                             ("professional", "referent:eg-a"))
    with browser(server) as client:
        response = _login(client)
        assert response.status_code == 200 and response.json()["login"] == "claire"
        assert client.get("/auth/session").json()["roles"] == ["professional:pract-p",
                                                               "referent:eg-a"]
    assert len(people(server).users.all()) == 1


def test_an_unknown_professional_gets_an_account_that_governs_nothing(
        server: LiveServer, provider: Provider) -> None:
    provider.user = psc_user("899999999999")
    with browser(server) as client:
        assert _login(client).status_code == 200
        me = client.get("/auth/session").json()
        assert me["roles"] == ["professional"] and me["profile"] == 2


def _refused(response: httpx.Response, status: int) -> dict[str, str]:
    assert response.status_code == status, response.text
    body: dict[str, str] = response.json()
    assert body["error"] == "refused" and "Set-Cookie" not in response.headers
    return body


def test_a_wrong_state_another_browser_and_a_replay_are_refused(
        server: LiveServer, provider: Provider) -> None:
    provider.fault = "state"
    with browser(server) as client:
        assert "recommencez" in _refused(_login(client), 400)["message"]
    provider.fault = None
    with browser(server) as client, browser(server) as victim:
        callback = _to_callback(client)
        _refused(victim.get(callback), 400)  # bound to the browser that started it
    with browser(server) as client:
        callback = _to_callback(client)
        assert client.get(callback).status_code == 200
        _refused(client.get(callback), 400)  # a state serves once


@pytest.mark.parametrize(("fault", "detail"), [
    ("nonce", "nonce"),
    ("audience", "audience"),
    ("issuer", "issuer"),
    ("tampered", "Signature verification failed"),
    ("expired", "expired"),
    ("rogue-key", "Signature verification failed"),
    ("hs256", "algorithm 'HS256' is not accepted"),
    ("userinfo-sub", "another subject"),
])
def test_a_bad_id_token_or_userinfo_is_refused(server: LiveServer, provider: Provider,
                                               fault: str, detail: str) -> None:
    provider.fault = fault
    with browser(server) as client:
        body = _refused(_login(client), 401)
        assert detail.lower() in body["detail"].lower(), body
        assert client.get("/auth/session").status_code == 401
    assert people(server).users.all() == []


def test_a_pkce_verifier_mismatch_is_refused(server: LiveServer) -> None:
    with browser(server) as client:
        callback = _to_callback(client)
        with server.app.state.services.db.write() as conn:
            conn.exec_driver_sql("UPDATE oidc_login SET verifier = 'not-the-verifier'")
        body = _refused(client.get(callback), 401)
        assert "invalid_grant" in body["detail"]


def test_the_provider_refusing_and_a_disabled_account(server: LiveServer) -> None:
    with browser(server) as client:
        start = client.get("/auth/oidc/login")
        state = dict(httpx.URL(start.headers["location"]).params)["state"]
        denied = client.get(f"/auth/oidc/callback?error=access_denied&state={state}")
        assert denied.status_code == 401 and denied.json()["error"] == "access_denied"
        assert _login(client).status_code == 200
    people(server).users.disable(IDNAT_P)
    with browser(server) as client:
        assert "désactivé" in _refused(_login(client), 403)["message"]


def test_accounts_are_not_created_when_the_setting_says_so(server: LiveServer) -> None:
    identity = Identity("https://psc.example f:1", "899999999999", "Claire", None)
    with server.app.state.services.db.write() as conn, pytest.raises(
            Forbidden, match="demandez à un administrateur"):
        _account(conn, identity, create=False)


def test_without_a_provider_the_routes_say_so(people_server: LiveServer) -> None:
    with browser(people_server) as client:
        response = client.get("/auth/oidc/login")
        assert response.status_code == 404 and response.json()["error"] == "not_configured"
