"""openror users add | list | grant | revoke | disable; bad input is one line and exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from openror.access.caller import SYSTEM
from openror.cli import main
from openror.services.writes import WritePath
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.terminology import default_terminology
from tests.api.search_fixture import establishment, professional


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'users.sqlite'}"
    assert _run("db", "upgrade", "--database", url)[0] == 0
    db = Database(url)
    writes = WritePath(db, default_terminology(), "32")
    for body in (establishment("eg-a", "Site A", "020000029"),
                 professional("pract-p", "810000000001", "PRO")):
        writes.update(body["resourceType"], body["id"], body, LogEntry("t"), caller=SYSTEM)
    db.dispose()
    return url


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _listed(url: str) -> list[dict[str, object]]:
    code, out = _run("users", "list", "--json", "--database", url)
    assert code == 0, out
    found: list[dict[str, object]] = json.loads(out)
    return found


def test_add_grant_revoke_disable(url: str) -> None:
    code, out = _run("users", "add", "Claire.V", "--name", "Claire Valmont", "--email",
                     "claire@example.org", "--practitioner", "pract-p", "--role",
                     "professional", "--role", "referent:eg-a", "--database", url)
    assert code == 0, out
    [user] = _listed(url)
    assert user["login"] == "claire.v" and user["practitioner"] == "pract-p"
    assert user["roles"] == ["professional", "referent:eg-a"]
    assert _run("users", "grant", "claire.v", "operator:32", "--database", url)[0] == 0
    assert _run("users", "revoke", "claire.v", "referent:eg-a", "--database", url)[0] == 0
    assert _listed(url)[0]["roles"] == ["operator:32", "professional"]
    assert _run("users", "disable", "claire.v", "--database", url)[0] == 0
    assert _listed(url)[0]["disabled_at"] is not None
    code, out = _run("users", "list", "--database", url)
    assert "claire.v" in out and "disabled" in out


@pytest.mark.parametrize(("args", "message"), [
    (("--role", "chief"), "'chief' is not a role"),
    (("--role", "referent"), "needs a scope"),
    (("--role", "referent:nowhere"), "Organization/nowhere does not exist"),
    (("--role", "operator:99"), "region '99' is not an INSEE region code"),
    (("--role", "admin:32"), "takes no scope"),
    (("--practitioner", "nobody"), "Practitioner/nobody does not exist"),
    (("--email", "not an address"), "is not an e-mail address"),
])
def test_bad_input_is_one_line(url: str, args: tuple[str, ...], message: str) -> None:
    code, out = _run("users", "add", "someone", "--name", "Someone", *args, "--database", url)
    assert code == 1 and message in out and out.count("\n") == 1, out
    assert _listed(url) == []


def test_a_login_is_unique_and_an_unknown_one_is_named(url: str) -> None:
    assert _run("users", "add", "a", "--name", "A", "--database", url)[0] == 0
    code, out = _run("users", "add", "A", "--name", "Another", "--database", url)
    assert code == 1 and "login 'a' is taken" in out
    code, out = _run("users", "grant", "b", "admin", "--database", url)
    assert code == 1 and "no account 'b'" in out
    code, out = _run("users", "revoke", "a", "admin", "--database", url)
    assert code == 1 and "does not have the role admin" in out


def _run_with(stdin: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.output


def test_password_then_login_then_reset_through_the_outbox(url: str) -> None:
    from openror.config import Settings
    from openror.services.people import People

    assert _run("users", "add", "pro", "--name", "Pro", "--email", "pro@example.org",
                "--database", url)[0] == 0
    code, out = _run_with("court\n", "users", "password", "pro", "--password-stdin",
                          "--database", url)
    assert code == 1 and "au moins 12 caractères" in out
    code, out = _run_with("un mot de passe assez long\n", "users", "password", "pro",
                          "--password-stdin", "--database", url)
    assert code == 0, out
    code, out = _run_with("un autre mot de passe long\nun autre mot de passe long\n",
                          "users", "password", "pro", "--database", url)  # prompted twice
    assert code == 0, out
    db = Database(url)
    try:
        people = People.open(db, Settings(database_url=url))
        assert people.logins.login("pro", "un autre mot de passe long").login == "pro"
        assert people.resets.request("pro") == 1
    finally:
        db.dispose()
    code, out = _run("mail", "outbox", "--database", url)
    assert code == 0 and "to pro@example.org" in out and "réinitialisation" in out
    [mail] = json.loads(_run("mail", "outbox", "--json", "--database", url)[1])
    assert _run("mail", "mark-sent", str(mail["id"]), "--database", url)[1] == \
        "marked 1 message(s) sent\n"
    assert json.loads(_run("mail", "outbox", "--json", "--database", url)[1]) == []
    assert len(json.loads(_run("mail", "outbox", "--all", "--json", "--database", url)[1])) == 1


def test_the_demo_accounts_get_a_new_password_at_each_start(tmp_path: Path) -> None:
    from openror.cli_users import demo_accounts
    from openror.config import Settings
    from openror.datasets.liberal import GP_RPPS
    from openror.errors import Unauthorized
    from openror.services.people import People

    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert _run("db", "upgrade", "--database", url)[0] == 0
    db = Database(url)
    try:
        writes = WritePath(db, default_terminology(), "32")
        for body in (establishment("demo-group-practice", "Cabinet", "020000029"),
                     professional(f"pr-{GP_RPPS}", "8" + GP_RPPS, "VALMONT")):
            writes.update(body["resourceType"], body["id"], body, LogEntry("t"),
                          caller=SYSTEM)
        settings = Settings(database_url=url)
        first = dict((login, password) for login, password, _ in demo_accounts(db, settings))
        second = dict((login, password) for login, password, _ in demo_accounts(db, settings))
        people = People.open(db, settings)
        assert people.users.caller("demo-pro").grants[0].scope == f"pr-{GP_RPPS}"
        assert people.logins.login("demo-admin", second["demo-admin"]).login == "demo-admin"
        with pytest.raises(Unauthorized):
            people.logins.login("demo-referent", first["demo-referent"])
        assert len(people.users.all()) == 4
    finally:
        db.dispose()
