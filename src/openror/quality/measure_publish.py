"""Publishing the steering indicators: the rules' Measures and a week's MeasureReports written
through the write path, which the caller hands in (quality sits below services)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Protocol

from openror.quality import catalog
from openror.quality.measures import measure, reports
from openror.quality.model import Rule
from openror.store import quality_reports
from openror.store.database import Database


class MeasureWriter(Protocol):
    """Create or replace a Measure or MeasureReport by its id (services.measure_writer)."""

    def upsert(self, body: dict[str, Any]) -> None: ...


def publish(writer: MeasureWriter, rows: Iterable[Mapping[str, Any]], week: date,
            measured_at: datetime | None, rules: Iterable[Rule] | None = None) -> int:
    """Write every rule's Measure, then the week's reports, dated ``measured_at`` (none
    without it: no finished run stored the week); return how many resources were written.
    Measures come first: reports name them."""
    chosen = tuple(catalog.rules() if rules is None else rules)
    bodies = [measure(rule) for rule in chosen]
    if measured_at is not None:
        bodies += reports(chosen, rows, week, measured_at)
    for body in bodies:
        writer.upsert(body)
    return len(bodies)


def publish_week(db: Database, writer: MeasureWriter, week: date) -> int:
    """Publish the indicators a quality run stored for ``week`` (its Monday), once that run
    has finished (its end dates the reports)."""
    with db.read() as conn:
        rows = quality_reports.indicators(conn, week, ("region",))
        measured_at = quality_reports.week_measured_at(conn, week)
    return publish(writer, rows, week, measured_at)
