"""``openror backup``, ``openror restore`` and ``openror check``: keeping the data safe
(registered by openror.cli). The work is done in ``store.backup`` and ``store.consistency``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from openror.cli import fails_cleanly  # this module is loaded by openror.cli, at its end
from openror.config import load_settings

if TYPE_CHECKING:
    from openror.store.backup import Written
    from openror.store.consistency import Report, TableDiff

_DATABASE_HELP = "Database URL (default: OPENROR_DATABASE_URL)."


def _url(database: str | None) -> str:
    return load_settings().with_overrides(database_url=database).effective_database_url


def _describe(written: Written) -> str:
    size = "" if written.size is None else f", {written.size / 1e6:,.1f} MB"
    return (f"{written.where}{size}: {written.resources:,} resources, schema "
            f"{written.revision}")


@click.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--database", help=_DATABASE_HELP)
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@fails_cleanly
def backup(path: Path, database: str | None, force: bool) -> None:
    """Back the database up into PATH while the server runs (SQLite: one database file;
    PostgreSQL: a pg_dump custom-format archive)."""
    from openror.store.backup import backup as run_backup

    written = run_backup(_url(database), path, force=force)
    click.echo(f"backed up to {_describe(written)}")
    for note in written.notes:
        click.echo(f"  {note}")


@click.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--database", required=True,
              help="The database to restore into (SQLite: a new file; PostgreSQL: an "
              "existing empty database).")
@click.option("--force", is_flag=True,
              help="Replace what the target database holds (stop the server first).")
@fails_cleanly
def restore(path: Path, database: str, force: bool) -> None:
    """Restore a backup made by 'openror backup'."""
    from openror.store.backup import restore as run_restore

    written = run_restore(path, database, force=force)
    click.echo(f"restored {_describe(written)}")
    for note in written.notes:
        click.echo(f"  {note}")
    if written.upgrade_needed:
        click.echo("  an older schema than this version's: run 'openror db upgrade'")


@click.command()
@click.option("--repair", is_flag=True,
              help="Rebuild the derived rows of the resources that differ, then check them "
              "again.")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 100_000),
              help="Resources compared per transaction.")
@click.option("--show", default=10, show_default=True, type=click.IntRange(0),
              help="Resources named per table.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option("--database", help=_DATABASE_HELP)
@fails_cleanly
def check(repair: bool, batch_size: int, show: int, no_progress: bool,
          database: str | None) -> None:
    """Check that every derived row (search index, identifier and reference indexes, capacity
    history, current rows) matches the stored resources; exit 1 when something differs."""
    from tqdm import tqdm

    from openror.store import consistency
    from openror.store.database import Database
    from openror.store.migrate import ensure_current

    handle = Database(_url(database))
    started = time.monotonic()
    try:
        ensure_current(handle)
        total = None if no_progress else consistency.count_resources(handle)
        with tqdm(total=total, unit=" res", disable=no_progress, desc="check") as bar:
            report = consistency.check(handle, repair=repair, batch=batch_size, show=show,
                                       progress=bar.update)
    finally:
        handle.dispose()
    _print_report(report, time.monotonic() - started)
    if not report.clean:
        sys.exit(1)


#: the commands openror.cli registers (typed here: mypy cannot infer them across the import
#: cycle with openror.cli)
COMMANDS: tuple[click.Command, ...] = (backup, restore, check)


def _print_report(report: Report, seconds: float) -> None:
    click.echo(f"checked {report.checked:,} resources in {seconds:.1f} s")
    if not report.tables:
        click.echo("consistent: every derived row matches its resource")
        return
    _print_tables(report.tables)
    if not report.repaired:
        click.echo("run 'openror check --repair' to rebuild the rows of these resources "
                   "(lost versions cannot be rebuilt: docs/admin/backup.md)")
        return
    click.echo(f"repaired: rebuilt the rows of {report.repaired:,} resources")
    if report.remaining:
        click.echo("still differing after the repair (the current row is newer than every "
                   "stored version, or versions are missing: restore a backup):")
        _print_tables(report.remaining)
    else:
        click.echo("consistent after the repair")


def _print_tables(tables: dict[str, TableDiff]) -> None:
    from openror.store.consistency import TABLES

    click.echo(f"{'table':<18} {'missing':>9} {'extra':>9} {'different':>9} {'resources':>9}")
    for name in sorted(tables, key=TABLES.index):
        diff = tables[name]
        click.echo(f"{name:<18} {diff.missing:>9,} {diff.extra:>9,} {diff.different:>9,} "
                   f"{diff.resources:>9,}")
        more = diff.resources - len(diff.first)
        if diff.first:
            click.echo(f"  {', '.join(diff.first)}{f' and {more:,} more' if more else ''}")
