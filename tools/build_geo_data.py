"""Regenerate ``src/openror/geo/data/geo.json.gz`` from ``../shared/data/geo``.

Communes, départements and régions from the COG 2026 (``@etalab/decoupage-administratif``
6.0.0), former codes from its ``anciensCodes`` and the COG 2024 movements
(``v_mvt_commune_2024``), names of former codes from ``v_commune_2024``, postal names and
coordinates from La Poste (2020). The parsing and assembly are those of ``openror import geo``
(``openror.geo.sources`` and ``openror.geo.assemble``).

Usage: ``python tools/build_geo_data.py [--shared ../shared/data]``
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from openror.geo.assemble import assemble
from openror.geo.bundled import BUNDLE, rows_to_json
from openror.geo.sources import parse_paths

ROOT = Path(__file__).resolve().parents[1]
FILES = (
    "decoupage_administratif_2026/communes.json.gz",
    "decoupage_administratif_2026/departements.json.gz",
    "decoupage_administratif_2026/regions.json.gz",
    "cog_insee_2024/v_commune_2024.csv.gz",
    "cog_insee_2024/v_mvt_commune_2024.csv.gz",
    "laposte/laposte_hexasmal_2020.csv.gz",
)
LABEL = "COG 2026 (decoupage-administratif 6.0.0) + COG 2024 movements + La Poste 2020"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    sources = parse_paths([args.shared / "geo" / name for name in FILES])
    rows = assemble(sources)
    doc = rows_to_json(rows, LABEL, list(FILES))
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    BUNDLE.parent.mkdir(parents=True, exist_ok=True)
    BUNDLE.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    print(f"{BUNDLE.relative_to(ROOT)}: {rows.counts()}, {BUNDLE.stat().st_size} bytes")


if __name__ == "__main__":
    main()
