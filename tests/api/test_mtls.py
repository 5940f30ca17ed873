"""Mutual TLS (RFC 8705) over real TLS on loopback, on both back-ends: the server terminates
TLS with a client CA (client certificates optional), or trusts the certificate header of a
reverse proxy at 127.0.0.2; tokens are bound to the certificate they were obtained with."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import jwt
import pytest

from openror.access.certificates import thumbprint
from openror.api.server import server_options
from openror.config import Settings
from openror.services.clients import Clients, Credentials
from tests.conftest import LiveServer
from tests.pki import Authority, Identity, client_context

PROXY = "127.0.0.2"  # the trusted reverse proxy; the tests' other clients come from 127.0.0.1
HEADER = "X-SSL-Client-Cert"
TOKEN = {"grant_type": "client_credentials"}


@dataclass(frozen=True)
class Pki:
    ca: Path
    alice: Identity
    bob: Identity
    rogue: Identity  # from a CA the server does not trust


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    ca, other = Authority(folder, "test-ca"), Authority(folder, "rogue-ca")
    server = ca.server()
    (folder / "server.pem").write_text(server.pem, encoding="ascii")
    return Pki(ca.cert, ca.client("alice"), ca.client("bob"), other.client("rogue"))


@pytest.fixture(scope="module")
def server(database_url: str, pki: Pki, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    folder = pki.ca.parent
    settings = Settings(data_dir=tmp_path_factory.mktemp("mtls"), database_url=database_url,
                        log_level="WARNING", tls_cert=str(folder / "server.pem"),
                        tls_key=str(folder / "server.key"), tls_client_ca=str(pki.ca),
                        tls_proxy_header=HEADER, tls_trusted_proxies=f"{PROXY}/32")
    assert settings.require_client_certificates  # the default
    with LiveServer(settings, certificates_required=True, **server_options(settings)) as live:
        yield live


def clients_of(server: LiveServer) -> Clients:
    found: Clients = server.app.state.services.clients
    return found


def connect(server: LiveServer, pki: Pki, identity: Identity | None = None,
            source: str = "127.0.0.1") -> httpx.Client:
    """An HTTPS client presenting ``identity``'s certificate (None: no certificate)."""
    transport = httpx.HTTPTransport(verify=client_context(pki.ca, identity),
                                    local_address=source)
    return httpx.Client(base_url=server.url, transport=transport, timeout=30)


def token(client: httpx.Client, made: Credentials, secret: bool = False,
          headers: dict[str, str] | None = None) -> httpx.Response:
    """POST /auth/token with client_id alone (mutual TLS), or with the secret too."""
    data = TOKEN | {"client_id": made.client_id}
    if secret:
        data["client_secret"] = made.client_secret
    return client.post("/auth/token", data=data, headers=headers)


def access_token(answer: httpx.Response) -> str:
    assert answer.status_code == 200, answer.text
    found: str = answer.json()["access_token"]
    return found


def read(client: httpx.Client, bearer: str, headers: dict[str, str] | None = None
         ) -> httpx.Response:
    return client.get("/fhir/Organization", headers={"Authorization": f"Bearer {bearer}",
                                                     **(headers or {})})


def assert_invalid_client(answer: httpx.Response, words: str) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"] == "invalid_client"
    assert words in answer.json()["error_description"]


def assert_invalid_token(answer: httpx.Response, words: str) -> None:
    assert answer.status_code == 401, answer.text
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
    assert words in answer.json()["issue"][0]["diagnostics"]


# --- TLS terminated by the server ------------------------------------------------------------

def test_a_client_with_its_certificate_gets_a_bound_token_and_reads(server: LiveServer,
                                                                    pki: Pki) -> None:
    made = clients_of(server).add("mtls reader", 1, cert_pem=pki.alice.pem)
    with connect(server, pki, pki.alice) as alice:
        for answer in (token(alice, made), token(alice, made, secret=True)):
            bearer = access_token(answer)
            claims = jwt.decode(bearer, options={"verify_signature": False})
            assert claims["cnf"] == {"x5t#S256": thumbprint(pki.alice.pem)}
            assert read(alice, bearer).status_code == 200


def test_the_secret_alone_is_refused(server: LiveServer, pki: Pki) -> None:
    made = clients_of(server).add("mtls secret", 2, cert_pem=pki.alice.pem)
    with connect(server, pki) as anonymous:
        assert anonymous.get("/fhir/metadata").status_code == 200  # TLS without certificate
        assert_invalid_client(token(anonymous, made, secret=True),
                              "authenticates with its client certificate")
        assert_invalid_client(token(anonymous, made), "no registered client certificate")


def test_another_certificate_does_not_authenticate_the_client(server: LiveServer, pki: Pki
                                                              ) -> None:
    made = clients_of(server).add("mtls other", 1, cert_pem=pki.alice.pem)
    with connect(server, pki, pki.bob) as bob:
        assert_invalid_client(token(bob, made), "unknown client")
        assert_invalid_client(token(bob, made, secret=True), "not the one registered")


def test_a_bound_token_needs_the_same_certificate(server: LiveServer, pki: Pki) -> None:
    made = clients_of(server).add("mtls bound", 1, cert_pem=pki.alice.pem)
    with connect(server, pki, pki.alice) as alice:
        bearer = access_token(token(alice, made))
    with connect(server, pki, pki.bob) as bob, connect(server, pki) as nobody:
        for other in (bob, nobody):
            assert_invalid_token(read(other, bearer), "certificate not matching the token")


def test_a_certificate_from_an_unknown_ca_fails_the_handshake(server: LiveServer, pki: Pki
                                                              ) -> None:
    with connect(server, pki, pki.rogue) as rogue, pytest.raises(httpx.TransportError):
        rogue.get("/fhir/metadata")


def test_profile_0_keeps_its_secret(server: LiveServer, pki: Pki) -> None:
    made = clients_of(server).add("mtls public", 0)
    with connect(server, pki) as plain:
        bearer = access_token(token(plain, made, secret=True))
        assert read(plain, bearer).status_code == 200


# --- the certificate header of a trusted reverse proxy ----------------------------------------

def forwarded(identity: Identity) -> dict[str, str]:
    """What nginx sends with ``proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert``."""
    return {HEADER: quote(identity.pem)}


def test_the_trusted_proxy_forwards_the_certificate(server: LiveServer, pki: Pki) -> None:
    made = clients_of(server).add("proxied", 1, cert_pem=pki.alice.pem)
    with connect(server, pki, source=PROXY) as proxy:
        bearer = access_token(token(proxy, made, headers=forwarded(pki.alice)))
        assert read(proxy, bearer, forwarded(pki.alice)).status_code == 200
        assert_invalid_token(read(proxy, bearer, forwarded(pki.bob)), "not matching")
        assert_invalid_token(read(proxy, bearer), "not matching")


def test_from_the_proxy_only_the_header_counts(server: LiveServer, pki: Pki) -> None:
    made = clients_of(server).add("proxy tls", 1, cert_pem=pki.alice.pem)
    with connect(server, pki, pki.alice, source=PROXY) as proxy:
        assert_invalid_client(token(proxy, made), "unknown client")


def test_the_header_from_anyone_else_is_ignored(server: LiveServer, pki: Pki) -> None:
    made = clients_of(server).add("spoofed", 1, cert_pem=pki.alice.pem)
    spoofs = [forwarded(pki.alice),  # uvicorn trusts X-Forwarded-For from 127.0.0.1
              forwarded(pki.alice) | {"X-Forwarded-For": PROXY}]
    with connect(server, pki) as intruder:
        for headers in spoofs:
            assert_invalid_client(token(intruder, made, headers=headers), "unknown client")
    with connect(server, pki, pki.alice) as alice:
        bearer = access_token(token(alice, made))
    with connect(server, pki, pki.bob) as bob:
        for headers in spoofs:
            assert_invalid_token(read(bob, bearer, headers), "not matching")
