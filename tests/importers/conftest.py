"""Fixtures of the import tests: the services of one instance on a fresh database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openror.config import Settings
from openror.services.container import Services
from openror.store.database import Database


@pytest.fixture
def services(db: Database, database_url: str, tmp_path: Path) -> Iterator[Services]:
    opened = Services.open(Settings(database_url=database_url, data_dir=tmp_path))
    yield opened
    opened.close()
