"""The scheduled quality run: at most one per interval across every process of every server
sharing the database (store.quality_results.claim_schedule decides which one runs it)."""

from __future__ import annotations

from openror.quality.anomalies import TaskWriter
from openror.quality.measure_publish import MeasureWriter
from openror.quality.run import RunSummary, run
from openror.store import quality_results
from openror.store.database import Database
from openror.store.resources import utcnow
from openror.terminology import Terminology


def run_if_due(db: Database, terminology: Terminology, every_s: int,
               writer: TaskWriter, measures: MeasureWriter | None = None
               ) -> RunSummary | None:
    with db.write() as conn:
        due = quality_results.claim_schedule(conn, utcnow(), every_s)
    if not due:
        return None
    summary, _ = run(db, terminology, trigger="schedule", writer=writer, measures=measures)
    return summary
