"""The FINESS reference file a generator run writes: the layout ``orjson`` gives the whole
document (indent 2, sorted keys), streamed; authorisations only for the sites it holds."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import orjson

from openror.datasets.finess_reference import FinessReference, Noting
from openror.importers.base import Key, Record

SITE = {"finess": "010000024", "finess_ej": "010780054", "name": "CH Bourg \"Fleyriat\"\n",
        "category": "355", "state": "open", "closing_type": None, "region": "84",
        "departement": "01"}


def _site_record(row: dict[str, Any]) -> Record:
    return Record(1, {"resourceType": "Organization"}, Key("finess", row["finess"]),
                  frozenset(), reference=row)


def _offer(provider: str, *codes: str) -> dict[str, Any]:
    return {"resourceType": "HealthcareService", "providedBy": {"reference": provider},
            "specialty": [{"coding": [{"code": code} for code in codes]}]}


class _Counting:
    def __init__(self) -> None:
        self.written: list[dict[str, Any]] = []

    @property
    def counts(self) -> dict[str, int]:
        return {"all": len(self.written)}

    def write(self, resource: dict[str, Any]) -> None:
        self.written.append(resource)


def _document(path: Path) -> tuple[bytes, Any]:
    text = gzip.decompress(path.read_bytes())
    return text, orjson.loads(text)


def test_offers_of_known_sites_imply_authorisations(tmp_path: Path) -> None:
    reference = FinessReference()
    sink = _Counting()
    noting = Noting(sink, reference)
    reference.keep_site(_site_record({**SITE, "finess": "020000089"}))
    reference.keep_site(_site_record(SITE))
    for resource in (_offer("Organization/eg-010000024", "157", "083"),
                     _offer("Organization/eg-010000024", "121"),
                     _offer("Organization/eg-010000024", "157"),  # same kind twice: one row
                     _offer("Organization/eg-999999999", "157"),  # not a site of the run
                     _offer("Organization/demo-office", "100")):  # not a FINESS site
        noting.write(resource)
    assert noting.counts == {"all": 5}
    reference.write(tmp_path / "ref.json.gz")

    text, document = _document(tmp_path / "ref.json.gz")
    assert text == orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    assert [site["finess"] for site in document["sites"]] == ["010000024", "020000089"]
    assert document["sites"][0] == SITE
    assert document["authorisations"] == [
        {"finess": "010000024", "activity": "14", "modality": "23", "form": "00",
         "end_date": None},
        {"finess": "010000024", "activity": "15", "modality": "09", "form": "00",
         "end_date": None}]


def test_an_empty_run_writes_empty_lists_in_the_same_layout(tmp_path: Path) -> None:
    FinessReference().write(tmp_path / "a.json.gz")
    text, document = _document(tmp_path / "a.json.gz")
    assert document == {"authorisations": [], "sites": []}
    assert text == orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
