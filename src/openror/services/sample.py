"""The demo sample (``services/data/sample.ndjson.gz``, made by ``openror generate sample``),
loaded through the write path like any other data.

Resources keep their ids and are written in batches, one transaction per batch (an upsert by
id each, as ``openror import bundle`` does): the first start creates them, a later start finds
every resource unchanged and writes nothing.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources as package_files
from itertools import islice
from typing import Any

import orjson

from openror.config import Settings
from openror.services.batch import ID_KEY, Batch, Upsert
from openror.services.container import Services
from openror.store.feed import LogEntry

SAMPLE = "data/sample.ndjson.gz"
BATCH_SIZE = 500
#: the demo GP's office consultation (see docs/admin/datasets.md)
DEMO_GP_OFFER = "HealthcareService/demo-gp-office-437"
_SERVER = frozenset({"resourceType", "id", "meta"})


@dataclass
class LoadSummary:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def sample_resources() -> Iterator[dict[str, Any]]:
    """The sample's resources in import order (references point backwards)."""
    raw = package_files.files("openror.services").joinpath(SAMPLE).read_bytes()
    with gzip.open(io.BytesIO(raw), "rb") as handle:
        for line in handle:
            if line.strip():
                yield orjson.loads(line)


def _upsert(resource: dict[str, Any]) -> Upsert:
    """By id; the region tag of ``meta`` is kept (it says which ARS owns the data)."""
    body = {k: v for k, v in resource.items() if k != "id"}
    owned = frozenset(body) - _SERVER
    urls = frozenset(e["url"] for e in resource.get("extension") or [])
    return Upsert(body, ID_KEY, resource["id"], owned, urls)


def load_sample(settings: Settings) -> LoadSummary:
    """Create or update the sample's resources; a second load changes nothing."""
    services = Services.open(settings)
    log = LogEntry(actor="openror demo", batch_id="demo-sample")
    summary = LoadSummary()
    resources = sample_resources()
    try:
        while chunk := list(islice(resources, BATCH_SIZE)):
            with services.db.write() as conn:
                batch = Batch(services.writes, conn, log)
                for resource in chunk:
                    result = batch.upsert(_upsert(resource))
                    summary.unchanged += result.unchanged
                    summary.created += result.created
                    summary.updated += not (result.created or result.unchanged)
            summary.total += len(chunk)
    finally:
        services.close()
    return summary
