"""``openror federate add|list|remove|run|verify``: following other OpenROR instances
(registered by openror.cli; docs/admin/federation.md). The work is done in
``sync.federation``."""

from __future__ import annotations

import json
import re
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from openror.cli import fails_cleanly  # this module is loaded by openror.cli, at its end
from openror.config import load_settings
from openror.errors import InvalidInput, error

if TYPE_CHECKING:
    from openror.services.container import Services

_DATABASE_HELP = "Database URL (default: OPENROR_DATABASE_URL)."


def _services(database: str | None, *, writing: bool = False) -> Services:
    """``writing``: the process writes changes of a source, with the hooks the server
    installs (alerts and subscriptions hear of them)."""
    from openror import write_hooks
    from openror.services.container import Services

    services = Services.open(load_settings().with_overrides(database_url=database))
    if writing:
        write_hooks.install(services.writes)
    return services


@click.group()
def federate() -> None:
    """Follow other OpenROR instances' change feeds (regional → national, neighbours)."""


def _default_name(url: str) -> str:
    parts = urlsplit(url)
    return re.sub(r"[^A-Za-z0-9._-]+", "-", parts.netloc or url).strip("-")[:64]


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput([error("invalid", f"{url!r} is not an http(s) URL such as "
                                  "https://ror.region.example", "URL")])
    return url.rstrip("/").removesuffix("/fhir")


def _readable(path: Path | None, what: str) -> str | None:
    if path is None:
        return None
    if not path.is_file():
        raise InvalidInput([error("not-found", f"the {what} {path} does not exist", what)])
    return str(path.resolve())


@federate.command("add")
@click.argument("url")
@click.option("--client", "client_id", required=True,
              help="The API client this instance uses at the source (openror clients add "
              "there, profile 1 to read everything it serves).")
@click.option("--secret-file", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="A file holding that client's secret (kept there, not in the database).")
@click.option("--precedence", default=100, show_default=True, type=int,
              help="Conflicts go to the source of higher precedence.")
@click.option("--name", help="Short name of the source (default: from the URL).")
@click.option("--cert", type=click.Path(path_type=Path, dir_okay=False),
              help="Client certificate (PEM) for mutual TLS at the source (profiles 1-5).")
@click.option("--key", type=click.Path(path_type=Path, dir_okay=False),
              help="The certificate's private key (PEM).")
@click.option("--database", help=_DATABASE_HELP)
@fails_cleanly
def federate_add(url: str, client_id: str, secret_file: Path, precedence: int,
                 name: str | None, cert: Path | None, key: Path | None,
                 database: str | None) -> None:
    """Follow the instance at URL; 'openror federate run' then catches up from its first
    change."""
    from openror.store import federation_sources
    from openror.store.resources import utcnow

    base = _check_url(url)
    name = name or _default_name(base)
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", name):
        raise InvalidInput([error("invalid", "--name: letters, digits, '.', '_' or '-' "
                                  "(at most 64)", "name")])
    if (cert is None) != (key is None):
        raise InvalidInput([error("required", "--cert and --key go together", "cert")])
    row = federation_sources.SourceRow(
        name=name, url=base, client_id=client_id,
        secret_file=_readable(secret_file, "secret file") or "",
        cert_file=_readable(cert, "certificate"), key_file=_readable(key, "key"),
        precedence=precedence, cursor=0, applied=0, added_at=utcnow(), last_run_at=None,
        last_success_at=None, last_error=None)
    services = _services(database)
    try:
        with services.db.write() as conn:
            federation_sources.add(conn, row)
    finally:
        services.close()
    click.echo(f"added source {name}: {base} as client {client_id}, precedence {precedence}; "
               f"run 'openror federate run {name}' to catch up")


@federate.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
@click.option("--database", help=_DATABASE_HELP)
@fails_cleanly
def federate_list(as_json: bool, database: str | None) -> None:
    """The sources this instance follows, their cursor and their last run."""
    from openror.store import federation_sources

    services = _services(database)
    try:
        with services.db.read_primary() as conn:
            rows = [(s, *federation_sources.counts(conn, s.name))
                    for s in federation_sources.all_sources(conn)]
    finally:
        services.close()
    if not rows:
        click.echo("no federation source: add one with 'openror federate add URL --client …'")
    for source, owned, held in rows:
        shown: dict[str, Any] = {
            "name": source.name, "url": source.url, "client": source.client_id,
            "precedence": source.precedence, "cursor": source.cursor,
            "applied": source.applied, "resources": owned, "held": held,
            "last_run": _moment(source.last_run_at),
            "last_success": _moment(source.last_success_at), "last_error": source.last_error}
        if as_json:
            click.echo(json.dumps(shown, ensure_ascii=False))
            continue
        click.echo(f"{source.name}  {source.url}  client {source.client_id}  precedence "
                   f"{source.precedence}\n  at change {source.cursor:,}, {source.applied:,} "
                   f"applied, {owned:,} resources from it, {held:,} changes held; last run "
                   f"{shown['last_run'] or 'never'}"
                   + (f"\n  last error: {source.last_error}" if source.last_error else ""))


def _moment(value: Any) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds") + "Z"


@federate.command("remove")
@click.argument("name")
@click.option("--database", help=_DATABASE_HELP)
@fails_cleanly
def federate_remove(name: str, database: str | None) -> None:
    """Stop following a source. What it brought stays, as local resources."""
    from openror.store import federation_sources

    services = _services(database)
    try:
        with services.db.write() as conn:
            kept = federation_sources.remove(conn, name)
    finally:
        services.close()
    click.echo(f"removed source {name}; its {kept:,} resources stay here as local ones")


def _names(services: Services, name: str | None) -> list[str]:
    from openror.store import federation_sources

    with services.db.read_primary() as conn:
        if name is not None:
            return [federation_sources.need(conn, name).name]
        names = [s.name for s in federation_sources.all_sources(conn)]
    if not names:
        raise InvalidInput([error("not-found", "no federation source: add one with "
                                  "'openror federate add URL --client …'")])
    return names


@federate.command("run")
@click.argument("name", required=False)
@click.option("--once", "mode", flag_value="once", default=True,
              help="Catch up, then return (the default).")
@click.option("--follow", "mode", flag_value="follow",
              help="Keep following: catch up every --every seconds until stopped.")
@click.option("--every", default=10.0, show_default=True, type=click.FloatRange(0.1),
              help="Poll interval of --follow, in seconds.")
@click.option("--page-size", default=1000, show_default=True, type=click.IntRange(1, 1000),
              help="Changes asked per feed page (the source caps it).")
@click.option("--attempts", default=6, show_default=True, type=click.IntRange(1, 100),
              help="Tries per request when the source is unreachable or cuts the "
              "connection, waiting 0.5 s, 1 s, 2 s… (at most 30 s) in between.")
@click.option("--database", help=_DATABASE_HELP)
@fails_cleanly
def federate_run(name: str | None, mode: str, every: float, page_size: int, attempts: int,
                 database: str | None) -> None:
    """Apply the changes of NAME (default: every source, by precedence) since the last run."""
    from openror.store.federation_sources import SourceRow
    from openror.sync.federation.client import SourceClient
    from openror.sync.federation.follow import Follower, RunReport

    def client(row: SourceRow) -> SourceClient:
        return SourceClient(row, attempts=attempts)

    services = _services(database, writing=True)
    try:
        followers = [Follower(services.writes, n, page_size=page_size, client=client)
                     for n in _names(services, name)]
        if mode == "once":
            reports = [f.catch_up() for f in followers]
            for report in reports:
                click.echo(str(report))
            if any(r.error for r in reports):
                sys.exit(1)
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())

        def say(report: RunReport) -> None:
            if report.pages or report.error:
                click.echo(str(report), err=report.error is not None)

        threads = [threading.Thread(target=f.follow, args=(every, stop, say), daemon=True)
                   for f in followers]
        for thread in threads:
            thread.start()
        try:
            while any(t.is_alive() for t in threads):
                stop.wait(1)
        except KeyboardInterrupt:
            stop.set()
        for thread in threads:
            thread.join()
    finally:
        services.close()


@federate.command("verify")
@click.argument("name", required=False)
@click.option("--repair", is_flag=True,
              help="Re-fetch what differs (and only that) from the source, then compare "
              "again.")
@click.option("--database", help=_DATABASE_HELP)
@fails_cleanly
def federate_verify(name: str | None, repair: bool, database: str | None) -> None:
    """Compare the digests of each region and resource type with the source's; exit 1 when
    something differs (after the repair, with --repair)."""
    from openror.sync.federation.verify import Verifier

    services = _services(database, writing=repair)
    try:
        reports = [Verifier(services.writes, n).run(repair=repair)
                   for n in _names(services, name)]
    finally:
        services.close()
    for report in reports:
        click.echo(f"source {report.source}:")
        for pair in report.pairs:
            click.echo(f"  {pair}")
        if report.after is not None:
            click.echo(f"  repaired: {report.fetched} re-fetched; {report.repaired}")
            for pair in report.after:
                click.echo(f"  {pair}")
    if not all(r.equal for r in reports):
        sys.exit(1)


#: the commands openror.cli registers
COMMANDS: tuple[click.Command, ...] = (federate,)
