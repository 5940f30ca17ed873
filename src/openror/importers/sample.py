"""The demo sample (bundled in the package), loaded like any other bundle: through the import
run and the write path. A second load changes nothing."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from importlib import resources as package_files
from typing import Any

import orjson

from openror.config import Settings
from openror.importers.base import Summary
from openror.importers.bundle import BundleSource
from openror.importers.run import ImportRun, Options
from openror.services.container import Services

#: the demo GP's office consultation (see docs/admin/datasets.md)
DEMO_GP_OFFER = "HealthcareService/demo-gp-office-437"
_SAMPLE = "data/sample.ndjson.gz"


def sample_resources() -> Iterator[dict[str, Any]]:
    """The sample's resources, as bundled."""
    raw = package_files.files("openror.importers").joinpath(_SAMPLE).read_bytes()
    for line in gzip.decompress(raw).splitlines():
        if line.strip():
            yield orjson.loads(line)


def load_sample(settings: Settings) -> Summary:
    """Create or update the sample's resources; return the import summary."""
    services = Services.open(settings)
    try:
        with package_files.as_file(
                package_files.files("openror.importers").joinpath(_SAMPLE)) as path:
            run = ImportRun(services, BundleSource(), Options(progress=False))
            return run.run([path])
    finally:
        services.close()
