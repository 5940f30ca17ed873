"""``openror generate national``: every FINESS establishment with synthetic content.

FINESS comes through the FINESS import source (its mapping, checks and rejects); each
establishment then gets its content from a random stream seeded by (seed, FINESS number).
Everything streams: one establishment is in memory at a time, plus the set of legal entities
already written and the SAE figures.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from openror.datasets import establishment, ids, people, registry, sae
from openror.datasets.catalog import profile_for
from openror.datasets.context import Site
from openror.importers.base import Record, Reject
from openror.importers.finess import FinessSource

DEFAULT_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


class Sink(Protocol):
    @property
    def counts(self) -> dict[str, int]: ...

    def write(self, resource: dict[str, Any]) -> None: ...


def finess_tarballs(data: Path) -> list[Path]:
    return sorted((data / "finess" / "fhir").glob("etab*.tar.gz"))


@dataclass
class Group:
    """One FINESS establishment: its site record and its place record (None if refused)."""

    site: Record
    place: Record | None = None


def groups(items: Iterable[Record | Reject], rejects: list[Reject]) -> Iterator[Record | Group]:
    """Legal entities as they come, and each site grouped with the place that follows it."""
    pending: Group | None = None
    for item in items:
        if isinstance(item, Reject):
            rejects.append(item)
        elif item.type == "Location" and pending is not None:
            pending.place = item
        elif item.type == "Organization":
            if pending is not None:
                yield pending
                pending = None
            if item.rank == 0:
                yield item
            else:
                pending = Group(item)
    if pending is not None:
        yield pending


def moment(seed: int, finess: str) -> str:
    """When the establishment's data was entered (creation and capacity update dates)."""
    rng = ids.stream(seed, finess, "moment")
    return (f"2025-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d}"
            f"T{rng.randint(7, 19):02d}:{rng.randint(0, 59):02d}:00+00:00")


def site_of(group: Group, seed: int) -> Site:
    finess = group.site.key.value
    commune = registry.commune_of(group.place)
    place = group.place.resource if group.place else {}
    category = group.site.resource["type"][0]["coding"][0]["code"]
    return Site(finess, group.site.resource.get("name", ""), category,
                registry.region_of(finess, commune), commune, place.get("address"),
                place.get("position"), group.place is not None, moment(seed, finess))


@dataclass
class Generator:
    seed: int
    sink: Sink
    facts: dict[str, sae.Facts] = field(default_factory=dict)
    limit: int | None = None
    max_offers: int | None = None  # per establishment (the demo sample keeps it small)
    keep: Callable[[Record], bool] = lambda _record: True
    #: called with the site record of each establishment written (its FINESS reference row)
    on_site: Callable[[Record], None] = lambda _record: None
    rejects: list[Reject] = field(default_factory=list)
    establishments: int = 0

    def __post_init__(self) -> None:
        self._legal_entities: set[str] = set()
        self._rpps = itertools.count(1)

    def next_rpps(self) -> str:
        return people.rpps_number(next(self._rpps))

    def run(self, paths: list[Path]) -> None:
        legal_entities: dict[str, Record] = {}  # waiting for a kept site of theirs
        for item in groups(FinessSource().parse(paths), self.rejects):
            if self.limit is not None and self.establishments >= self.limit:
                return
            if isinstance(item, Record):
                legal_entities[item.key.value] = item
            elif self.keep(item.site):
                self._legal_entity(legal_entities, item.site)
                self.establishment(item)

    def _legal_entity(self, waiting: dict[str, Record], site: Record) -> None:
        number = site.resource["partOf"]["identifier"]["value"]
        record = waiting.pop(number, None)
        if number in self._legal_entities or record is None:
            return
        self._legal_entities.add(number)
        self.sink.write(registry.resource(record, registry.region_of(number, "")))

    def establishment(self, group: Group) -> None:
        site = site_of(group, self.seed)
        self.establishments += 1
        self.on_site(group.site)
        self.sink.write(registry.resource(group.site, site.region))
        if group.place is not None:
            self.sink.write(registry.resource(group.place, site.region))
        rng = ids.stream(self.seed, site.finess)
        profile = profile_for(site.category)
        if self.max_offers is not None:
            low, high = profile.offers
            profile = replace(profile, offers=(min(low, self.max_offers),
                                               min(high, self.max_offers)))
        for resource in establishment.generate(rng, site, profile, self.facts.get(site.finess),
                                               self.next_rpps):
            self.sink.write(resource)
