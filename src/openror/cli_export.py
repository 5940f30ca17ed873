"""``openror export`` (the $export engine, to a directory) and ``openror opendata publish``
(registered by openror.cli). The work is done in ``sync.export`` and ``sync.opendata``."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from openror.access.caller import PROFILES, Caller
from openror.cli import fails_cleanly  # this module is loaded by openror.cli, at its end
from openror.config import load_settings

_DATABASE_HELP = "Database URL (default: OPENROR_DATABASE_URL)."


@click.command("export")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Directory the files are written to (created if needed).")
@click.option("--type", "types", multiple=True, help="A resource type to export (repeat).")
@click.option("--since", help="Only resources changed after this instant (ISO 8601).")
@click.option("--type-filter", "type_filters", multiple=True,
              help="A search limiting a type, e.g. 'HealthcareService?_tag=SYSTEM|11' "
              "(repeat).")
@click.option("--complete-extract", is_flag=True,
              help="The offers with their whole graph (includeAssociatedData="
              "_myCompleteExtract).")
@click.option("--profile", type=click.IntRange(min(PROFILES), max(PROFILES)), default=1,
              show_default=True, help="The access profile whose read policy applies.")
@click.option("--region", "regions", multiple=True,
              help="Only what a client of these regions may see (INSEE code; repeat).")
@click.option("--format", "output_format", type=click.Choice(["ndjson", "json"]),
              default="ndjson", show_default=True,
              help="ndjson, or the ROR JSON variant (one FHIR Bundle per file).")
@click.option("--database", help=_DATABASE_HELP)
@fails_cleanly
def export(out: Path, types: tuple[str, ...], since: str | None, type_filters: tuple[str, ...],
           complete_extract: bool, profile: int, regions: tuple[str, ...], output_format: str,
           database: str | None) -> None:
    """Export resources as FHIR Bulk Data files (what GET /fhir/$export makes), in one
    snapshot, with a manifest.json."""
    from openror.services.metadata import fhir_instant
    from openror.store.database import Database
    from openror.sync.export import engine
    from openror.sync.export.request import parse

    pairs = [("_type", t) for t in types] + [("_typeFilter", q) for q in type_filters]
    if since:
        pairs.append(("_since", since))
    if complete_extract:
        pairs.append(("includeAssociatedData", "_myCompleteExtract"))
    pairs.append(("_outputFormat", "ndjson" if output_format == "ndjson" else "application/json"))
    request = parse(pairs)
    settings = load_settings().with_overrides(database_url=database)
    caller = Caller("cli:export", profile, frozenset(regions))
    db = Database(settings.effective_database_url)
    try:
        result = engine.run(db, caller, request, out, base=settings.base_url.rstrip("/"),
                            max_per_file=settings.export_file_max_resources)
    finally:
        db.dispose()
    manifest = {"transactionTime": fhir_instant(result.transaction_time),
                "output": [{"type": f.type, "url": f.name, "count": f.count}
                           for f in result.files], "error": [],
                "extension": engine.feed_extension(result.feed_position)}
    (out / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    click.echo(f"exported {result.count:,} resources as of "
               f"{manifest['transactionTime']} into {out}")
    for f in result.files:
        click.echo(f"  {f.name}: {f.count:,} {f.type}")


@click.group()
def opendata() -> None:
    """The open-data publication (what access profile 0 may read)."""


@opendata.command("publish")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Directory of the publications: OUT/current is the latest.")
@click.option("--database", help=_DATABASE_HELP)
@fails_cleanly
def opendata_publish(out: Path, database: str | None) -> None:
    """Publish ndjson and CSV files of the open data, in one snapshot, replacing OUT/current
    only once the new publication is complete."""
    from openror.services.metadata import fhir_instant
    from openror.store.database import Database
    from openror.sync.opendata import publish

    settings = load_settings().with_overrides(database_url=database)
    db = Database(settings.effective_database_url)
    try:
        made = publish(db, out, max_per_file=settings.export_file_max_resources,
                       base=settings.base_url.rstrip("/"))
    finally:
        db.dispose()
    count = sum(int(str(f["count"])) for f in made.files if f["format"] == "csv")
    click.echo(f"published {count:,} resources as of {fhir_instant(made.transaction_time)} "
               f"in {made.directory} ({out / 'current'})")


COMMANDS = [export, opendata]
