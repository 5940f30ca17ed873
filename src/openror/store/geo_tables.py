"""Geography loaded by ``openror import geo`` (newer COG / La Poste files), stacked on the
bundled gazetteer when the server starts. Reference data, not derived from resources: these
tables are replaced as a whole by each import."""

from __future__ import annotations

import sqlalchemy as sa

from openror.geo import Commune, Departement, Gazetteer, GeoRows, PostalName, Region
from openror.geo import default_gazetteer as bundled_gazetteer
from openror.store.schema import metadata

geo_region = sa.Table(
    "geo_region",
    metadata,
    sa.Column("code", sa.String(3), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("chef_lieu", sa.String(5), nullable=False),
)

geo_departement = sa.Table(
    "geo_departement",
    metadata,
    sa.Column("code", sa.String(3), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("region", sa.String(3), nullable=False),
    sa.Column("chef_lieu", sa.String(5), nullable=False),
)

geo_commune = sa.Table(
    "geo_commune",
    metadata,
    sa.Column("code", sa.String(5), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(4), nullable=False),  # COM, COMD, COMA, ARM
    sa.Column("departement", sa.String(3), nullable=False),
    sa.Column("region", sa.String(3), nullable=False),
    sa.Column("lat", sa.Float, nullable=True),
    sa.Column("lon", sa.Float, nullable=True),
    sa.Column("postal_codes", sa.String(255), nullable=False),  # space-separated
    sa.Column("current_code", sa.String(5), nullable=False),
    sa.Column("parent", sa.String(5), nullable=False),
)

#: names other than the commune's own under a postal code (La Poste names, lines 5, routing
#: labels); the postal codes of a commune are in geo_commune.postal_codes
geo_postal_code = sa.Table(
    "geo_postal_code",
    metadata,
    sa.Column("postal_code", sa.String(5), primary_key=True),
    sa.Column("commune_code", sa.String(5), primary_key=True),
    sa.Column("name", sa.String(100), primary_key=True),
)
sa.Index("ix_geo_postal_code_commune", geo_postal_code.c.commune_code)

GEO_TABLES = (geo_postal_code, geo_commune, geo_departement, geo_region)


def replace_all(conn: sa.Connection, rows: GeoRows) -> None:
    """Replace the stored geography; the caller's transaction makes it all or nothing."""
    for table in GEO_TABLES:
        conn.execute(table.delete())
    _insert(conn, geo_region, [
        {"code": r.code, "name": r.name, "chef_lieu": r.chef_lieu} for r in rows.regions])
    _insert(conn, geo_departement, [
        {"code": d.code, "name": d.name, "region": d.region, "chef_lieu": d.chef_lieu}
        for d in rows.departements])
    _insert(conn, geo_commune, [_commune_row(c) for c in rows.communes])
    _insert(conn, geo_postal_code, [
        {"postal_code": p.postal_code, "commune_code": p.commune_code, "name": p.name}
        for p in rows.postal_names])


def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, object]]) -> None:
    if rows:  # executemany with an empty list is an error
        conn.execute(table.insert(), rows)


def _commune_row(c: Commune) -> dict[str, object]:
    return {"code": c.code, "name": c.name, "kind": c.kind, "departement": c.departement,
            "region": c.region, "lat": c.lat, "lon": c.lon,
            "postal_codes": " ".join(c.postal_codes), "current_code": c.current_code,
            "parent": c.parent}


def load_rows(conn: sa.Connection) -> GeoRows:
    regions = conn.execute(sa.select(geo_region).order_by(geo_region.c.code))
    deps = conn.execute(sa.select(geo_departement).order_by(geo_departement.c.code))
    communes = conn.execute(sa.select(geo_commune).order_by(geo_commune.c.code))
    names = conn.execute(sa.select(geo_postal_code))
    return GeoRows(
        regions=tuple(Region(r.code, r.name, r.chef_lieu) for r in regions),
        departements=tuple(Departement(d.code, d.name, d.region, d.chef_lieu) for d in deps),
        communes=tuple(
            Commune(c.code, c.name, c.kind, c.departement, c.region, c.lat, c.lon,
                    tuple(c.postal_codes.split()), c.current_code, c.parent)
            for c in communes),
        postal_names=tuple(PostalName(p.postal_code, p.commune_code, p.name) for p in names),
    )


def load_gazetteer(conn: sa.Connection) -> Gazetteer:
    """The bundled gazetteer with the imported geography on top (the bundle alone when nothing
    was imported)."""
    rows = load_rows(conn)
    bundled = bundled_gazetteer()
    if not (rows.communes or rows.departements or rows.regions or rows.postal_names):
        return bundled
    return bundled.with_rows(rows, label="bundled + imported geography")
