"""The metrics the server records as it works, defined once per process and registered in
no global registry: each app's registry (``exposition``) takes them, so that tests making
many apps in one process never collide. With ``PROMETHEUS_MULTIPROC_DIR`` set (``openror
serve --workers N``), prometheus_client keeps their values in files there, which any worker's
scrape adds up.

Labels are bounded: route templates, a closed set of methods and status classes, resource
types, search kinds (``search.kinds``), engine roles. Never an id, a name or a query.
"""

from __future__ import annotations

from prometheus_client import Gauge, Histogram

#: 1 ms to 10 s, about three buckets per decade
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_SECONDS = Histogram(
    "openror_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template, method and status class.",
    ("route", "method", "status"), buckets=BUCKETS, registry=None)

SEARCH_SECONDS = Histogram(
    "openror_search_duration_seconds",
    "Time to run a search (FHIR search or orientation), by resource type and kind.",
    ("type", "kind"), buckets=BUCKETS, registry=None)

#: the connection pools, by figure: (metric name, help) (``pools``)
POOL_METRICS = {
    "size": ("openror_db_pool_size", "Connections the pool keeps (SQLAlchemy pool size)."),
    "checked_out": ("openror_db_pool_checked_out", "Connections in use."),
    "checked_in": ("openror_db_pool_checked_in", "Open connections waiting in the pool."),
    "overflow": ("openror_db_pool_overflow", "Connections open beyond the pool size."),
}
#: with several worker processes: each publishes its pools, summed over the live ones
POOL_GAUGES = {figure: Gauge(name, what, ("engine",), registry=None,
                             multiprocess_mode="livesum")
               for figure, (name, what) in POOL_METRICS.items()}


def status_class(status: int) -> str:
    """200 -> "2xx"; 0 (no answer was started) -> "none"."""
    return f"{status // 100}xx" if 100 <= status <= 599 else "none"


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(route, method, status_class(status)).observe(seconds)


def observe_search(rtype: str, kind: str, seconds: float) -> None:
    SEARCH_SECONDS.labels(rtype, kind).observe(seconds)
