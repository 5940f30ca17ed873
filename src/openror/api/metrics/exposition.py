"""``GET /-/metrics``: the Prometheus text exposition of one app's registry.

Serving alone, the registry holds this process's request and search histograms, its pools,
and the process's own figures (CPU, memory, open files). Under ``openror serve --workers
N`` (``PROMETHEUS_MULTIPROC_DIR`` set, ``openror.workers``), a scrape reaches one worker at
random: the histograms and the pool gauges then come from the files every worker writes
there, summed, so that any scrape counts every worker's requests. The database figures
(``store_figures``) and the replicas are the same whoever reads them.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from openror.api.metrics import pools
from openror.api.metrics.instruments import REQUEST_SECONDS, SEARCH_SECONDS
from openror.api.metrics.replicas import ReplicaCollector
from openror.api.metrics.store_figures import StoreCollector
from openror.services.container import Services

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROCESS_ENV) or None


def registry_for(services: Services) -> CollectorRegistry:
    registry = CollectorRegistry()
    if multiprocess_dir():
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        for collector in (REQUEST_SECONDS, SEARCH_SECONDS, pools.PoolCollector(services.db),
                          PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            registry.register(collector)
    registry.register(StoreCollector(services.db, services.settings.metrics_cache_seconds))
    registry.register(ReplicaCollector(services.db))
    return registry


async def publish_pools(services: Services) -> None:
    """For the app's lifetime: with several workers, this one's share of the pool gauges
    (none to publish when serving alone: the scrape reads the pools)."""
    if multiprocess_dir():
        await pools.publish_forever(services.db)


async def metrics(request: Request) -> Response:
    registry: CollectorRegistry = request.app.state.metrics
    body = await run_in_threadpool(generate_latest, registry)
    return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4)
