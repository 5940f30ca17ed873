"""Geography imported into the database is what the server and the importers use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openror.config import Settings
from openror.geo import current_gazetteer, default_gazetteer, use_gazetteer
from openror.importers.geo import import_geo
from openror.services.container import Services
from openror.store.database import Database


@pytest.fixture(autouse=True)
def restore_gazetteer() -> Iterator[None]:
    yield
    use_gazetteer(default_gazetteer())


def test_imported_coordinates_replace_the_bundled_ones(db: Database, database_url: str,
                                                       tmp_path: Path) -> None:
    bundled = default_gazetteer().point("02408")
    assert bundled is not None
    laposte = tmp_path / "laposte_hexasmal_test.csv"
    laposte.write_text(
        "Code_commune_INSEE;Nom_commune;Code_postal;Ligne_5;Libellé_d_acheminement;"
        "coordonnees_gps\n02408;LAON;02000;;LAON;49.5,3.5\n", encoding="utf-8")
    settings = Settings(database_url=database_url, data_dir=tmp_path)
    import_geo(settings, [laposte])
    services = Services.open(settings)
    try:
        assert current_gazetteer().point("02408") == (49.5, 3.5)
    finally:
        services.close()
