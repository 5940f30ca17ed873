"""What the generators know about one establishment, and the labels of the codes they use."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from openror.terminology import default_terminology


@dataclass(frozen=True)
class Site:
    """One FINESS establishment (EG), as the synthetic content needs it."""

    finess: str
    name: str
    category: str  # TRE_R66
    region: str  # TRE_R30
    commune: str  # COG code of its place; "" when FINESS gave no usable commune
    address: dict[str, Any] | None
    position: dict[str, Any] | None
    has_place: bool  # the FINESS place (Location) exists
    moment: str  # when the data was entered: creation and capacity update dates

    @property
    def site_ref(self) -> str:
        return f"Organization/eg-{self.finess}"


@cache
def _labels(value_set: str) -> dict[str, str]:
    return {c.code: c.display for c in default_terminology().expand(value_set)}


def label(value_set: str, code: str) -> str:
    """Display of a code in a bundled value set ("" when unknown)."""
    return _labels(value_set).get(code, "")
