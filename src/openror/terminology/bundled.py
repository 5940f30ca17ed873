"""The terminology shipped with OpenROR (``data/``), loaded once per process."""

from __future__ import annotations

import functools
from pathlib import Path

from .release import load_release
from .terminology import Terminology

DATA = Path(__file__).parent / "data"


@functools.cache
def default_terminology() -> Terminology:
    """NOS files, then COG geography, then the spec-encoded lists (newest facts last)."""
    return Terminology(
        (
            load_release([DATA / "nos"], label="NOS 2023 (data/nos)"),
            load_release([DATA / "nos_ror_value_sets.json"],
                         label="NOS 2023 ROR value sets (IG-NOS)"),
            load_release([DATA / "geo"], label="COG 2026 geography"),
            load_release([DATA / "spec_codes.json"], label="ROR IG 0.7.0 (SPEC.md)"),
        )
    )
