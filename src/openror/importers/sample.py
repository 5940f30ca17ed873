"""The demo sample (bundled in the package), loaded like any other bundle: through the import
run and the write path; then the FINESS reference of its sites and their authorisations
(``sample.finess.json.gz``, written by the same generator run). A second load changes
nothing."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from importlib import resources as package_files
from typing import Any

import orjson

from openror.config import Settings
from openror.importers import finess_reference_file
from openror.importers.base import Summary
from openror.importers.bundle import BundleSource
from openror.importers.run import ImportRun, Options
from openror.services.container import Services
from openror.store.resources import utcnow

#: the demo GP's office consultation (see docs/admin/datasets.md)
DEMO_GP_OFFER = "HealthcareService/demo-gp-office-437"
_SAMPLE = "data/sample.ndjson.gz"
_REFERENCE = "data/sample.finess.json.gz"


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
            summary = run.run([path])
        load_reference(services)
        return summary
    finally:
        services.close()


def load_reference(services: Services) -> None:
    """The sample's ``finess_site`` rows and its authorisations (the demo database's whole
    ``finess_authorisation`` table), in one transaction, as ``openror import finess-reference``
    loads them."""
    raw = package_files.files("openror.importers").joinpath(_REFERENCE).read_bytes()
    reference = finess_reference_file.parse(raw, _REFERENCE)
    with services.db.write() as conn:
        finess_reference_file.load(conn, reference, utcnow())
