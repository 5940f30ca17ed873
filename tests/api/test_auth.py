"""Authentication over HTTP, on both back-ends: the token endpoint (RFC 6749 client
credentials) and its errors, bearer tokens on the FHIR API, anonymous access, and write
rights by region."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from openror.access import tokens
from openror.access.caller import WRITE_ALL
from openror.config import Settings
from openror.services.clients import Clients, Credentials
from openror.services.metadata import REGION_SYSTEM
from openror.store.clients import get as get_client
from tests.api.test_crud import FHIR, create
from tests.builders import organization, parameters, patch_op
from tests.conftest import LiveServer

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def clients_of(server: LiveServer) -> Clients:
    found: Clients = server.app.state.services.clients
    return found


def post_token(server: LiveServer, data: dict[str, str] | str,
               auth: tuple[str, str] | None = None,
               headers: dict[str, str] | None = None) -> httpx.Response:
    with httpx.Client(base_url=server.url, timeout=30, auth=auth) as plain:
        return plain.post("/auth/token", content=data if isinstance(data, str) else None,
                          data=data if isinstance(data, dict) else None,
                          headers=headers or (FORM if isinstance(data, str) else None))


def token_for(server: LiveServer, made: Credentials) -> str:
    answer = post_token(server, {"grant_type": "client_credentials"},
                        auth=(made.client_id, made.client_secret))
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def bearer(server: LiveServer, token: str) -> httpx.Client:
    return httpx.Client(base_url=server.url + "/fhir", timeout=30,
                        headers={"Authorization": f"Bearer {token}"})


def assert_oauth_error(answer: httpx.Response, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == code and answer.json()["error_description"]
    assert answer.headers["Cache-Control"] == "no-store"


def assert_401(answer: httpx.Response, words: str, token_error: str | None = "invalid_token"
               ) -> None:
    assert answer.status_code == 401, answer.text
    outcome = answer.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert words in outcome["issue"][0]["diagnostics"]
    challenge = answer.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="openror"')
    assert (f'error="{token_error}"' in challenge) if token_error else "error=" not in challenge


# --- the token endpoint ------------------------------------------------------------------

def test_client_credentials_by_basic_or_form_give_a_bearer_token(live_server: LiveServer
                                                                 ) -> None:
    made = clients_of(live_server).add("token happy", 1, writes=(WRITE_ALL,))
    for answer in (
        post_token(live_server, {"grant_type": "client_credentials"},
                   auth=(made.client_id, made.client_secret)),
        post_token(live_server, {"grant_type": "client_credentials",
                                 "client_id": made.client_id,
                                 "client_secret": made.client_secret}),
    ):
        assert answer.status_code == 200, answer.text
        assert answer.headers["Cache-Control"] == "no-store"
        body = answer.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
        with bearer(live_server, body["access_token"]) as client:
            assert client.get("/Organization/unknown").status_code == 404


@pytest.mark.parametrize(("data", "status", "code"), [
    ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ({}, 400, "invalid_request"),
    ("grant_type=client_credentials&grant_type=client_credentials", 400, "invalid_request"),
])
def test_request_errors(live_server: LiveServer, data: dict[str, str] | str, status: int,
                        code: str) -> None:
    made = clients_of(live_server).add("token errors", 1)
    answer = post_token(live_server, data, auth=(made.client_id, made.client_secret))
    assert_oauth_error(answer, status, code)


def test_credentials_must_come_once_and_as_a_form(live_server: LiveServer) -> None:
    made = clients_of(live_server).add("token form", 1)
    both = post_token(live_server, {"grant_type": "client_credentials",
                                    "client_id": made.client_id, "client_secret": "x"},
                      auth=(made.client_id, made.client_secret))
    assert_oauth_error(both, 400, "invalid_request")
    as_json = post_token(live_server, '{"grant_type": "client_credentials"}',
                         auth=(made.client_id, made.client_secret),
                         headers={"Content-Type": "application/json"})
    assert_oauth_error(as_json, 400, "invalid_request")


@pytest.mark.parametrize("credentials", ["none", "wrong secret", "unknown client", "revoked",
                                         "not basic"])
def test_bad_client_credentials_get_invalid_client(live_server: LiveServer,
                                                   credentials: str) -> None:
    clients = clients_of(live_server)
    made = clients.add("token invalid", 1)
    auth: tuple[str, str] | None = {
        "none": None, "wrong secret": (made.client_id, "wrong"),
        "unknown client": ("nobody", made.client_secret),
        "revoked": (made.client_id, made.client_secret),
        "not basic": None,
    }[credentials]
    if credentials == "revoked":
        clients.revoke(made.client_id)
    headers = {**FORM, "Authorization": "Bearer abc"} if credentials == "not basic" else None
    answer = post_token(live_server, "grant_type=client_credentials", auth=auth, headers=headers)
    assert_oauth_error(answer, 401, "invalid_client")
    assert answer.headers["WWW-Authenticate"] == 'Basic realm="openror"'


def test_repeated_failures_are_throttled_even_with_the_right_secret(live_server: LiveServer
                                                                    ) -> None:
    made = clients_of(live_server).add("token throttle", 1)
    for _ in range(10):
        answer = post_token(live_server, {"grant_type": "client_credentials"},
                            auth=(made.client_id, "guess"))
        assert answer.status_code == 401
    answer = post_token(live_server, {"grant_type": "client_credentials"},
                        auth=(made.client_id, made.client_secret))
    assert_oauth_error(answer, 429, "slow_down")
    assert 0 < int(answer.headers["Retry-After"]) <= 300


# --- bearer tokens on the API --------------------------------------------------------------

def test_without_a_token_the_api_answers_401(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30) as plain:
        assert_401(plain.get("/fhir/Organization"), "needs an access token", None)
        assert_401(plain.post("/fhir/Organization", json=organization(), headers=FHIR),
                   "needs an access token", None)
        assert_401(plain.get("/fhir/Organization", auth=("a", "b")), "not a bearer token",
                   "invalid_request")
        assert plain.get("/-/health").status_code == 200
        metadata = plain.get("/fhir/metadata")
    assert metadata.status_code == 200
    security = metadata.json()["rest"][0]["security"]
    assert security["service"][0]["coding"][0]["code"] == "OAuth"
    assert security["extension"][0]["extension"][0]["valueUri"] == (
        f"{live_server.url}/auth/token")


def _forged(server: LiveServer, made: Credentials, **changes: Any) -> str:
    """A token signed with the server's own key, with some claims changed."""
    clients = clients_of(server)
    with server.app.state.services.db.read() as conn:
        row = get_client(conn, made.client_id)
    assert row is not None
    policy = changes.pop("policy", clients.policy)
    return tokens.issue(clients.signing_key(), policy, made.client_id, 1,
                        tokens.microseconds(row.secret_set_at), **changes)


def test_invalid_tokens_are_refused(live_server: LiveServer) -> None:
    made = clients_of(live_server).add("bearer invalid", 1)
    good = token_for(live_server, made)
    head, payload, signature = good.split(".")
    tampered = f"{head}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}" \
               f".{signature}"
    past = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=3)
    cases = {
        "malformed": "not-a-token",
        "signature": tampered,
        "expired": _forged(live_server, made, now=past),
        "audience": _forged(live_server, made,
                            policy=tokens.TokenPolicy("openror", "someone-else", 60)),
    }
    for words, token in cases.items():
        with bearer(live_server, token) as client:
            assert_401(client.get("/Organization"), words)
    with bearer(live_server, good) as client:
        assert client.get("/Organization").status_code == 200


def test_revoking_or_rotating_stops_the_tokens_at_once(live_server: LiveServer) -> None:
    clients = clients_of(live_server)
    revoked, rotated = clients.add("bearer revoked", 1), clients.add("bearer rotated", 1)
    revoked_token, rotated_token = token_for(live_server, revoked), token_for(live_server, rotated)
    clients.revoke(revoked.client_id)
    fresh = clients.rotate(rotated.client_id)
    with bearer(live_server, revoked_token) as client:
        assert_401(client.get("/Organization"), "revoked")
    with bearer(live_server, rotated_token) as client:
        assert_401(client.get("/Organization"), "rotated")
    with bearer(live_server, token_for(live_server, fresh)) as client:
        assert client.get("/Organization").status_code == 200


# --- anonymous access ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def anonymous_server(database_url: str, tmp_path_factory: pytest.TempPathFactory
                     ) -> Iterator[LiveServer]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("anon"), database_url=database_url,
                        region="11", log_level="WARNING", anonymous_access=True)
    with LiveServer(settings) as server:
        yield server


def test_anonymous_callers_read_but_do_not_write(anonymous_server: LiveServer) -> None:
    with httpx.Client(base_url=anonymous_server.url + "/fhir", timeout=30) as plain:
        assert plain.get("/Organization").status_code == 200
        assert plain.get("/Organization/unknown").status_code == 404
        assert_401(plain.post("/Organization", json=organization(), headers=FHIR),
                   "writes need an access token", None)
        assert_401(plain.get("/Organization", headers={"Authorization": "Bearer x"}),
                   "malformed")  # a bad token is not taken for no token
    with anonymous_server.client() as client:
        security = client.get("/metadata").json()["rest"][0]["security"]
    assert "profile 0" in security["description"]


# --- write rights by region ------------------------------------------------------------------

def in_region(body: dict[str, Any], region: str) -> dict[str, Any]:
    body.setdefault("meta", {})["tag"] = [{"system": REGION_SYSTEM, "code": region}]
    return body


@pytest.fixture
def aisne(live_server: LiveServer, api: httpx.Client) -> Iterator[httpx.Client]:
    """A client that may write in Hauts-de-France (32) only, on a wiped database."""
    made = clients_of(live_server).add("aisne", 1, writes=("region:32",))
    with bearer(live_server, token_for(live_server, made)) as client:
        yield client


def assert_403(answer: httpx.Response, words: str) -> None:
    assert answer.status_code == 403, answer.text
    issue = answer.json()["issue"][0]
    assert issue["code"] == "forbidden" and words in issue["diagnostics"]


def test_a_region_client_writes_in_its_region(aisne: httpx.Client, live_server: LiveServer
                                              ) -> None:
    org = create(aisne, in_region(organization(), "32"))
    renamed = aisne.put(f"/Organization/{org['id']}", json=org | {"name": "Renommé"},
                        headers=FHIR)
    assert renamed.status_code == 200, renamed.text
    patched = aisne.patch(f"/Organization/{org['id']}", headers=FHIR, json=parameters(
        patch_op("replace", "Organization.name", value={"valueString": "Patché"})))
    assert patched.status_code == 200, patched.text
    assert aisne.delete(f"/Organization/{org['id']}").status_code == 200
    with live_server.app.state.services.db.read() as conn:
        actors = conn.exec_driver_sql("SELECT DISTINCT actor FROM change_log").scalars().all()
    assert len(actors) == 1 and actors[0].startswith("client:aisne-")


def test_a_region_client_cannot_write_elsewhere(aisne: httpx.Client, api: httpx.Client) -> None:
    assert_403(aisne.post("/Organization", json=organization(), headers=FHIR),
               "needs the write scope 'region:11'")
    theirs = create(api, organization())
    path = f"/Organization/{theirs['id']}"
    assert_403(aisne.put(path, json=theirs | {"name": "x"}, headers=FHIR), "region:11")
    assert_403(aisne.patch(path, headers=FHIR, json=parameters(
        patch_op("replace", "Organization.name", value={"valueString": "x"}))), "region:11")
    assert_403(aisne.patch("/Organization?identifier=010000001", headers=FHIR, json=parameters(
        patch_op("replace", "Organization.name", value={"valueString": "x"}))), "region:11")
    assert_403(aisne.put("/Organization?identifier=010000001", json=theirs | {"name": "x"},
                         headers=FHIR), "region:11")
    assert_403(aisne.delete(path), "region:11")
    assert api.get(path).json()["meta"]["versionId"] == "1"


def test_a_region_client_cannot_move_a_resource_across_regions(aisne: httpx.Client,
                                                               api: httpx.Client) -> None:
    ours = create(aisne, in_region(organization(), "32"))
    assert_403(aisne.put(f"/Organization/{ours['id']}", json=in_region(ours, "11"),
                         headers=FHIR), "would move from region 32 to region 11")
    theirs = create(api, organization(finess="010000002"))
    assert_403(aisne.put(f"/Organization/{theirs['id']}", json=in_region(theirs, "32"),
                         headers=FHIR), "would move from region 11 to region 32")


def test_a_client_without_write_scopes_only_reads(live_server: LiveServer, api: httpx.Client
                                                  ) -> None:
    made = clients_of(live_server).add("reader", 2)
    with bearer(live_server, token_for(live_server, made)) as reader:
        assert reader.get("/Organization").status_code == 200
        assert_403(reader.post("/Organization", json=organization(), headers=FHIR),
                   f"client:{made.client_id} lacks")
