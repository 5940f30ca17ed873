"""The open-data publication (docs/admin/opendata.md): what access profile 0 may read, as
ndjson per resource type (the export engine, in one snapshot) and CSV, with a manifest and a
README giving the snapshot's time.

``OUT/current`` is a symbolic link to the latest complete publication, ``OUT/<time>/``. A new
one is written in a hidden directory, renamed when complete, and the link is then replaced in
one step: a reader of ``current`` sees the previous publication or the new one, never half of
one. The previous publication is kept (a download under way finishes); older ones go.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from openror.access.caller import Caller
from openror.fhir.resource_types import REGISTRY
from openror.services.metadata import fhir_instant
from openror.store.database import Database
from openror.sync.export import engine
from openror.sync.export.files import OutputFile
from openror.sync.export.request import ExportRequest
from openror.sync.opendata_csv import write_csv

#: the caller open data is read as: access profile 0, every region
PUBLIC = Caller("opendata", 0)
CURRENT = "current"
KEEP = 2  # the publication just made and the one before


@dataclass(frozen=True)
class Publication:
    directory: Path
    transaction_time: datetime
    files: list[dict[str, object]]


def publish(db: Database, out: Path, *, max_per_file: int, base: str = "") -> Publication:
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    partial = out / f".{stamp}.partial"
    try:
        result = engine.run(db, PUBLIC, ExportRequest(tuple(REGISTRY)), partial,
                            base=base, max_per_file=max_per_file)
        files = _with_csv(partial, result.files)
        _describe(partial, result.transaction_time, files)
        final = out / stamp
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    _point_current(out, stamp)
    _prune(out, stamp)
    return Publication(final, result.transaction_time, files)


def _with_csv(directory: Path, written: list[OutputFile]) -> list[dict[str, object]]:
    files: list[dict[str, object]] = []
    for f in written:
        files.append({"type": f.type, "name": f.name, "format": "ndjson", "count": f.count})
    for rtype in dict.fromkeys(f.type for f in written):
        name = f"{rtype}.csv"
        count = write_csv(rtype, [directory / f.name for f in written if f.type == rtype],
                          directory / name)
        files.append({"type": rtype, "name": name, "format": "csv", "count": count})
    for entry in files:
        entry["bytes"] = (directory / str(entry["name"])).stat().st_size
    return files


def _describe(directory: Path, at: datetime, files: list[dict[str, object]]) -> None:
    manifest = {"transactionTime": fhir_instant(at), "accessProfile": 0, "files": files}
    (directory / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    lines = [f"- `{f['name']}` : {f['count']} ressources {f['type']} ({f['format']})"
             for f in files]
    (directory / "README.md").write_text(README.format(
        at=fhir_instant(at), files="\n".join(lines)), encoding="utf-8")


def _point_current(out: Path, stamp: str) -> None:
    link = out / f".{CURRENT}.{stamp}"
    link.symlink_to(stamp, target_is_directory=True)
    os.replace(link, out / CURRENT)  # one rename: readers see the old or the new link


def _prune(out: Path, stamp: str) -> None:
    made = sorted(p.name for p in out.iterdir() if p.is_dir() and not p.is_symlink()
                  and not p.name.startswith("."))
    for name in made[:-KEEP]:
        if name != stamp:
            shutil.rmtree(out / name, ignore_errors=True)


README = """# Offre de santé et médico-sociale — données ouvertes (OpenROR)

Instantané des données du répertoire visibles en accès libre (profil d'accès 0) au
**{at}** (UTC) : un seul instant pour tous les fichiers.

Les données confidentielles (contacts et télécoms non publics, unités sensibles, capacités,
équipements, données personnelles des professionnels hors offre de ville) n'y figurent pas.

## Fichiers

{files}

- `*.ndjson` : une ressource FHIR R4 (profils ROR 0.7.0) par ligne ;
- `*.csv` : une ligne par ressource, colonnes séparées par `;`, encodage UTF-8 (avec BOM),
  plusieurs valeurs dans une cellule séparées par ` | ` ;
- `manifest.json` : la liste des fichiers, leurs tailles et l'instant de l'instantané.

La description des colonnes est dans la documentation d'OpenROR (docs/admin/opendata.md).
"""
