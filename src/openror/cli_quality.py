"""``openror quality …``: the quality rules, their runs and the freshness reminders
(registered by openror.cli)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from openror.quality.run import RunSummary

from openror.cli import fails_cleanly  # this module is loaded by openror.cli, at its end
from openror.config import load_settings


@click.group()
def quality() -> None:
    """Quality: rule runs, indicators, freshness reminders."""


@quality.command("run")
@click.option("--database", help="Database URL (default: OPENROR_DATABASE_URL).")
@click.option("--no-anomalies", is_flag=True,
              help="Store results and indicators only: raise and close no anomaly.")
@click.option("--json", "as_json", is_flag=True, help="The run's summary as one JSON object.")
@fails_cleanly
def quality_run(database: str | None, no_anomalies: bool, as_json: bool) -> None:
    """Evaluate every quality rule on the whole directory; store results and indicators;
    raise the anomalies of new deviations and close those of units that conform again."""
    from openror.quality.run import run
    from openror.quality.task_writes import TaskWorkflow
    from openror.services.container import Services
    from openror.services.measure_writer import SystemMeasureWriter
    from openror.services.task_writer import SystemTaskWriter

    services = Services.open(load_settings().with_overrides(database_url=database))
    services.writes.rules.append(TaskWorkflow())  # anomalies routed as the API routes them
    writer = None if no_anomalies else SystemTaskWriter(services.writes, "quality-run")
    try:
        summary, _ = run(services.db, services.terminology, trigger="cli", writer=writer,
                         measures=SystemMeasureWriter(services.writes),
                         step=lambda what: None if as_json else click.echo(what, err=True))
    finally:
        services.close()
    if as_json:
        click.echo(json.dumps(summary.as_json(), ensure_ascii=False))
        return
    _print_summary(summary)


def _print_summary(summary: RunSummary) -> None:
    click.echo(f"{'rule':<7} {'perimeter':>10} {'deviating':>10} {'conformant':>11}")
    for rule, (perimeter, deviating) in sorted(summary.rules.items()):
        if rule in summary.skipped:
            click.echo(f"{rule:<7} not evaluated: no FINESS reference (openror import finess)")
            continue
        rate = f"{100 * (perimeter - deviating) / perimeter:.1f} %" if perimeter else "—"
        click.echo(f"{rule:<7} {perimeter:>10,} {deviating:>10,} {rate:>11}")
    assert summary.finished_at is not None
    seconds = (summary.finished_at - summary.started_at).total_seconds()
    anomalies = (f"; anomalies: {summary.anomalies['raised']:,} raised, "
                 f"{summary.anomalies['corrected']:,} closed as corrected, "
                 f"{summary.anomalies['failed']:,} refused by the write path (see the log)"
                 if summary.anomalies else "")
    click.echo(f"run {summary.run_id}: {sum(summary.units.values()):,} records read, "
               f"{sum(p for p, _ in summary.rules.values()):,} results{anomalies}, "
               f"{seconds:.1f} s; {summary.published:,} Measure/MeasureReport published")


@quality.command("remind")
@click.option("--database", help="Database URL (default: OPENROR_DATABASE_URL).")
@click.option("--dry-run", is_flag=True, help="Say who would be reminded; write nothing.")
@fails_cleanly
def quality_remind(database: str | None, dry_run: bool) -> None:
    """Remind the owners of overdue offers (one mail each, to the outbox)."""
    from openror.quality.reminders import Reminders
    from openror.services.ownership import OWNERSHIP
    from openror.store.database import Database
    from openror.store.migrate import ensure_current

    settings = load_settings().with_overrides(database_url=database)
    handle = Database(settings.effective_database_url)
    try:
        ensure_current(handle)
        report = Reminders(handle, OWNERSHIP, settings.quality_remind_after_days,
                           settings.quality_remind_every_days, settings.base_url
                           ).run(dry_run=dry_run)
    finally:
        handle.dispose()
    verb = "would remind" if dry_run else "reminded"
    for reminder in report.reminders:
        mail = "" if reminder.mail_id is None else f" (mail #{reminder.mail_id})"
        click.echo(f"{verb} {reminder.recipient}: {len(reminder.offers)} offer(s): "
                   f"{', '.join(o.unit for o in reminder.offers)}{mail}")
    click.echo(f"{report.overdue} overdue offer(s) (after "
               f"{settings.quality_remind_after_days} days); {len(report.reminders)} "
               f"recipient(s) {verb}; {report.not_due} already reminded within "
               f"{settings.quality_remind_every_days} days; {report.without_owner} without "
               "an owner's account with an e-mail address")
