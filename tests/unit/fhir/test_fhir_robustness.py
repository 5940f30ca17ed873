"""Malformed input never crashes the validator: every value replaced by every JSON kind."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from openror.fhir.validate import validate_resource
from tests.unit.fhir.conftest import EXAMPLES, FakeTerminology, load

REPLACEMENTS: list[Any] = ["x", 1, True, None, [], {}, ["x"], [{"a": 1}], {"a": 1}]


def _slots(node: Any) -> Iterator[tuple[Any, Any]]:
    """(container, key) for every value of the JSON tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield node, key
            yield from _slots(value)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield node, i
            yield from _slots(value)


@pytest.mark.parametrize("path", EXAMPLES[:7], ids=lambda p: p.name)
def test_no_exception_on_wrong_kinds(path: Any) -> None:
    original = load(path)
    term = FakeTerminology()
    count = sum(1 for _ in _slots(original))
    for n in range(0, count, 3):  # every third slot keeps the test under a second
        for replacement in REPLACEMENTS:
            resource = copy.deepcopy(original)
            container, key = next(s for i, s in enumerate(_slots(resource)) if i == n)
            container[key] = replacement
            validate_resource(resource, term)


@pytest.mark.parametrize("value", [None, "x", [], {"resourceType": 3}])
def test_not_a_resource(value: Any) -> None:
    issues = validate_resource(value, FakeTerminology())
    assert issues and issues[0].is_error
