"""``openror users …``: people's accounts and roles (registered by openror.cli)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from openror.cli import fails_cleanly  # this module is loaded by openror.cli, at its end
from openror.config import Settings, load_settings

if TYPE_CHECKING:
    from openror.services.users import Account, Users

DATABASE_HELP = "Database URL (default: OPENROR_DATABASE_URL)."


def settings_for(database: str | None) -> Settings:
    return load_settings().with_overrides(database_url=database)


@click.group()
def users() -> None:
    """People's accounts: roles with scope, passwords."""


@contextmanager
def user_service(database: str | None) -> Iterator[Users]:
    from openror.services.users import Users
    from openror.store.database import Database
    from openror.store.migrate import ensure_current

    handle = Database(settings_for(database).effective_database_url)
    try:
        ensure_current(handle)
        yield Users(handle)
    finally:
        handle.dispose()


_ROLE_HELP = ("ROLE[:SCOPE]: professional, referent:<Organization id>, operator:<region code>, "
              "admin (repeat)")


@users.command("add")
@click.argument("login")
@click.option("--name", required=True, help="Display name.")
@click.option("--email", help="E-mail address (password resets are sent there).")
@click.option("--practitioner", help="Id of the Practitioner this person is (RPPS link).")
@click.option("--role", "roles", multiple=True, help=_ROLE_HELP)
@click.option("--database", help=DATABASE_HELP)
@fails_cleanly
def users_add(login: str, name: str, email: str | None, practitioner: str | None,
              roles: tuple[str, ...], database: str | None) -> None:
    """Add an account (no password yet: see 'openror users password')."""
    with user_service(database) as service:
        row = service.add(login, name, email, practitioner, roles)
    click.echo(f"added {row.login}")


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def _describe(account: Account) -> dict[str, Any]:
    from openror.access.roles import label

    user = account.user
    return {"login": user.login, "name": user.display_name, "email": user.email,
            "practitioner": user.practitioner_id,
            "roles": [label(g) for g in account.grants],
            "created_at": _when(user.created_at), "disabled_at": _when(user.disabled_at)}


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array.")
@click.option("--database", help=DATABASE_HELP)
@fails_cleanly
def users_list(as_json: bool, database: str | None) -> None:
    """List the accounts and their roles."""
    with user_service(database) as service:
        described = [_describe(account) for account in service.all()]
    if as_json:
        click.echo(json.dumps(described, indent=2))
        return
    for item in described:
        state = f"disabled {item['disabled_at']}" if item["disabled_at"] else "active"
        click.echo(f"{item['login']}  {item['name']!r}  "
                   f"roles {','.join(item['roles']) or 'none'}  "
                   f"practitioner {item['practitioner'] or '-'}  {state}")


@users.command("grant")
@click.argument("login")
@click.argument("role")
@click.option("--database", help=DATABASE_HELP)
@fails_cleanly
def users_grant(login: str, role: str, database: str | None) -> None:
    """Give LOGIN the ROLE[:SCOPE]."""
    with user_service(database) as service:
        added = service.grant(login, role)
    click.echo(f"granted {role} to {login}" if added else f"{login} already has {role}")


@users.command("revoke")
@click.argument("login")
@click.argument("role")
@click.option("--database", help=DATABASE_HELP)
@fails_cleanly
def users_revoke(login: str, role: str, database: str | None) -> None:
    """Take ROLE[:SCOPE] from LOGIN (at once, sessions included)."""
    with user_service(database) as service:
        service.revoke(login, role)
    click.echo(f"revoked {role} from {login}")


@users.command("disable")
@click.argument("login")
@click.option("--database", help=DATABASE_HELP)
@fails_cleanly
def users_disable(login: str, database: str | None) -> None:
    """Disable an account: no more logins, its sessions end at once."""
    with user_service(database) as service:
        service.disable(login)
    click.echo(f"disabled {login}")


@users.command("password")
@click.argument("login")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input "
              "(its first line) instead of prompting.")
@click.option("--database", help=DATABASE_HELP)
@fails_cleanly
def users_password(login: str, password_stdin: bool, database: str | None) -> None:
    """Set LOGIN's password (prompting twice); the account's sessions end."""
    from openror.services.people import People

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings = settings_for(database)
    with user_service(database) as service:
        People.open(service.db, settings).logins.set_password(login, password)
    click.echo(f"password set for {login}")


@click.group()
def mail() -> None:
    """The mail outbox: messages for people (password resets, freshness reminders)."""


@mail.command("send")
@click.option("--database", help=DATABASE_HELP)
@fails_cleanly
def mail_send(database: str | None) -> None:
    """Deliver the pending messages through OPENROR_MAIL_BACKEND, each once; exit status 1
    when some could not be (they stay pending, the error is logged)."""
    from openror import logs
    from openror.services import mailer
    from openror.services.mail_backends import backend_from

    settings = settings_for(database)
    backend = backend_from(settings.mail_backend)
    logs.configure(settings.log_level)
    with user_service(database) as service:
        done = mailer.send_pending(service.db, backend, settings.mail_from)
    click.echo(f"sent {done.sent} message(s) through {backend!r}"
               + (f", {done.failed} failed (still pending)" if done.failed else ""))
    if done.failed:
        sys.exit(1)


@mail.command("outbox")
@click.option("--all", "everything", is_flag=True, help="Sent messages too.")
@click.option("--json", "as_json", is_flag=True, help="One JSON array.")
@click.option("--database", help=DATABASE_HELP)
@fails_cleanly
def mail_outbox(everything: bool, as_json: bool, database: str | None) -> None:
    """List the messages waiting to be sent (they hold reset codes: handle with care)."""
    from openror.store import resets

    with user_service(database) as service, service.db.read() as conn:
        found = resets.outbox(conn, unsent_only=not everything)
    described = [{"id": m.id, "created_at": _when(m.created_at), "to": m.recipient,
                  "subject": m.subject, "body": m.body, "sent_at": _when(m.sent_at)}
                 for m in found]
    if as_json:
        click.echo(json.dumps(described, indent=2, ensure_ascii=False))
        return
    for item in described:
        click.echo(f"--- #{item['id']}  {item['created_at']}  to {item['to']}"
                   f"{'  sent ' + str(item['sent_at']) if item['sent_at'] else ''}")
        click.echo(f"Subject: {item['subject']}\n\n{item['body']}")


@mail.command("mark-sent")
@click.argument("ids", nargs=-1, type=int, required=True)
@click.option("--database", help=DATABASE_HELP)
@fails_cleanly
def mail_mark_sent(ids: tuple[int, ...], database: str | None) -> None:
    """Mark messages as sent (the mailer's acknowledgement)."""
    from openror.store import resets
    from openror.store.resources import utcnow

    with user_service(database) as service, service.db.write() as conn:
        count = resets.mark_sent(conn, list(ids), utcnow())
    click.echo(f"marked {count} message(s) sent")


#: login -> (name, practitioner id, roles) of the accounts `openror demo` prints
DEMO_ACCOUNTS = {
    "demo-pro": ("Dr Claire VALMONT (démo)", "pr-{gp}", ("professional",)),
    "demo-referent": ("Référent du cabinet des Remparts et du CH de Vervins (démo)", None,
                      ("referent:demo-group-practice", "referent:eg-020000246")),
    "demo-operator": ("Opérateur régional Hauts-de-France (démo)", None, ("operator:32",)),
    "demo-admin": ("Administrateur national (démo)", None, ("admin",)),
}


def _present(db: Any, roles: tuple[str, ...]) -> tuple[str, ...]:
    """The roles whose referent scope exists (a database without the demo sample has not
    the CH de Vervins)."""
    from openror.store import derived

    with db.read() as conn:
        return tuple(r for r in roles if not r.startswith("referent:") or derived.existing(
            conn, [("Organization", r.removeprefix("referent:"))]))


def demo_accounts(db: Any, settings: Settings) -> list[tuple[str, str, str]]:
    """The demo's people, with a fresh password at each start: (login, password, roles)."""
    import secrets

    from openror.datasets.liberal import GP_RPPS
    from openror.services.people import People

    people = People.open(db, settings)
    known = {account.user.login for account in people.users.all()}
    made = []
    for login, (name, practitioner, wanted) in DEMO_ACCOUNTS.items():
        roles = _present(db, wanted)
        if login not in known:
            people.users.add(login, name, None, practitioner and practitioner.format(
                gp=GP_RPPS), roles)
        password = secrets.token_urlsafe(12)
        people.logins.set_password(login, password)
        made.append((login, password, ", ".join(roles)))
    return made
