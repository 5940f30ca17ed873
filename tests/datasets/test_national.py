"""The national generator on the first establishments: deterministic, valid, self-contained."""

from __future__ import annotations

import collections
import gzip
from pathlib import Path
from typing import Any

import orjson
import pytest

from openror.datasets.finess_reference import AUTHORISED_BY, FILE_NAME
from openror.datasets.national import DEFAULT_DATA, finess_tarballs
from openror.datasets.people import rpps_number
from openror.datasets.run import national
from openror.datasets.writer import TYPES
from openror.fhir.validate import validate_resource
from openror.importers.base import ID_KEY, Key, Record
from openror.importers.checkdigits import rpps_problem
from openror.importers.checks import stamped
from openror.terminology import default_terminology

pytestmark = pytest.mark.skipif(not finess_tarballs(DEFAULT_DATA),
                                reason="the shared FINESS data is not next to the project")


def _generate(out: Path, limit: int, seed: int = 7, compress: bool = False) -> Path:
    list(national(seed, out, limit, compress, None))
    return out


def _resources(directory: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for rtype in TYPES
            for line in (directory / f"{rtype}.ndjson").read_bytes().splitlines()]


@pytest.fixture(scope="module")
def run200(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("n200"), 200)


def test_same_seed_same_bytes(run200: Path, tmp_path: Path) -> None:
    again = _generate(tmp_path / "again", 200)
    for name in [f"{rtype}.ndjson" for rtype in TYPES] + [FILE_NAME]:
        assert (again / name).read_bytes() == (run200 / name).read_bytes(), name


def test_gzip_output_is_deterministic(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a", 20, compress=True)
    second = _generate(tmp_path / "b", 20, compress=True)
    for rtype in TYPES:
        name = f"{rtype}.ndjson.gz"
        assert (first / name).read_bytes() == (second / name).read_bytes(), rtype


def test_another_seed_other_content(run200: Path, tmp_path: Path) -> None:
    other = _generate(tmp_path / "other", 200, seed=8)
    assert (other / "HealthcareService.ndjson").read_bytes() != \
        (run200 / "HealthcareService.ndjson").read_bytes()
    # the FINESS part does not depend on the seed
    assert (other / "Organization.ndjson").read_bytes() == \
        (run200 / "Organization.ndjson").read_bytes()


def test_every_resource_validates(run200: Path) -> None:
    terminology = default_terminology()
    problems = collections.Counter[str]()
    for number, resource in enumerate(_resources(run200), start=1):
        record = Record(number, resource, Key(ID_KEY, resource["id"]), frozenset())
        for issue in validate_resource(stamped(record, "11"), terminology):
            if issue.is_error:
                problems[f"{resource['resourceType']}: {issue.diagnostics}"] += 1
    assert not problems, problems.most_common(10)


def _references(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return own + [r for v in node.values() for r in _references(v)]
    if isinstance(node, list):
        return [r for v in node for r in _references(v)]
    return []


def test_references_resolve_backwards_within_the_dataset(run200: Path) -> None:
    """Every literal reference names a resource written before it (import order)."""
    seen: set[str] = set()
    for resource in _resources(run200):
        here = f"{resource['resourceType']}/{resource['id']}"
        assert here not in seen, f"duplicate id {here}"
        missing = [r for r in _references(resource) if r not in seen and r != here]
        assert not missing, f"{here} refers to {missing}"
        seen.add(here)


def test_counts_scale_and_a_limit_is_a_prefix(run200: Path, tmp_path: Path) -> None:
    small = _generate(tmp_path / "n50", 50)
    for rtype in ("Organization", "Location", "HealthcareService", "Practitioner"):
        big_bytes = (run200 / f"{rtype}.ndjson").read_bytes()
        small_bytes = (small / f"{rtype}.ndjson").read_bytes()
        assert 0 < len(small_bytes) < len(big_bytes), rtype
        assert big_bytes.startswith(small_bytes), rtype
    sites = [r for r in _resources(run200) if r["id"].startswith("eg-")]
    assert len(sites) == 200


def test_practitioners_are_synthetic_with_valid_rpps(run200: Path) -> None:
    for resource in _resources(run200):
        if resource["resourceType"] == "Practitioner":
            rpps = resource["identifier"][0]["value"][1:]
            assert rpps.startswith("199") and rpps_problem(rpps) is None


def test_rpps_numbers_pass_the_registry_check() -> None:
    assert all(rpps_problem(rpps_number(i)) is None for i in range(1000))


def test_finess_reference_follows_the_sites_and_offers_written(run200: Path) -> None:
    reference = orjson.loads(gzip.decompress((run200 / FILE_NAME).read_bytes()))
    resources = _resources(run200)
    sites = {r["id"].removeprefix("eg-"): r for r in resources
             if r["resourceType"] == "Organization" and r["id"].startswith("eg-")}
    rows = {row["finess"]: row for row in reference["sites"]}
    assert list(rows) == sorted(sites) and len(rows) == 200
    for number, org in sites.items():
        assert rows[number]["category"] == org["type"][0]["coding"][0]["code"]
        assert rows[number]["finess_ej"] == org["partOf"]["reference"].removeprefix(
            "Organization/ej-")
        assert rows[number]["state"] in {"open", "provisional", "closed", "lapsed"}

    implied = {(o["providedBy"]["reference"].removeprefix("Organization/eg-"),
                *AUTHORISED_BY[c["code"]])
               for o in resources if o["resourceType"] == "HealthcareService"
               for s in o.get("specialty", []) for c in s["coding"]
               if c["code"] in AUTHORISED_BY}
    kinds = {(a["activity"], a["modality"]) for a in reference["authorisations"]}
    assert {("14", "23"), ("03", "01")} <= kinds  # emergency, obstetrics in the first 200
    assert {(a["finess"], a["activity"], a["modality"])
            for a in reference["authorisations"]} == implied
    assert all(a["form"] == "00" and a["end_date"] is None for a in reference["authorisations"])
