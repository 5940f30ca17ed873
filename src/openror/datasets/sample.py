"""``openror generate sample``: the demo sample bundled in the package.

The real establishments of two territories (Guyane, the Aisne) with the generator's synthetic
content (fewer offers per establishment than the national dataset, so that ``openror demo``
loads it in seconds), the demo GP (``liberal``), a few more anomalies, and the official ROR
examples of the IG. One gzip'd ndjson file, resources in import order; next to it, the FINESS
reference of its sites (what the FINESS source said of them in the same run) and the
authorisations their offers imply (``sample.finess.json.gz``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from openror.datasets import anomalies, liberal, sae
from openror.datasets.finess_reference import FinessReference
from openror.datasets.national import Generator, finess_tarballs
from openror.datasets.writer import TYPES, deterministic_gzip
from openror.importers.base import Record
from openror.importers.finess_records import scope_of_finess

TERRITORIES = frozenset({"02", "973"})  # Aisne, Guyane
SAMPLE_SEED = 2025
MAX_OFFERS = 6  # per establishment: enough for every search, small enough for the demo
HEALTH_CENTRE = "124"  # TRE_R66 Centre de santé: where the demo GP also consults


@dataclass
class Collector:
    """Keeps the resources in memory (a few thousand), grouped by type for import order, and
    the FINESS reference of the sample's sites and offers."""

    by_type: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {t: [] for t in TYPES})
    reference: FinessReference = field(default_factory=FinessReference)

    @property
    def counts(self) -> dict[str, int]:
        return {t: len(v) for t, v in self.by_type.items()}

    def write(self, resource: dict[str, Any]) -> None:
        self.reference.note(resource)
        self.by_type[resource["resourceType"]].append(resource)

    def ordered(self) -> Iterator[dict[str, Any]]:
        for rtype in TYPES:
            yield from self.by_type[rtype]


def in_territories(record: Record) -> bool:
    return scope_of_finess(record.key.value) in TERRITORIES


def health_centre(collector: Collector) -> str:
    """FINESS number of the first health centre of the Aisne in the sample."""
    for org in collector.by_type["Organization"]:
        category = org.get("type", [{}])[0].get("coding", [{}])[0].get("code")
        if org["id"].startswith("eg-02") and category == HEALTH_CENTRE:
            return str(org["id"][3:])
    raise LookupError("no health centre in the Aisne: the FINESS data is not the expected one")


def extra_anomalies(collector: Collector) -> list[dict[str, Any]]:
    """Anomalies a regional operator would find on the demo, at several business statuses,
    declared by several systems."""
    by_type = collector.by_type
    sites = [o for o in by_type["Organization"] if o["id"].startswith("eg-")]
    gp_offer = next(o for o in by_type["HealthcareService"] if o["id"] == liberal.GP_OFFER_ID)
    targets = [gp_offer, sites[0], by_type["Location"][-1], sites[-1],
               by_type["HealthcareService"][0]]
    statuses = ("02", "05", "08", "09", "10")
    requesters = ("IHM", "Santé.fr", "IHM", "ViaTrajectoire", "Moteur de règles qualité")
    return [anomalies.task(f"demo-task-{n}", target["meta"]["tag"][0]["code"],
                           f"{target['resourceType']}/{target['id']}", n, status,
                           f"2025-04-0{n + 1}", requester)
            for n, (target, status, requester) in enumerate(zip(targets, statuses, requesters,
                                                                strict=True))]


def official_examples() -> list[dict[str, Any]]:
    """The IG examples the previous sample had, with the Task's focus made literal (the IG
    names an Organization by an identifier no example carries)."""
    from importlib import resources as package_files

    raw = package_files.files("openror.datasets").joinpath("examples.json").read_bytes()
    items: list[dict[str, Any]] = orjson.loads(raw)
    for item in items:
        if item["resourceType"] == "Task":
            item["focus"] = {"reference": "Organization/ror-organisation-exemple-eg"}
    return items


def build(data: Path) -> Collector:
    collector = Collector()
    generator = Generator(SAMPLE_SEED, collector, sae.load(data / "finess" / "sae_2020"),
                          keep=in_territories, max_offers=MAX_OFFERS,
                          on_site=collector.reference.keep_site)
    generator.run(finess_tarballs(data))
    for resource in [*official_examples(), *liberal.demo_gp(health_centre(collector))]:
        collector.write(resource)
    for task in extra_anomalies(collector):
        collector.write(task)
    return collector


def write(collector: Collector, out: Path) -> None:
    """Deterministic gzip (mtime 0, no name): same sample, same bytes. The FINESS reference
    of the sample goes next to it (``reference_path``)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with deterministic_gzip(out) as handle:
        for resource in collector.ordered():
            handle.write(orjson.dumps(resource) + b"\n")
    collector.reference.write(reference_path(out))


def reference_path(sample: Path) -> Path:
    """``sample.ndjson.gz`` → ``sample.finess.json.gz``."""
    return sample.with_name(sample.name.removesuffix(".ndjson.gz") + ".finess.json.gz")
