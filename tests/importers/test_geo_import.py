"""``openror import geo``: files -> geo tables in one transaction -> gazetteer on top of the
bundled one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from openror.config import Settings
from openror.errors import InvalidInput
from openror.geo import Gazetteer, default_gazetteer
from openror.importers.geo import import_geo
from openror.store import geo_tables
from openror.store.database import Database
from openror.store.migrate import upgrade
from tests.schema_diff import schema_diff
from tests.unit.geo.geo_files import LAPOSTE, LAPOSTE_HEADER, write_all, write_lines


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    url = f"sqlite:///{tmp_path / 'openror.sqlite'}"
    db = Database(url)
    upgrade(db)
    db.dispose()
    yield Settings(data_dir=tmp_path, database_url=url)


def _count(settings: Settings) -> int:
    db = Database(settings.effective_database_url)
    try:
        with db.read() as conn:
            return sum(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                       for t in geo_tables.GEO_TABLES)
    finally:
        db.dispose()


def _loaded(settings: Settings) -> Gazetteer:
    db = Database(settings.effective_database_url)
    try:
        with db.read() as conn:
            return geo_tables.load_gazetteer(conn)
    finally:
        db.dispose()


def test_migration_creates_the_geo_tables(settings: Settings) -> None:
    db = Database(settings.effective_database_url)
    try:
        diff = schema_diff(db)
    finally:
        db.dispose()
    assert [d for d in diff if "geo_" in repr(d)] == []


def test_nothing_imported_is_the_bundle(settings: Settings) -> None:
    assert _loaded(settings) is default_gazetteer()


def test_round_trip(settings: Settings, tmp_path: Path) -> None:
    summary = import_geo(settings, write_all(tmp_path))
    assert summary.startswith("imported geography from 5 files: ")
    g = _loaded(settings)
    laon = g.commune("02408")
    assert laon is not None and laon.name == "Laon-la-Neuve"
    assert (laon.lat, laon.lon) == (49.5, 3.6)
    # Laniscourt is now a commune déléguée of Laon; the bundle alone says it is a commune
    before = default_gazetteer().commune("02407")
    assert before is not None and before.is_current
    laniscourt = g.commune("02407")
    assert laniscourt is not None and laniscourt.kind == "COMD"
    current = g.current("02407")
    assert current is not None and current.code == "02408"
    # the rest of the country still comes from the bundle
    assert g.commune("75056") is not None and len(g) >= len(default_gazetteer())
    found = g.find("02000", "Vaux-sous-Laon")  # a La Poste line 5
    assert found is not None and found.code == "02408"
    found = g.find("02000", "LAON LA NEUVE CEDEX")
    assert found is not None and found.code == "02408"


def test_import_again_replaces(settings: Settings, tmp_path: Path) -> None:
    import_geo(settings, write_all(tmp_path))
    first = _count(settings)
    import_geo(settings, write_all(tmp_path))
    assert _count(settings) == first


def test_postal_file_alone_keeps_the_communes(settings: Settings, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "laposte_hexasmal.csv", LAPOSTE_HEADER,
                       ["02408;LAON;02000;;LAON;49.6,3.7"])
    import_geo(settings, [path])
    laon = _loaded(settings).commune("02408")
    assert laon is not None and laon.name == "Laon" and (laon.lat, laon.lon) == (49.6, 3.7)


@pytest.mark.parametrize("bad", [
    "02408,LAON,02000,,LAON,49.5,3.6",  # wrong separator in a line
    "02408;LAON;02000",  # truncated line
])
def test_bad_input_stores_nothing(settings: Settings, tmp_path: Path, bad: str) -> None:
    files = write_all(tmp_path)
    write_lines(tmp_path / "laposte_hexasmal_2027.csv", LAPOSTE_HEADER, [*LAPOSTE, bad])
    with pytest.raises(InvalidInput) as caught:
        import_geo(settings, files)
    assert caught.value.message.startswith("line 5, field ")
    assert _count(settings) == 0


def test_latin1_stores_nothing(settings: Settings, tmp_path: Path) -> None:
    import_geo(settings, write_all(tmp_path))
    before = _count(settings)
    path = write_lines(tmp_path / "laposte_hexasmal_2027.csv", LAPOSTE_HEADER, LAPOSTE,
                       encoding="latin-1")
    with pytest.raises(InvalidInput, match=r"^line 1, field .*not UTF-8"):
        import_geo(settings, [path])
    assert _count(settings) == before
