"""Small geography source files in the real formats, written to a directory."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

V_COMMUNE_HEADER = ('"TYPECOM","COM","REG","DEP","CTCD","ARR","TNCC","NCC","NCCENR","LIBELLE",'
                    '"CAN","COMPARENT"')
V_MVT_HEADER = ('"MOD","DATE_EFF","TYPECOM_AV","COM_AV","TNCC_AV","NCC_AV","NCCENR_AV",'
                '"LIBELLE_AV","TYPECOM_AP","COM_AP","TNCC_AP","NCC_AP","NCCENR_AP","LIBELLE_AP"')
LAPOSTE_HEADER = ("Code_commune_INSEE;Nom_commune;Code_postal;Ligne_5;"
                  "Libellé_d_acheminement;coordonnees_gps")

#: a newer COG in which Laon (02408) absorbed Laniscourt (02407) and took a new name
COMMUNES: list[dict[str, Any]] = [
    {"code": "02408", "nom": "Laon-la-Neuve", "departement": "02", "region": "32",
     "type": "commune-actuelle", "codesPostaux": ["02000"], "anciensCodes": ["02407"]},
    {"code": "02407", "nom": "Laniscourt", "departement": "02", "region": "32",
     "type": "commune-deleguee", "chefLieu": "02408"},
    {"code": "97302", "nom": "Cayenne", "departement": "973", "region": "03",
     "type": "commune-actuelle", "codesPostaux": ["97300"]},
]
DEPARTEMENTS = [{"code": "02", "region": "32", "chefLieu": "02408", "nom": "Aisne"}]
REGIONS = [{"code": "32", "chefLieu": "59350", "nom": "Hauts-de-France"}]
LAPOSTE = [
    "02408;LAON;02000;;LAON;49.5,3.6",
    "02408;LAON;02000;VAUX SOUS LAON;LAON;49.5,3.6",
    "97302;CAYENNE;97300;;CAYENNE;5.0,-52.5",
]
MVT = ['"32","2027-01-01","COM","02407","0","LANISCOURT","Laniscourt","Laniscourt","COM",'
       '"02408","0","LAON","Laon","Laon"']


def write_json(path: Path, items: list[dict[str, Any]]) -> Path:
    # one entry per line, like the decoupage-administratif files
    text = "[\n" + ",\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n]\n"
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def write_lines(path: Path, header: str, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join([header, *lines]) + "\r\n").encode(encoding))
    return path


def write_all(directory: Path) -> list[Path]:
    return [
        write_json(directory / "communes.json.gz", COMMUNES),
        write_json(directory / "departements.json", DEPARTEMENTS),
        write_json(directory / "regions.json", REGIONS),
        write_lines(directory / "laposte_hexasmal_2027.csv", LAPOSTE_HEADER, LAPOSTE),
        write_lines(directory / "v_mvt_commune_2027.csv", V_MVT_HEADER, MVT),
    ]
