"""``openror templates …``: load and list the entry templates (registered by openror.cli)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from openror.cli import fails_cleanly  # this module is loaded by openror.cli, at its end
from openror.config import load_settings

_DATABASE_HELP = "Database URL (default: OPENROR_DATABASE_URL)."


@click.group()
def templates() -> None:
    """Entry templates (ROR Questionnaires)."""


@templates.command("load")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--database", help=_DATABASE_HELP)
@fails_cleanly
def templates_load(paths: tuple[Path, ...], database: str | None) -> None:
    """Create or update templates: the bundled ones, or those of PATHS (Questionnaire or
    Bundle JSON files, or directories of them). A changed template becomes a new version;
    an unchanged one writes nothing."""
    from openror.services.container import Services
    from openror.templates.loader import load, load_bundled, read_files

    services = Services.open(load_settings().with_overrides(database_url=database))
    try:
        loaded = load(services.writes, read_files(paths), "entry templates from files") \
            if paths else load_bundled(services.writes)
    finally:
        services.close()
    click.echo(f"entry templates: {loaded.line()}")
    for label, ids in (("created", loaded.created), ("updated", loaded.updated)):
        for rid in ids:
            click.echo(f"  {label}: Questionnaire/{rid}")


@templates.command("list")
@click.option("--database", help=_DATABASE_HELP)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per template.")
@fails_cleanly
def templates_list(database: str | None, as_json: bool) -> None:
    """The stored templates: id, status, url|version, title and what they are for."""
    from openror.store.database import Database
    from openror.store.migrate import ensure_current
    from openror.templates import stored

    settings = load_settings().with_overrides(database_url=database)
    db = Database(settings.effective_database_url)
    try:
        ensure_current(db)
        found = stored(db)
    finally:
        db.dispose()
    for q in found:
        contexts = {name: sorted(c.code for c in values) for name, values in q.contexts.items()}
        if as_json:
            click.echo(json.dumps({"id": q.id, "status": q.status, "canonical": q.canonical,
                                   "title": q.title, "version": q.store_version,
                                   "contexts": contexts}, ensure_ascii=False))
            continue
        said = "; ".join(f"{name} {','.join(codes)}" for name, codes in contexts.items())
        click.echo(f"{q.id}  {q.status}  {q.canonical}  (v{q.store_version})\n"
                   f"    {q.title} — {said}")
