"""Regenerate ``src/openror/terminology/data`` from ``../shared/data``.

Copies the NOS files (tabs/, extracted/, fhir/) unchanged and derives compact geography value
sets from the decoupage-administratif (COG 2026) JSON:

- JDV_J124-Commune (TRE_R13-CommuneOM): every current commune, municipal arrondissement,
  commune déléguée and commune associée; each code listed in ``anciensCodes`` that is no longer
  current becomes a retired concept labelled with the commune that absorbed it.
- JDV_J237-RegionOM-ROR (TRE_R30-RegionOM) and JDV_J248-DepartementOM-ROR (TRE_G09-DepartementOM).

Usage: ``python tools/build_terminology_data.py [--shared ../shared/data]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "openror" / "terminology" / "data"
FORMAT = "openror-terminology/1"
GEO = "geo/decoupage_administratif_2026"
SOURCE = "npm:@etalab/decoupage-administratif@6.0.0 (COG 2026), Licence Ouverte"
# Prefer the current commune when several entries share a code (a commune déléguée often
# keeps the code of the new commune).
TYPE_RANK = {"commune-actuelle": 0, "arrondissement-municipal": 1, "commune-deleguee": 2,
             "commune-associee": 3}


def read(shared: Path, name: str) -> list[dict[str, Any]]:
    with gzip.open(shared / GEO / name, "rt", encoding="utf-8") as f:
        data: list[dict[str, Any]] = json.load(f)
    return data


def communes(shared: Path) -> list[list[Any]]:
    entries = sorted(read(shared, "communes.json.gz"), key=lambda c: TYPE_RANK[c["type"]])
    current: dict[str, str] = {}
    for c in entries:
        current.setdefault(c["code"], c["nom"])
    retired: dict[str, str] = {}
    for c in entries:
        for old in c.get("anciensCodes", ()):
            if old not in current:
                retired.setdefault(old, f"{c['nom']} (ancien code, commune {c['code']})")
    rows: list[list[Any]] = [[code, nom] for code, nom in sorted(current.items())]
    return rows + [[code, nom, 1] for code, nom in sorted(retired.items())]


def value_set(name: str, system: str, concepts: list[list[Any]], note: str) -> dict[str, Any]:
    return {"name": name, "version": "COG-2026", "source": f"{SOURCE}; {note}",
            "include": [{"system": system, "concepts": concepts}]}


def write_geo(shared: Path) -> None:
    regions = [[r["code"], r["nom"]] for r in read(shared, "regions.json.gz")]
    departments = [[d["code"], d["nom"]] for d in read(shared, "departements.json.gz")]
    doc = {
        "format": FORMAT,
        "label": "Geography value sets derived from the COG 2026",
        "value_sets": [
            value_set("JDV_J124-Commune", "TRE_R13-CommuneOM", communes(shared),
                      "anciensCodes become retired concepts"),
            value_set("JDV_J237-RegionOM-ROR", "TRE_R30-RegionOM", regions, "regions.json"),
            value_set("JDV_J248-DepartementOM-ROR", "TRE_G09-DepartementOM", departments,
                      "departements.json"),
        ],
    }
    target = OUT / "geo" / "geo-cog2026.json.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    target.write_bytes(gzip.compress(raw, mtime=0))


def copy_nos(shared: Path) -> None:
    for sub in ("tabs", "extracted", "fhir"):
        dest = OUT / "nos" / sub
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(shared / "nos" / sub, dest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    copy_nos(args.shared)
    write_geo(args.shared)


if __name__ == "__main__":
    main()
