"""``openror federate add|list|run|verify|remove`` against a real source on loopback (both
back-ends): the follower's whole life from the command line, and bad input answered in one
line with exit status 1."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from openror.access.caller import Caller
from openror.cli import main
from openror.services.clients import Clients
from openror.store.resources import utcnow
from openror.sync.subscriptions.delivery import deliver_due
from openror.sync.subscriptions.registry import Subscriptions
from tests.builders import organization
from tests.sync.federation_fixture import Instance
from tests.sync.test_subscriptions import Receiver, subscription

World = tuple[Instance, Instance, Instance]


def _run(follower: Instance, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--database",
                                     follower.settings.effective_database_url])


def test_the_follower_from_the_command_line(world: World, tmp_path: Path) -> None:
    source, _, follower = world
    ids = [source.create(organization(name=f"Site {n}", finess=f"11000010{n}"))
           for n in range(3)]
    made = Clients(source.services.db, source.settings).add("national", 1)
    secret = tmp_path / "secret"
    secret.write_text(made.client_secret)
    added = _run(follower, "federate", "add", source.url + "/fhir", "--client", made.client_id,
                 "--secret-file", str(secret), "--precedence", "50", "--name", "region11")
    assert added.exit_code == 0, added.output
    assert "added source region11" in added.output
    ran = _run(follower, "federate", "run", "region11", "--once")
    assert ran.exit_code == 0, ran.output
    assert "region11: caught up" in ran.output and "3 written" in ran.output
    listed = _run(follower, "federate", "list", "--json")
    shown = json.loads(listed.output)
    assert (shown["url"], shown["precedence"], shown["resources"], shown["last_error"]) == (
        source.url, 50, 3, None)
    assert _run(follower, "federate", "verify").exit_code == 0
    follower.update("Organization", ids[1], {"name": "Changé ici"})
    different = _run(follower, "federate", "verify", "region11")
    assert different.exit_code == 1
    assert "11 Organization: different" in different.output
    repaired = _run(follower, "federate", "verify", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "repaired: 1 re-fetched" in repaired.output
    assert repaired.output.rstrip().endswith("11 Organization: equal (3)")
    removed = _run(follower, "federate", "remove", "region11")
    assert removed.exit_code == 0 and "3 resources stay here" in removed.output
    assert follower.body("Organization", ids[0]) is not None


def test_bad_input_is_one_line_and_exit_1(world: World, tmp_path: Path) -> None:
    follower = world[2]
    secret = tmp_path / "secret"
    secret.write_text("x")
    cases = [
        (("federate", "add", "ftp://example.org", "--client", "c", "--secret-file",
          str(secret)), "is not an http(s) URL"),
        (("federate", "add", "http://example.org", "--client", "c", "--secret-file",
          str(tmp_path / "absent")), "does not exist"),
        (("federate", "run", "nowhere"), "no federation source named 'nowhere'"),
        (("federate", "verify"), "no federation source"),
        (("federate", "remove", "nowhere"), "no federation source named"),
    ]
    for args, message in cases:
        result = _run(follower, *args)
        assert result.exit_code == 1, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (args, result.output)
    _run(follower, "federate", "add", "http://127.0.0.1:9", "--client", "c",
         "--secret-file", str(secret), "--name", "dead")
    unreachable = _run(follower, "federate", "run", "dead", "--attempts", "2")
    assert unreachable.exit_code == 1
    assert unreachable.output.startswith("dead: failed: source dead: ")


def test_subscribers_of_the_follower_hear_of_federated_changes(world: World,
                                                                tmp_path: Path) -> None:
    """``federate run`` writes with the server's hooks: a subscription on the follower is
    notified of each organisation that came from the source."""
    source, _, follower = world
    made = Clients(follower.services.db, follower.settings).add("subscriber", 1)
    owner = Caller(f"client:{made.client_id}", 1, client_id=made.client_id)
    receiver = Receiver()
    try:
        Subscriptions(follower.services.db).create(
            subscription(receiver.url, "Organization"), owner)
        ids = {source.create(organization(name=f"Site {n}", finess=f"11000020{n}"))
               for n in range(2)}
        reader = Clients(source.services.db, source.settings).add("national", 1)
        secret = tmp_path / "secret"
        secret.write_text(reader.client_secret)
        _run(follower, "federate", "add", source.url + "/fhir", "--client", reader.client_id,
             "--secret-file", str(secret), "--name", "region11")
        assert _run(follower, "federate", "run", "region11").exit_code == 0
        assert deliver_due(follower.services.db, 8, now=utcnow()) == 2
        assert {url.split("/")[-1] for _, url, _ in receiver.events()} == ids
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
