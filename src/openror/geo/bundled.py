"""The geography shipped with OpenROR (``data/geo.json.gz``), loaded once per process.

The bundle stores the rows column by column (one JSON list per field), which compresses about
twice as well as a list of rows; coordinates are integers in 1e-4 degree (about 11 m).
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path
from typing import Any

from .gazetteer import Gazetteer
from .model import Commune, Departement, GeoRows, PostalName, Region

DATA = Path(__file__).parent / "data"
BUNDLE = DATA / "geo.json.gz"
FORMAT = "openror-geo/1"
_SCALE = 10_000
_COLUMNS = ("code", "name", "kind", "departement", "region", "lat", "lon", "postal_codes",
            "current_code", "parent")


@functools.cache
def default_gazetteer() -> Gazetteer:
    doc = json.loads(gzip.decompress(BUNDLE.read_bytes()))
    return Gazetteer(rows_from_json(doc), doc.get("label", ""))


def _scaled(value: float | None) -> int | None:
    return None if value is None else round(value * _SCALE)


def _unscaled(value: int | None) -> float | None:
    return None if value is None else value / _SCALE


def rows_to_json(rows: GeoRows, label: str, sources: list[str]) -> dict[str, Any]:
    cs = rows.communes
    columns: dict[str, list[Any]] = {
        "code": [c.code for c in cs], "name": [c.name for c in cs],
        "kind": [c.kind for c in cs], "departement": [c.departement for c in cs],
        "region": [c.region for c in cs],
        "lat": [_scaled(c.lat) for c in cs], "lon": [_scaled(c.lon) for c in cs],
        "postal_codes": [" ".join(c.postal_codes) for c in cs],
        # "" = the commune itself, the usual case
        "current_code": ["" if c.is_current else c.current_code for c in cs],
        "parent": [c.parent for c in cs],
    }
    return {
        "format": FORMAT, "label": label, "sources": sources,
        "regions": [[r.code, r.name, r.chef_lieu] for r in rows.regions],
        "departements": [[d.code, d.name, d.region, d.chef_lieu] for d in rows.departements],
        "communes": columns,
        "postal_names": [[p.postal_code, p.commune_code, p.name] for p in rows.postal_names],
    }


def rows_from_json(doc: dict[str, Any]) -> GeoRows:
    if doc.get("format") != FORMAT:
        raise ValueError(f"not an {FORMAT} document")
    cols = doc["communes"]
    communes = tuple(
        Commune(code, name, kind, dep, reg, _unscaled(lat), _unscaled(lon),
                tuple(cps.split()), current or code, parent)
        for code, name, kind, dep, reg, lat, lon, cps, current, parent
        in zip(*(cols[c] for c in _COLUMNS), strict=True)
    )
    return GeoRows(
        regions=tuple(Region(*r) for r in doc["regions"]),
        departements=tuple(Departement(*d) for d in doc["departements"]),
        communes=communes,
        postal_names=tuple(PostalName(*p) for p in doc["postal_names"]),
    )
