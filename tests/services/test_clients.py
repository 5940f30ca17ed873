"""API clients through the services, on both back-ends: credentials, tokens, revocation,
rotation, and what a client may be given."""

from __future__ import annotations

import base64
import re

import pytest

from openror.access import ror_headers
from openror.access.caller import WRITE_ALL
from openror.access.certificates import thumbprint
from openror.config import Settings
from openror.errors import InvalidInput, NotFound, Unauthorized
from openror.services.clients import Clients
from openror.store.database import Database

DER = b"\x30\x03\x02\x01\x01"
PEM = ("-----BEGIN CERTIFICATE-----\n" + base64.b64encode(DER).decode()
       + "\n-----END CERTIFICATE-----\n")
THUMB = thumbprint(PEM)
OTHER = thumbprint(PEM.replace(base64.b64encode(DER).decode(),
                               base64.b64encode(DER + b"\x00").decode()))


def _cnf(token: str) -> object:
    import jwt

    return jwt.decode(token, options={"verify_signature": False}).get("cnf")


@pytest.fixture
def clients(db: Database) -> Clients:
    """Clients of any profile may use a secret (certificates: the tests at the end)."""
    return Clients(db, Settings(database_url=db.url, require_client_certificates=False))


@pytest.fixture
def strict(db: Database) -> Clients:
    """Clients of profiles 1-5 need their certificate (the default)."""
    return Clients(db, Settings(database_url=db.url))


def test_credentials_give_a_token_that_stands_for_the_client(clients: Clients) -> None:
    made = clients.add("SAS de l'Aisne", 2, regions=("32",), writes=("region:32",))
    assert made.client_id.startswith("sas-de-l-aisne-")
    issued = clients.authenticate(made.client_id, made.client_secret)
    assert issued.expires_in == 3600
    caller = clients.caller_for_token(issued.access_token)
    assert caller.actor == f"client:{made.client_id}" and caller.client_id == made.client_id
    assert (caller.profile, caller.regions, caller.writes) == (
        2, frozenset({"32"}), frozenset({"region:32"}))


async def _async_caller(clients: Clients, token: str) -> str:
    return (await clients.acaller_for_token(token)).actor


def test_the_event_loop_variant_gives_the_same_caller(clients: Clients) -> None:
    import asyncio

    made = clients.add("loop", 1, writes=(WRITE_ALL,))
    token = clients.authenticate(made.client_id, made.client_secret).access_token
    assert asyncio.run(_async_caller(clients, token)) == f"client:{made.client_id}"


def test_only_the_hash_of_the_secret_is_stored(clients: Clients) -> None:
    made = clients.add("hashed", 0)
    [row] = [r for r in clients.all() if r.client_id == made.client_id]
    assert made.client_secret not in row.secret_hash and row.secret_hash.startswith("$argon2id$")


def test_a_wrong_secret_or_an_unknown_client_gets_the_same_refusal(clients: Clients) -> None:
    made = clients.add("victim", 1)
    for client_id, secret in ((made.client_id, "wrong"), (made.client_id, ""),
                              ("nobody", made.client_secret)):
        with pytest.raises(Unauthorized) as refused:
            clients.authenticate(client_id, secret)
        assert refused.value.message == "unknown client or wrong secret"


def test_revoking_voids_the_credentials_and_every_token(clients: Clients) -> None:
    made = clients.add("revoked", 1)
    token = clients.authenticate(made.client_id, made.client_secret).access_token
    clients.revoke(made.client_id)
    with pytest.raises(Unauthorized, match="revoked"):
        clients.caller_for_token(token)
    with pytest.raises(Unauthorized, match="unknown client or wrong secret"):
        clients.authenticate(made.client_id, made.client_secret)
    with pytest.raises(InvalidInput, match="revoked"):
        clients.revoke(made.client_id)
    with pytest.raises(InvalidInput, match="revoked"):
        clients.rotate(made.client_id)
    [row] = [r for r in clients.all() if r.client_id == made.client_id]
    assert row.revoked_at is not None


def test_rotating_voids_earlier_tokens_even_within_the_same_second(clients: Clients) -> None:
    made = clients.add("rotated", 1)
    old = clients.authenticate(made.client_id, made.client_secret).access_token
    rotated = clients.rotate(made.client_id)
    assert rotated.client_id == made.client_id and rotated.client_secret != made.client_secret
    with pytest.raises(Unauthorized, match="rotated"):
        clients.caller_for_token(old)
    with pytest.raises(Unauthorized):
        clients.authenticate(made.client_id, made.client_secret)
    new = clients.authenticate(made.client_id, rotated.client_secret).access_token
    assert clients.caller_for_token(new).client_id == made.client_id


def test_unknown_clients_cannot_be_revoked_or_rotated(clients: Clients) -> None:
    with pytest.raises(NotFound, match="openror clients list"):
        clients.revoke("nobody")
    with pytest.raises(NotFound):
        clients.rotate("nobody")


def test_workers_share_one_signing_key(clients: Clients, db: Database) -> None:
    other = Clients(db, Settings(database_url=db.url, require_client_certificates=False))
    made = clients.add("shared", 1)
    token = other.authenticate(made.client_id, made.client_secret).access_token
    assert clients.caller_for_token(token).client_id == made.client_id
    assert clients.signing_key() == other.signing_key()


def test_a_token_from_another_audience_is_refused(clients: Clients, db: Database) -> None:
    elsewhere = Clients(db, Settings(database_url=db.url, token_audience="elsewhere",
                                     require_client_certificates=False))
    made = clients.add("audience", 1)
    token = elsewhere.authenticate(made.client_id, made.client_secret).access_token
    with pytest.raises(Unauthorized, match="audience"):
        clients.caller_for_token(token)


def test_a_certificate_thumbprint_is_stored_and_bound_to_tokens(clients: Clients) -> None:
    made = clients.add("with cert", 1, cert_pem=PEM)
    [row] = [r for r in clients.all() if r.client_id == made.client_id]
    assert row.cert_thumbprint == THUMB and len(THUMB) == 43
    bound = clients.authenticate(made.client_id, made.client_secret, THUMB).access_token
    assert _cnf(bound) == {"x5t#S256": THUMB}
    # without certificates required, the secret alone still gives a token, not bound
    assert _cnf(clients.authenticate(made.client_id, made.client_secret).access_token) is None


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"profile": 6}, "profile 6 is not a ROR access profile"),
    ({"profile": -1}, "use 0 (open data) to 5"),
    ({"regions": ("99",)}, "region '99' is not an INSEE region code"),
    ({"regions": ("2",)}, "region '2' is not"),
    ({"writes": ("everything",)}, "write scope 'everything' is not valid"),
    ({"writes": ("region:99",)}, "region '99'"),
    ({"writes": ("region:",)}, "region ''"),
    ({"name": "  "}, "the client name must be"),
    ({"cert_pem": "nope"}, "BEGIN CERTIFICATE"),
])
def test_what_a_client_may_be_given_is_checked(clients: Clients, kwargs: dict[str, object],
                                                message: str) -> None:
    values: dict[str, object] = {"name": "checked", "profile": 1} | kwargs
    with pytest.raises(InvalidInput, match=re.escape(message)):
        clients.add(**values)  # type: ignore[arg-type]
    assert all(r.name != "checked" for r in clients.all())


def test_scopes_and_regions_are_normalised(clients: Clients) -> None:
    made = clients.add("scopes", 1, regions=("32", "02", "32"),
                       writes=("region:32", WRITE_ALL, "region:32"))
    [row] = [r for r in clients.all() if r.client_id == made.client_id]
    assert row.regions == ("02", "32") and row.writes == ("all", "region:32")


# --- mutual TLS (RFC 8705) and the Ror-* values ---------------------------------------------

def test_profiles_1_to_5_are_registered_with_a_certificate(strict: Clients) -> None:
    for profile in range(1, 6):
        with pytest.raises(InvalidInput, match=f"access profile {profile} authenticates with "
                                               "its certificate"):
            strict.add("no cert", profile)
    assert strict.add("open data", 0).client_id and strict.add("cert", 3, cert_pem=PEM)


def test_a_certificate_client_authenticates_with_its_certificate(strict: Clients) -> None:
    made = strict.add("mtls", 1, cert_pem=PEM)
    for secret in (None, made.client_secret):
        issued = strict.authenticate(made.client_id, secret, THUMB)
        assert _cnf(issued.access_token) == {"x5t#S256": THUMB}
        assert strict.caller_for_token(issued.access_token, THUMB).profile == 1
    with pytest.raises(Unauthorized, match="authenticates with its client certificate"):
        strict.authenticate(made.client_id, made.client_secret)
    with pytest.raises(Unauthorized, match="not the one registered"):
        strict.authenticate(made.client_id, made.client_secret, OTHER)
    for secret, cert in ((None, OTHER), (None, None), ("wrong", THUMB)):
        with pytest.raises(Unauthorized, match="unknown client"):
            strict.authenticate(made.client_id, secret, cert)
    with pytest.raises(Unauthorized, match="unknown client"):
        strict.authenticate("nobody", None, THUMB)


def test_profile_0_keeps_its_secret(strict: Clients) -> None:
    made = strict.add("public", 0)
    token = strict.authenticate(made.client_id, made.client_secret, OTHER).access_token
    assert _cnf(token) is None and strict.caller_for_token(token).profile == 0


def test_a_bound_token_needs_the_same_certificate(strict: Clients) -> None:
    made = strict.add("bound", 2, cert_pem=PEM)
    token = strict.authenticate(made.client_id, None, THUMB).access_token
    for presented in (None, OTHER):
        with pytest.raises(Unauthorized, match="certificate not matching the token") as refused:
            strict.caller_for_token(token, presented)
        assert 'error="invalid_token"' in refused.value.headers["WWW-Authenticate"]


def test_an_unbound_token_stops_working_once_certificates_are_required(
        clients: Clients, strict: Clients) -> None:
    made = clients.add("before", 1, cert_pem=PEM)
    unbound = clients.authenticate(made.client_id, made.client_secret).access_token
    assert clients.caller_for_token(unbound).client_id == made.client_id
    with pytest.raises(Unauthorized, match="not bound to a client certificate"):
        strict.caller_for_token(unbound, THUMB)


def test_the_ror_values_are_stored_and_given_to_the_caller(clients: Clients) -> None:
    made = clients.add("ror", 1, ror_profile="CU22", ror_role="9.9|AUTOMATE")
    [row] = [r for r in clients.all() if r.client_id == made.client_id]
    assert (row.ror_profile, row.ror_role) == (f"{ror_headers.DEFAULT_PROFILE_SYSTEM}|CU22",
                                               "9.9|AUTOMATE")
    token = clients.authenticate(made.client_id, made.client_secret).access_token
    assert dict(clients.caller_for_token(token).ror_headers) == {
        ror_headers.PROFILE_CODE: "CU22",
        ror_headers.PROFILE_SYSTEM: ror_headers.DEFAULT_PROFILE_SYSTEM,
        ror_headers.ROLE_CODE: "AUTOMATE", ror_headers.ROLE_SYSTEM: "9.9"}
    with pytest.raises(InvalidInput, match="--ror-role 'a b' is not valid"):
        clients.add("bad ror", 1, ror_role="a b")
