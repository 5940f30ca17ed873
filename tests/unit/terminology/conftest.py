"""Shared fixtures: the bundled terminology and small NOS files written to tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from openror.terminology import Terminology, default_terminology

TABS_HEADER = (
    "<OID>;<Type fichier>;<Nom fichier>;<Description>;<URL fichier>;"
    "<Date valid>;<Date fin>;<Date MàJ>\n"
)


@pytest.fixture(scope="session")
def term() -> Terminology:
    return default_terminology()


def _write_tabs(path: Path, name: str, rows: list[str], updated: str = "20260101120000") -> Path:
    meta = (f"1.2.250.1.213.3.4.1;JDV;{name}.tabs;test;https://mos.esante.gouv.fr/NOS/{name};"
            f"20160901000000;;{updated}\n")
    path.write_text(TABS_HEADER + meta + "<OID>;<Code>;<Libellé>\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    return path


@pytest.fixture
def write_tabs() -> Callable[..., Path]:
    """``write_tabs(path, jdv_name, rows)`` writes a NOS .tabs file with the 3 header lines."""
    return _write_tabs
