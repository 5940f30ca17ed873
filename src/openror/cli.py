"""The ``openror`` command. Errors end with one clear line on stderr and a non-zero exit."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar

import click

from openror.access.caller import WRITE_ALL
from openror.config import Settings, load_settings
from openror.errors import OpenRORError
from openror.importers import sources as import_sources

if TYPE_CHECKING:
    from datetime import datetime

    import sqlalchemy.exc

    from openror.importers.run import Options
    from openror.services.clients import Clients, Credentials
    from openror.store.clients import ClientRow

F = TypeVar("F", bound=Callable[..., Any])


def fails_cleanly(func: F) -> F:
    """Turn a user error into one line on stderr and exit status 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OpenRORError as exc:
            click.echo(f"openror: error: {exc.message}", err=True)
            sys.exit(1)
        except OSError as exc:
            click.echo(f"openror: error: {exc.strerror or exc}: {exc.filename or ''}", err=True)
            sys.exit(1)
        except Exception as exc:
            if not _unusable_database(exc):
                raise
            click.echo(f"openror: error: the database cannot be used: {exc.orig}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _unusable_database(exc: Exception) -> TypeGuard[sqlalchemy.exc.OperationalError]:
    """An unreachable or unusable database. SQLAlchemy is imported here, not at start-up:
    ``openror --help`` stays fast (an error from it means it is loaded already)."""
    import sqlalchemy.exc

    return isinstance(exc, sqlalchemy.exc.OperationalError)


def _settings(database: str | None = None, data_dir: Path | None = None) -> Settings:
    return load_settings().with_overrides(database_url=database, data_dir=data_dir)


def _export(settings: Settings) -> None:
    """Worker processes re-read the environment: hand them the effective settings."""
    os.environ["OPENROR_DATABASE_URL"] = settings.effective_database_url
    os.environ["OPENROR_DATA_DIR"] = str(settings.data_dir)
    os.environ["OPENROR_ANONYMOUS_ACCESS"] = "true" if settings.anonymous_access else "false"
    os.environ["OPENROR_REQUIRE_CLIENT_CERTIFICATES"] = (
        "true" if settings.require_client_certificates else "false")
    os.environ["OPENROR_COOKIE_SECURE"] = "true" if settings.cookie_secure else "false"


@click.group()
@click.version_option(package_name="openror")
def main() -> None:
    """OpenROR: the directory of the health and medico-social offer, with a FHIR API."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--database", help="Database URL (default: OPENROR_DATABASE_URL).")
@fails_cleanly
def db_upgrade(database: str | None) -> None:
    """Apply the schema migrations."""
    from openror.store.database import Database
    from openror.store.migrate import head_revision, upgrade

    settings = _settings(database)
    _ensure_data_dir(settings)
    handle = Database(settings.effective_database_url)
    try:
        upgrade(handle)
    finally:
        handle.dispose()
    click.echo(f"database at schema {head_revision()}: {handle!r}")


@db.command("new-feed-epoch")
@click.option("--database", help="Database URL (default: OPENROR_DATABASE_URL).")
@fails_cleanly
def db_new_feed_epoch(database: str | None) -> None:
    """Give the change feed a new epoch, after restoring the database with PostgreSQL's own
    tools (openror restore does it itself): its next change numbers repeat numbers the
    feed's consumers have passed, and the new epoch tells them so."""
    from openror.store import feed_epoch
    from openror.store.database import Database

    handle = Database(_settings(database).effective_database_url)
    try:
        with handle.write() as conn:
            epoch = feed_epoch.renew(conn)
    finally:
        handle.dispose()
    click.echo(f"change feed epoch {epoch}: {handle!r}")


def _ensure_data_dir(settings: Settings) -> None:
    if settings.effective_database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)


def _serve(settings: Settings, host: str, port: int, workers: int) -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from openror import logs
    from openror import workers as serving
    from openror.api.server import server_options

    logs.configure(settings.log_level)  # the supervisor's own lines (workers replaced…)
    options = {"access_log": False, "log_level": settings.log_level.lower(),
               "log_config": logs.uvicorn_config(settings.log_level),
               **server_options(settings)}
    _export(settings)
    if workers > 1 and serving.can_share_port():
        try:
            serving.Supervisor(host, port, workers, options).run()
        except serving.WorkersFailed as exc:
            click.echo(f"openror: error: {exc}", err=True)
            sys.exit(1)
        return
    config = uvicorn.Config("openror.app:create_app", factory=True, host=host, port=port,
                            workers=workers, **options)
    if workers == 1:
        uvicorn.Server(config).run()
        return
    # no SO_REUSEPORT on this system: one listener shared by the workers
    sock = serving.listener(host, port, share=False)
    sock.set_inheritable(True)
    with serving.metrics_directory():  # every worker's metrics in any scrape
        Multiprocess(config, sockets=[sock]).run()


def _tls_options(func: F) -> F:
    """--tls-cert, --tls-key, --tls-client-ca: serve over TLS (docs/admin/tls.md)."""
    for name, what in (("--tls-client-ca", "PEM bundle of the CAs of client certificates "
                        "(default: OPENROR_TLS_CLIENT_CA)."),
                       ("--tls-key", "PEM key of the server certificate (default: "
                        "OPENROR_TLS_KEY)."),
                       ("--tls-cert", "PEM server certificate: serve HTTPS (default: "
                        "OPENROR_TLS_CERT).")):
        func = click.option(name, type=click.Path(dir_okay=False), help=what)(func)
    return func


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--database", help="Database URL (default: OPENROR_DATABASE_URL).")
@_tls_options
@fails_cleanly
def serve(host: str, port: int, workers: int, database: str | None, tls_cert: str | None,
          tls_key: str | None, tls_client_ca: str | None) -> None:
    """Serve the API and UI (the schema must be current: run 'openror db upgrade')."""
    from openror.store.database import Database
    from openror.store.migrate import ensure_current

    settings = _settings(database).with_overrides(tls_cert=tls_cert, tls_key=tls_key,
                                                  tls_client_ca=tls_client_ca)
    handle = Database(settings.effective_database_url)
    try:
        ensure_current(handle)
    finally:
        handle.dispose()
    _serve(settings, host, port, workers)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--data-dir", type=click.Path(path_type=Path), default=Path("openror-demo"),
              show_default=True, help="Where the demo's SQLite database lives.")
@_tls_options
@fails_cleanly
def demo(host: str, port: int, data_dir: Path, tls_cert: str | None, tls_key: str | None,
         tls_client_ca: str | None) -> None:
    """Create an embedded database, load the sample and serve it."""
    import time

    from openror.importers.sample import DEMO_GP_OFFER, load_sample
    from openror.services.clients import Clients
    from openror.store.database import Database
    from openror.store.migrate import upgrade
    from openror.templates.loader import load_bundled_into

    settings = load_settings().with_overrides(
        data_dir=data_dir, database_url="", anonymous_access=True,
        cookie_secure=bool(tls_cert), require_client_certificates=False, tls_cert=tls_cert,
        tls_key=tls_key, tls_client_ca=tls_client_ca)
    _ensure_data_dir(settings)
    handle = Database(settings.effective_database_url)
    started = time.monotonic()
    try:
        upgrade(handle)
        loaded = load_sample(settings)
        entry_templates = load_bundled_into(settings)
        client = _demo_client(Clients(handle, settings))
        accounts = demo_accounts(handle, settings)
    finally:
        handle.dispose()
    total = loaded.created + loaded.updated + loaded.unchanged
    click.echo(f"OpenROR demo: {total} sample resources ({loaded.created} created, "
               f"{loaded.updated} updated, {loaded.unchanged} unchanged) in "
               f"{time.monotonic() - started:.1f} s, in {settings.effective_database_url}")
    root = f"{'https' if settings.tls_cert else 'http'}://{host}:{port}"
    click.echo(f"  Web UI:     {root}/ (in French; log in with an account below)")
    click.echo(f"  FHIR API:   {root}/fhir/metadata")
    click.echo(f"  Demo GP:    {root}/fhir/{DEMO_GP_OFFER}")
    click.echo(f"  Templates:  {root}/fhir/Questionnaire (entry templates: "
               f"{entry_templates.line()})")
    click.echo(f"  Health:     {root}/-/health")
    click.echo(f"  API client: {client.client_id} / secret {client.client_secret} "
               "(access profile 1, writes everywhere)")
    click.echo(f"  Token:      curl -u {client.client_id}:{client.client_secret} "
               f"-d grant_type=client_credentials {root}/auth/token")
    click.echo("  Anonymous reads are on (access profile 0: open data); writes need a token.")
    for login, password, roles in accounts:
        click.echo(f"  Account:    {login} / password {password} ({roles})")
    click.echo(f"  Log in:     curl -c cookies -d login=demo-pro -d password=… {root}/auth/login")
    click.echo("  Client certificates are not required in the demo: clients of profiles 1-5 "
               "may use their secret (OPENROR_REQUIRE_CLIENT_CERTIFICATES=false).")
    _serve(settings, host, port, 1)


DEMO_CLIENT = "demo"


def _demo_client(service: Clients) -> Credentials:
    """The demo's API client, with a fresh secret at each start (only its hash is kept)."""
    for row in service.all():
        if row.name == DEMO_CLIENT and row.revoked_at is None:
            return service.rotate(row.client_id)
    return service.add(DEMO_CLIENT, 1, writes=(WRITE_ALL,))


@main.command("import")
@click.argument("source", type=click.Choice(import_sources.names()))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--continue", "continue_from", type=click.Choice(["parse", "check", "stage",
              "apply"]), help="Resume the latest unfinished run of SOURCE from this phase.")
@click.option("--run-id", help="Name of the run (default: generated; with --continue: latest).")
@click.option("--rejects", type=click.Path(path_type=Path),
              help="Rejects file (default: DATA_DIR/imports/RUN.rejects.txt).")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option("--database", help="Database URL (default: OPENROR_DATABASE_URL).")
@fails_cleanly
def import_(source: str, paths: tuple[Path, ...], continue_from: str | None,
            run_id: str | None, rejects: Path | None, batch_size: int, no_progress: bool,
            database: str | None) -> None:
    """Import files: nos, geo, finess-authorisations, finess-reference (reference tables),
    finess, rpps, bundle (resources)."""
    settings = _settings(database)
    if source in import_sources.TABLE_SOURCES:
        if not paths:
            raise click.UsageError("give at least one PATH")
        click.echo(import_sources.table_loader(source)(settings, list(paths)))
        return
    if not paths and continue_from is None:
        raise click.UsageError("give at least one PATH, or --continue PHASE")
    from openror.importers.run import Options

    _import_resources(settings, source, list(paths), Options(
        rejects=rejects, batch_size=batch_size, progress=not no_progress,
        continue_from=continue_from, run_id=run_id))


def _import_resources(settings: Settings, source: str, paths: list[Path],
                      options: Options) -> None:
    from openror.importers.run import ImportRun
    from openror.services.container import Services

    services = Services.open(settings)
    try:
        run = ImportRun(services, import_sources.resource_source(source), options)
        summary = run.run(paths)
    finally:
        services.close()
    click.echo(f"import {run.run_id}: {summary}")
    if summary.rejected:
        click.echo(f"rejects: {run.rejects_path}")


@main.command()
@click.option("--database", help="Database URL (default: OPENROR_DATABASE_URL).")
@fails_cleanly
def reindex(database: str | None) -> None:
    """Rebuild every derived row from the stored resources."""
    from openror.store import capacity_history, derived, statistics
    from openror.store.database import Database

    handle = Database(_settings(database).effective_database_url)
    try:
        with handle.write() as conn:
            count = derived.rebuild(conn)
            figures = capacity_history.rebuild(conn)
            statistics.refresh(conn)
    finally:
        handle.dispose()
    click.echo(f"reindexed {count} resources ({figures} capacity history rows)")


@main.group()
def generate() -> None:
    """Generate datasets: the national dataset, the bundled demo sample."""


_DATA_HELP = "Shared data directory (finess/fhir tarballs, finess/sae_2020)."


@generate.command("national")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Directory for the <Type>.ndjson files.")
@click.option("--limit", type=click.IntRange(1), help="Only the first N establishments.")
@click.option("--gzip", "compress", is_flag=True, help="Write <Type>.ndjson.gz files.")
@click.option("--data", type=click.Path(path_type=Path), help=_DATA_HELP)
@fails_cleanly
def generate_national(seed: int, out: Path, limit: int | None, compress: bool,
                      data: Path | None) -> None:
    """Every FINESS establishment with synthetic offers, places and professionals."""
    from openror.datasets.run import national

    for line in national(seed, out, limit, compress, data):
        click.echo(line)


@generate.command("sample")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="The gzip'd ndjson file (e.g. src/openror/importers/data/sample.ndjson.gz).")
@click.option("--data", type=click.Path(path_type=Path), help=_DATA_HELP)
@fails_cleanly
def generate_sample(out: Path, data: Path | None) -> None:
    """The demo sample: Guyane and the Aisne, the demo GP, the IG examples."""
    from openror.datasets.run import sample

    for line in sample(out, data):
        click.echo(line)


@main.group()
def clients() -> None:
    """API clients: the OAuth2 client credentials of POST /auth/token."""


@contextmanager
def _client_service(database: str | None) -> Iterator[Clients]:
    from openror.services.clients import Clients
    from openror.store.database import Database
    from openror.store.migrate import ensure_current

    settings = _settings(database)
    handle = Database(settings.effective_database_url)
    try:
        ensure_current(handle)
        yield Clients(handle, settings)
    finally:
        handle.dispose()


def _print_credentials(made: Credentials, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"client_id": made.client_id,
                               "client_secret": made.client_secret}))
        return
    click.echo(f"client_id:     {made.client_id}")
    click.echo(f"client_secret: {made.client_secret}")
    click.echo("The secret is shown only this once: store it now.")


_DATABASE_HELP = "Database URL (default: OPENROR_DATABASE_URL)."


@clients.command("add")
@click.argument("name")
@click.option("--profile", type=int, required=True,
              help="ROR access profile: 0 (open data) to 5.")
@click.option("--region", "regions", multiple=True,
              help="INSEE region code the client may read (repeat; default: every region).")
@click.option("--write", "writes", multiple=True,
              help="Write scope: 'all' or 'region:<INSEE code>' (repeat; default: none).")
@click.option("--cert", type=click.Path(path_type=Path, dir_okay=False),
              help="PEM client certificate, for mutual TLS (needed by profiles 1-5).")
@click.option("--ror-profile", help="Its Ror-Profil-Utilisateur value: CODE or SYSTEM|CODE.")
@click.option("--ror-role", help="Its Ror-Role-Metier value: CODE or SYSTEM|CODE.")
@click.option("--json", "as_json", is_flag=True, help="Print {client_id, client_secret}.")
@click.option("--database", help=_DATABASE_HELP)
@fails_cleanly
def clients_add(name: str, profile: int, regions: tuple[str, ...], writes: tuple[str, ...],
                cert: Path | None, ror_profile: str | None, ror_role: str | None,
                as_json: bool, database: str | None) -> None:
    """Add a client; its secret is printed once."""
    pem = cert.read_text(encoding="ascii", errors="replace") if cert else None
    with _client_service(database) as service:
        made = service.add(name, profile, regions, writes, pem, ror_profile, ror_role)
    _print_credentials(made, as_json)


@clients.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array.")
@click.option("--database", help=_DATABASE_HELP)
@fails_cleanly
def clients_list(as_json: bool, database: str | None) -> None:
    """List the clients (never their secrets)."""
    with _client_service(database) as service:
        found = service.all()
    described = [_describe(row) for row in found]
    if as_json:
        click.echo(json.dumps(described, indent=2))
        return
    for item in described:
        state = f"revoked {item['revoked_at']}" if item["revoked_at"] else "active"
        click.echo(f"{item['client_id']}  {item['name']!r}  profile {item['profile']}  "
                   f"regions {','.join(item['regions']) or 'all'}  "
                   f"writes {','.join(item['writes']) or 'none'}  {state}")


def _describe(row: ClientRow) -> dict[str, Any]:
    def when(moment: datetime | None) -> str | None:
        return moment.isoformat(timespec="seconds") + "Z" if moment else None

    return {"client_id": row.client_id, "name": row.name, "profile": row.profile,
            "regions": list(row.regions), "writes": list(row.writes),
            "cert_thumbprint": row.cert_thumbprint, "ror_profile": row.ror_profile,
            "ror_role": row.ror_role, "created_at": when(row.created_at),
            "rotated_at": when(row.rotated_at), "revoked_at": when(row.revoked_at)}


@clients.command("revoke")
@click.argument("client_id")
@click.option("--database", help=_DATABASE_HELP)
@fails_cleanly
def clients_revoke(client_id: str, database: str | None) -> None:
    """Revoke a client: its tokens stop working at once."""
    with _client_service(database) as service:
        service.revoke(client_id)
    click.echo(f"revoked {client_id}")


@clients.command("rotate")
@click.argument("client_id")
@click.option("--json", "as_json", is_flag=True, help="Print {client_id, client_secret}.")
@click.option("--database", help=_DATABASE_HELP)
@fails_cleanly
def clients_rotate(client_id: str, as_json: bool, database: str | None) -> None:
    """Give a client a new secret: tokens obtained with the old one stop working."""
    with _client_service(database) as service:
        made = service.rotate(client_id)
    _print_credentials(made, as_json)


# People's accounts live in a module of their own, which uses fails_cleanly from here.
from openror.cli_users import demo_accounts, mail, users  # noqa: E402

main.add_command(users)
main.add_command(mail)

from openror.cli_audit import audit  # noqa: E402

main.add_command(audit)

from openror.cli_quality import quality  # noqa: E402

main.add_command(quality)

from openror.cli_templates import templates  # noqa: E402

main.add_command(templates)

from openror.cli_ops import COMMANDS as OPS_COMMANDS  # noqa: E402 (backup, restore, check)

for _command in OPS_COMMANDS:
    main.add_command(_command)

from openror.cli_federate import COMMANDS as FEDERATE_COMMANDS  # noqa: E402 (federate …)

for _command in FEDERATE_COMMANDS:
    main.add_command(_command)

from openror.cli_export import COMMANDS as EXPORT_COMMANDS  # noqa: E402 (export, opendata)

for _command in EXPORT_COMMANDS:
    main.add_command(_command)
