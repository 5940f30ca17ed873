"""A server process caps its malloc arenas when it starts and gives freed memory back to the
system at the configured interval (openror.allocator; the allocator's own behaviour is
tested in tests/unit/test_allocator.py). The back-end plays no part: SQLite only."""

from __future__ import annotations

import time
from itertools import pairwise
from pathlib import Path

import pytest

from openror import allocator
from openror.config import Settings
from openror.store.database import Database
from openror.store.migrate import upgrade
from tests.conftest import LiveServer


def _server(tmp_path: Path, **settings: int) -> LiveServer:
    url = f"sqlite:///{tmp_path / 'openror.sqlite'}"
    db = Database(url)
    upgrade(db)
    db.dispose()
    return LiveServer(Settings(data_dir=tmp_path, database_url=url, log_level="WARNING",
                               **settings))


def test_a_server_caps_arenas_and_trims_on_schedule(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    limits: list[int] = []
    trims: list[float] = []
    monkeypatch.setattr(allocator, "limit_arenas", limits.append)
    monkeypatch.setattr(allocator, "trim", lambda: trims.append(time.monotonic()))
    with _server(tmp_path, malloc_arenas=3, memory_trim_interval_seconds=1) as live:
        assert limits == [3]
        time.sleep(2.6)
        with live.client() as client:
            assert client.get("/metadata").status_code == 200
    assert len(trims) in (2, 3)
    assert all(b - a >= 0.9 for a, b in pairwise(trims))


def test_no_trims_when_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trims: list[float] = []
    monkeypatch.setattr(allocator, "trim", lambda: trims.append(time.monotonic()))
    with _server(tmp_path, memory_trim_interval_seconds=0):
        time.sleep(1.5)
    assert trims == []
