"""openror clients add | list | revoke | rotate; bad input is one line and exit 1."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from openror.cli import _demo_client, main
from openror.config import Settings
from openror.errors import Unauthorized
from openror.services.clients import Clients
from openror.store.database import Database


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated database; clients of any profile may use a secret unless a test says so."""
    monkeypatch.setenv("OPENROR_REQUIRE_CLIENT_CERTIFICATES", "false")
    url = f"sqlite:///{tmp_path / 'clients.sqlite'}"
    assert _run("db", "upgrade", "--database", url)[0] == 0
    return url


def lenient(url: str) -> Settings:
    return Settings(database_url=url, require_client_certificates=False)


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _json(*args: str) -> object:
    code, out = _run(*args)
    assert code == 0, out
    return json.loads(out)


def test_add_prints_credentials_that_get_a_token(url: str) -> None:
    made = _json("clients", "add", "SAS Aisne", "--profile", "1", "--region", "32",
                 "--write", "region:32", "--json", "--database", url)
    assert isinstance(made, dict) and set(made) == {"client_id", "client_secret"}
    db = Database(url)
    try:
        issued = Clients(db, lenient(url)).authenticate(
            made["client_id"], made["client_secret"])
    finally:
        db.dispose()
    assert issued.access_token.count(".") == 2


def test_list_shows_the_clients_but_never_their_secrets(url: str, tmp_path: Path) -> None:
    pem = tmp_path / "client.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\n" + base64.b64encode(b"\x30\x00").decode()
                   + "\n-----END CERTIFICATE-----\n", encoding="ascii")
    made = _json("clients", "add", "with cert", "--profile", "0", "--cert", str(pem), "--json",
                 "--database", url)
    assert isinstance(made, dict)
    listed = _json("clients", "list", "--json", "--database", url)
    assert isinstance(listed, list) and len(listed) == 1
    [row] = listed
    assert row["client_id"] == made["client_id"] and row["profile"] == 0
    assert row["regions"] == [] and row["writes"] == [] and row["revoked_at"] is None
    assert len(row["cert_thumbprint"]) == 43
    assert made["client_secret"] not in json.dumps(listed) and "hash" not in json.dumps(listed)
    code, out = _run("clients", "list", "--database", url)
    assert code == 0 and made["client_id"] in out and "active" in out


def test_rotate_then_revoke(url: str) -> None:
    made = _json("clients", "add", "rotated", "--profile", "2", "--json", "--database", url)
    assert isinstance(made, dict)
    rotated = _json("clients", "rotate", made["client_id"], "--json", "--database", url)
    assert isinstance(rotated, dict)
    assert rotated["client_id"] == made["client_id"]
    assert rotated["client_secret"] != made["client_secret"]
    code, out = _run("clients", "revoke", made["client_id"], "--database", url)
    assert code == 0 and f"revoked {made['client_id']}" in out
    listed = _json("clients", "list", "--json", "--database", url)
    assert isinstance(listed, list) and listed[0]["revoked_at"] is not None


@pytest.mark.parametrize(("args", "message"), [
    (("add", "x", "--profile", "7"), "profile 7 is not a ROR access profile"),
    (("add", "x", "--profile", "1", "--region", "99"), "region '99' is not an INSEE region"),
    (("add", "x", "--profile", "1", "--region", "2"), "region '2' is not an INSEE region"),
    (("add", "x", "--profile", "1", "--write", "everything"), "write scope 'everything'"),
    (("add", "x", "--profile", "1", "--write", "region:99"), "region '99'"),
    (("add", "x", "--profile", "1", "--cert", "/nonexistent.pem"), "nonexistent.pem"),
    (("revoke", "nobody"), "no API client 'nobody'"),
    (("rotate", "nobody"), "no API client 'nobody'"),
])
def test_bad_input_is_one_line_and_exit_1(url: str, args: tuple[str, ...], message: str
                                          ) -> None:
    code, out = _run("clients", *args, "--database", url)
    assert code == 1
    assert out.startswith("openror: error:") and out.count("\n") == 1 and message in out


def test_an_unmigrated_database_is_refused_clearly(tmp_path: Path) -> None:
    code, out = _run("clients", "list", "--database", f"sqlite:///{tmp_path / 'none.sqlite'}")
    assert code == 1 and "openror db upgrade" in out


def test_the_demo_client_gets_a_new_secret_at_each_start(url: str) -> None:
    db = Database(url)
    try:
        clients = Clients(db, lenient(url))
        first, second = _demo_client(clients), _demo_client(clients)
        assert first.client_id == second.client_id
        with pytest.raises(Unauthorized):
            clients.authenticate(first.client_id, first.client_secret)
        caller = clients.caller_for_token(
            clients.authenticate(second.client_id, second.client_secret).access_token)
        assert caller.profile == 1 and caller.writes == frozenset({"all"})
    finally:
        db.dispose()


def _pem(tmp_path: Path) -> Path:
    pem = tmp_path / "client.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\n" + base64.b64encode(b"\x30\x00").decode()
                   + "\n-----END CERTIFICATE-----\n", encoding="ascii")
    return pem


def test_profiles_1_to_5_need_a_certificate_where_certificates_are_required(
        url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROR_REQUIRE_CLIENT_CERTIFICATES", "true")
    code, out = _run("clients", "add", "x", "--profile", "2", "--database", url)
    assert code == 1 and out.count("\n") == 1
    assert out.startswith("openror: error: a client of access profile 2 authenticates with "
                          "its certificate") and "--cert" in out
    made = _json("clients", "add", "x", "--profile", "2", "--cert", str(_pem(tmp_path)),
                 "--json", "--database", url)
    assert isinstance(made, dict) and made["client_secret"]


def test_the_ror_values_are_stored_and_listed(url: str) -> None:
    _json("clients", "add", "ror", "--profile", "1", "--ror-profile", "CU22", "--ror-role",
          "1.2.3|AUTOMATE", "--json", "--database", url)
    listed = _json("clients", "list", "--json", "--database", url)
    assert isinstance(listed, list)
    [row] = listed
    assert row["ror_profile"] == "1.2.250.1.213.1.6.1.66|CU22"
    assert row["ror_role"] == "1.2.3|AUTOMATE"
    code, out = _run("clients", "add", "bad", "--profile", "1", "--ror-profile", "a|b|",
                     "--database", url)
    assert code == 1 and out.count("\n") == 1 and "--ror-profile 'a|b|' is not valid" in out
