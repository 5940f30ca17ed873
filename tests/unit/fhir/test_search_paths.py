"""The compiled search paths select what fhirpathpy selects for the same expressions."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path
from typing import Any

import orjson
import pytest
from fhirpathpy import compile as fhirpath_compile
from fhirpathpy.models import models

from openror.fhir.search_params import PARAMS
from openror.fhir.search_paths import (
    UnsupportedPath,
    compile_path,
    extension_value_url,
    extension_values,
)

SAMPLE = Path(__file__).resolve().parents[3] / "src" / "openror" / "importers" / "data" \
    / "sample.ndjson.gz"


def _resources() -> dict[str, list[dict[str, Any]]]:
    by_type: dict[str, list[dict[str, Any]]] = {}
    with gzip.open(SAMPLE) as f:
        for line in f:
            body = orjson.loads(line)
            bucket = by_type.setdefault(body["resourceType"], [])
            if len(bucket) < 60:
                bucket.append(body)
    return by_type


RESOURCES = _resources()


def _normal(values: list[Any]) -> list[bytes]:
    return sorted(orjson.dumps(v, option=orjson.OPT_SORT_KEYS) for v in values)


@pytest.mark.parametrize("rtype", sorted(PARAMS))
def test_compiled_paths_agree_with_fhirpathpy(rtype: str) -> None:
    checked = 0
    for p in PARAMS[rtype].values():
        if p.type == "special" or p.name in ("departement", "region"):
            continue
        reference = fhirpath_compile(f"{rtype}.{p.full_expression}"
                                     if not p.full_expression.startswith(rtype)
                                     else p.full_expression, models["r4"])
        ours = compile_path(p.full_expression, rtype)
        for body in RESOURCES.get(rtype, []):
            assert _normal(ours(body)) == _normal(reference(body)), (p.name, body["id"])
            checked += 1
    assert checked or rtype not in RESOURCES


def test_grouped_parameters_select_per_element() -> None:
    located = [b for b in RESOURCES["Location"] if len(compile_path(
        PARAMS["Location"]["capacity-status"].group_root, "Location")(b)) > 1]
    assert located, "the sample has places with several capacity records"
    status = PARAMS["Location"]["capacity-status"]
    for body in located:
        roots = compile_path(status.group_root, "Location")(body)
        per_record = [compile_path(status.expression)(r) for r in roots]
        assert list(itertools.chain(*per_record)) == compile_path(
            status.full_expression, "Location")(body)


def test_expressions_outside_the_subset_are_refused() -> None:
    with pytest.raises(UnsupportedPath, match="resolve"):
        compile_path("HealthcareService.location.resolve()", "HealthcareService")


ODD_ELEMENTS: list[Any] = [
    "text", None, {}, {"extension": "not a list"}, {"extension": [1, None, {"url": 3}]},
    {"extension": [{"url": "a", "valueCoding": {"code": "x"}}, {"url": "a", "value": [1, 2]},
                   {"url": "b", "valueInteger": 4, "valueString": "s", "valuex": 5},
                   {"url": ["a"], "valueString": "kept out"}, {"url": "a"}]},
]


def test_extension_values_select_what_the_compiled_paths_select() -> None:
    checked = 0
    for rtype, params in PARAMS.items():
        for p in params.values():
            url = extension_value_url(p.expression) if p.group else None
            if url is None:
                continue
            elements = [*ODD_ELEMENTS, *(element for body in RESOURCES.get(rtype, [])
                                         for element in compile_path(p.group_root, rtype)(body))]
            for element in elements:
                assert extension_values(element).get(url, []) == \
                    compile_path(p.expression)(element), (p.name, element)
                checked += 1
    assert checked
    for odd in ("a", "b"):
        assert extension_values(ODD_ELEMENTS[-1]).get(odd, []) == \
            compile_path(f"extension.where(url = '{odd}').value")(ODD_ELEMENTS[-1])
    assert extension_value_url("extension.where(url = 'a').value.low") is None
    assert extension_value_url("extension.where(url = 'a').value | extension.value") is None
