"""Shared fixtures: the kit's examples and broken copies, and terminologies (real and fake)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from openror.terminology import Terminology, default_terminology

KIT = Path(__file__).resolve().parents[4] / "shared" / "ror-ig"
EXAMPLES = sorted((KIT / "spec" / "examples").glob("*.json")) + sorted(
    (KIT / "spec" / "examples" / "compiled-from-fsh").glob("*.json")
)
BROKEN = sorted((KIT / "validator" / "tests" / "broken").glob("*.json"))
HS_EXAMPLE = KIT / "spec" / "examples" / "HealthcareService-1234564.json"

@pytest.fixture(scope="session")
def terminology() -> Terminology:
    return default_terminology()


@dataclass(frozen=True)
class FakeCheck:
    status: str
    message: str = ""


class FakeTerminology:
    """Knows one code system (care modes 32 and 46, 40 retired); everything else is unknown."""

    SYSTEM = "https://mos.esante.gouv.fr/NOS/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge"

    def check(self, vs: str | None, system: str | None, code: str) -> FakeCheck:
        if vs not in (None, "JDV_J19"):
            return FakeCheck("unknown-valueset")
        if system not in (None, self.SYSTEM):
            return FakeCheck("unknown-system")
        if code == "40":
            return FakeCheck("retired", f"code '{code}' is retired")
        return FakeCheck("ok") if code in ("32", "46") else FakeCheck("unknown-code", "bad")

    def canonical_system(self, system: str) -> str:
        return system.rstrip("/")

    def knows_system(self, system: str) -> bool:
        return system == self.SYSTEM


@pytest.fixture
def fake_terminology() -> FakeTerminology:
    return FakeTerminology()


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def hs() -> dict[str, Any]:
    return load(HS_EXAMPLE)


@pytest.fixture
def example() -> Callable[[str], dict[str, Any]]:
    """A fresh copy of an official example by file name (without directory)."""
    by_name = {p.name: load(p) for p in EXAMPLES}
    return lambda name: copy.deepcopy(by_name[name])
