"""``openror import geo PATH…``: load newer geography (INSEE COG, decoupage-administratif,
La Poste) into the database, on top of the bundled gazetteer.

Every file is parsed and the gazetteer assembled before anything is stored; the geo tables are
then replaced in one transaction, so bad input changes nothing. Whatever the files do not give
(postal codes, coordinates, names of former codes) is kept from the gazetteer in use. Servers
pick the new geography up when they (re)start.
"""

from __future__ import annotations

from pathlib import Path

from openror.config import Settings
from openror.geo.assemble import assemble
from openror.geo.sources import parse_paths
from openror.store import geo_tables
from openror.store.database import Database


def import_geo(settings: Settings, paths: list[Path]) -> str:
    sources = parse_paths(paths)
    db = Database(settings.effective_database_url)
    try:
        with db.read() as conn:
            base = geo_tables.load_gazetteer(conn)
        rows = assemble(sources, base)
        with db.write() as conn:
            geo_tables.replace_all(conn, rows)
    finally:
        db.dispose()
    return f"imported geography from {len(sources.files)} files: {rows.counts()}"
