"""The kit's official examples pass; its broken copies fail and name what they must."""

from __future__ import annotations

from pathlib import Path

import pytest

from openror.fhir.validate import validate_resource
from openror.terminology import Terminology
from tests.unit.fhir.conftest import BROKEN, EXAMPLES, load


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_official_example_has_no_error(path: Path, terminology: Terminology) -> None:
    issues = validate_resource(load(path), terminology)
    assert [i for i in issues if i.is_error] == []


def _expected_names(resource: dict[str, object]) -> list[str]:
    tags = resource["meta"]["tag"]  # type: ignore[index]
    codes = [t["code"] for t in tags if t["system"] == "urn:kit:expect"]
    return [name.strip() for code in codes for name in code.split(";")]


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_broken_copy_fails_naming_each_expected_element(path: Path,
                                                       terminology: Terminology) -> None:
    resource = load(path)
    errors = [i for i in validate_resource(resource, terminology) if i.is_error]
    texts = [f"{i.diagnostics} {' '.join(i.expression)}" for i in errors]
    for name in _expected_names(resource):
        assert any(name in text for text in texts), (name, texts)


def test_errors_come_before_warnings(terminology: Terminology) -> None:
    resource = load(next(p for p in BROKEN if p.name.startswith("HealthcareService")))
    severities = [i.is_error for i in validate_resource(resource, terminology)]
    assert severities == sorted(severities, reverse=True)
    assert not severities[-1]  # the careMode warning is last
