"""What ``/-/metrics`` reads from the database: the change feed's head, the subscriptions'
undelivered notifications, the freshness of the availability figures, the imports under way
(run by ``openror import`` in other processes, known by their run rows).

Read from the primary (never a replica, which may lag), in one go, at most once every
``metrics_cache_seconds`` per process however often scrapes come; ages are computed at each
scrape from the dates read. A database that does not answer gives
``openror_store_figures_up 0`` and none of these series, the rest of the page still served.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from openror.store import backlog, freshness_counts, imports
from openror.store.database import Database
from openror.store.resources import utcnow

log = logging.getLogger("openror.metrics")


@dataclass(frozen=True)
class StoreFigures:
    feed: backlog.FeedHead
    subscriptions: dict[str, int]
    pending: dict[str, backlog.Pending]
    availability: dict[tuple[str, str], int]
    imports: list[imports.Progress]


def read_figures(db: Database) -> StoreFigures:
    now = utcnow()
    with db.reader.connect() as conn:  # the primary's engine: replicas lag by design
        return StoreFigures(backlog.feed_head(conn), backlog.subscriptions_by_status(conn),
                            backlog.pending_by_status(conn),
                            freshness_counts.availability_freshness(conn, now),
                            imports.unfinished(conn))


class StoreCollector(Collector):
    def __init__(self, db: Database, keep_s: float) -> None:
        self.db = db
        self.keep_s = keep_s
        self._lock = threading.Lock()  # concurrent scrapes wait for one reading
        self._read_at = -float("inf")
        self._figures: StoreFigures | None = None

    def figures(self) -> StoreFigures | None:
        with self._lock:
            if time.monotonic() - self._read_at >= self.keep_s:
                try:
                    self._figures = read_figures(self.db)
                except sa.exc.SQLAlchemyError as exc:
                    log.warning("metrics: the database figures could not be read: %s", exc)
                    self._figures = None
                self._read_at = time.monotonic()  # a failure is not retried at each scrape
            return self._figures

    def collect(self) -> Iterator[Metric]:
        figures = self.figures()
        yield _gauge("openror_store_figures_up", "1 when the database figures below could "
                     "be read (at most metrics_cache_seconds ago), 0 otherwise.",
                     [([], 0 if figures is None else 1)])
        if figures is not None:
            yield from _families(figures, utcnow())


def _gauge(name: str, what: str, samples: list[tuple[list[str], float]],
           labels: tuple[str, ...] = ()) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, what, labels=list(labels))
    for values, value in samples:
        family.add_metric(values, value)
    return family


def _age(now: datetime, then: datetime | None) -> float:
    return 0.0 if then is None else max(0.0, (now - then).total_seconds())


def _families(f: StoreFigures, now: datetime) -> Iterator[GaugeMetricFamily]:
    yield _gauge("openror_change_feed_last_seq", "Sequence number of the newest change "
                 "feed entry (0: none).", [([], f.feed.seq)])
    yield _gauge("openror_subscriptions", "FHIR subscriptions by status.",
                 [([s], n) for s, n in sorted(f.subscriptions.items())], ("status",))
    yield _gauge("openror_subscription_notifications_pending", "Notifications queued for "
                 "subscriptions and not delivered yet, by the subscription's status.",
                 [([s], p.count) for s, p in sorted(f.pending.items())],
                 ("subscription_status",))
    yield _gauge("openror_subscription_oldest_pending_age_seconds", "Age of the oldest "
                 "undelivered notification, by the subscription's status.",
                 [([s], _age(now, p.oldest)) for s, p in sorted(f.pending.items())],
                 ("subscription_status",))
    yield _gauge("openror_capacity_availability_figures", "Availability figures of places, "
                 "by the activity family of the place and freshness (stale: older than "
                 "the family's threshold, or undated).",
                 [([fam, state], n) for (fam, state), n in sorted(f.availability.items())],
                 ("family", "freshness"))
    yield from _imports(f.imports, now)


def _imports(runs: list[imports.Progress], now: datetime) -> Iterator[GaugeMetricFamily]:
    labels = ("run_id", "source", "phase")

    def key(run: imports.Progress) -> list[str]:
        return [run.run_id, run.source, run.phase]

    yield _gauge("openror_import_records_done", "Records the phase under way of an "
                 "unfinished import has gone through.",
                 [(key(r), r.done) for r in runs if r.done is not None], labels)
    yield _gauge("openror_import_records_total", "Records the phase under way of an "
                 "unfinished import goes through (when known).",
                 [(key(r), r.total) for r in runs if r.total is not None], labels)
    yield _gauge("openror_import_rejects", "Records an unfinished import has rejected so far.",
                 [(key(r), r.rejected) for r in runs], labels)
    yield _gauge("openror_import_last_progress_age_seconds", "Seconds since an unfinished "
                 "import last reported progress (growing: it stopped; openror import "
                 "--continue resumes it).",
                 [(key(r), _age(now, r.updated_at)) for r in runs], labels)
