"""The FINESS reference of a generated dataset: what the FINESS source said of each site
written (its ``finess_site`` row) and the authorisations of care activities its offers imply,
for the quality rules (ror-quality.md A.1.5, CO1, CO2, EX3–EX5).

Collected during the generator run (``Generator(on_site=…)`` for the sites, :class:`Noting`
around the sink for the offers) and written as one gzip'd JSON file
``{"authorisations": [...], "sites": [...]}``, which ``openror import finess-reference``
loads. Memory stays bounded: a compact row per site and a set of (site, activity, modality),
never the offers themselves.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from openror.datasets.national import Sink
from openror.datasets.writer import deterministic_gzip
from openror.importers.base import Record
from openror.store.finess_reference import SITE_COLUMNS

FILE_NAME = "finess-reference.json.gz"  # next to the national dataset's ndjson files

#: operational activity (TRE_R211) of an offer → the FINESS authorisation (activity,
#: modality) the quality rules expect behind it
AUTHORISED_BY = {
    "157": ("14", "23"), "249": ("14", "24"),  # emergency, paediatric emergency
    **{ao: ("15", "09") for ao in ("121", "122", "123", "124", "125", "126", "127", "129")},
    "130": ("15", "10"),  # paediatric resuscitation
    "100": ("03", "01"), "260": ("03", "01"), "094": ("03", "02"), "369": ("03", "03"),
    "128": ("03", "04"),  # obstetrics, neonatology, neonatal intensive care, resuscitation
}
NO_FORM = "00"  # generated authorisations carry no FINESS form
SITE_PREFIX = "Organization/eg-"  # an offer of a FINESS site (not the demo GP's practices)


class FinessReference:
    """The site rows and implied authorisations of one generator run."""

    def __init__(self) -> None:
        self._sites: dict[str, tuple[Any, ...]] = {}  # FINESS ET → values of SITE_COLUMNS
        self._implied: set[tuple[str, str, str]] = set()  # FINESS ET, activity, modality

    def keep_site(self, record: Record) -> None:
        """``Generator.on_site``: the site's reference row, as the FINESS source made it."""
        if record.reference is not None:
            row = record.reference
            self._sites[str(row["finess"])] = tuple(row.get(name) for name in SITE_COLUMNS)

    def note(self, resource: dict[str, Any]) -> None:
        """Remember the authorisations an offer of a FINESS site implies."""
        if resource.get("resourceType") != "HealthcareService":
            return
        provider = str((resource.get("providedBy") or {}).get("reference", ""))
        if not provider.startswith(SITE_PREFIX):
            return
        finess = provider.removeprefix(SITE_PREFIX)
        for specialty in resource.get("specialty") or []:
            for coding in specialty.get("coding") or []:
                if coding.get("code") in AUTHORISED_BY:
                    self._implied.add((finess, *AUTHORISED_BY[coding["code"]]))

    @property
    def site_count(self) -> int:
        return len(self._sites)

    def sites(self) -> Iterator[dict[str, Any]]:
        for number in sorted(self._sites):
            yield dict(zip(SITE_COLUMNS, self._sites[number], strict=True))

    def authorisations(self) -> list[dict[str, Any]]:
        """One per site and kind, no end date; only for sites of the reference."""
        return [{"finess": finess, "activity": activity, "modality": modality, "form": NO_FORM,
                 "end_date": None}
                for finess, activity, modality in sorted(self._implied)
                if finess in self._sites]

    def write(self, path: Path) -> None:
        """Deterministic (gzip mtime 0, no name, sorted rows): same run, same bytes. The JSON
        is streamed row by row, in the layout ``orjson`` gives with indent 2 and sorted keys."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with deterministic_gzip(path) as handle:
            handle.write(b"{\n")
            _write_list(handle, "authorisations", self.authorisations())
            handle.write(b",\n")
            _write_list(handle, "sites", self.sites())
            handle.write(b"\n}")


class Noting:
    """A sink that shows every resource to a :class:`FinessReference` before writing it."""

    def __init__(self, inner: Sink, reference: FinessReference) -> None:
        self.inner = inner
        self.reference = reference

    @property
    def counts(self) -> dict[str, int]:
        return self.inner.counts

    def write(self, resource: dict[str, Any]) -> None:
        self.reference.note(resource)
        self.inner.write(resource)


_INDENTED = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS


def _write_list(handle: gzip.GzipFile, name: str, items: Iterable[dict[str, Any]]) -> None:
    handle.write(b'  "' + name.encode() + b'": [')
    empty = True
    for item in items:
        handle.write(b"\n" if empty else b",\n")
        handle.write(b"\n".join(b"    " + line
                                for line in orjson.dumps(item, option=_INDENTED).split(b"\n")))
        empty = False
    handle.write(b"]" if empty else b"\n  ]")
