"""Bed, place and equipment figures of the DREES SAE 2020, per FINESS establishment (ET).

Only the figures the generator uses are kept (a few tens of thousands of small tuples): the
beds and places of each domain, the maternity type and the heavy imaging equipment.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: (file, column of a domain's beds or places, domain key); rows of one ET are summed
_COLUMNS = (
    ("MCO_2020", "LIT_MED", "beds:med"), ("MCO_2020", "LIT_CHI", "beds:chi"),
    ("MCO_2020", "LIT_OBS", "beds:obs"), ("MCO_2020", "PLA_MED", "places:med"),
    ("MCO_2020", "PLA_CHI", "places:chi"), ("SSR_2020", "LIT", "beds:smr"),
    ("SSR_2020", "PLA", "places:smr"), ("PSY_2020", "CAP_HTP", "beds:psy"),
    ("PSY_2020", "CAP_HDJ", "places:psy"), ("USLD_2020", "LIT", "beds:sld"),
    ("HAD_2020", "PLATOT", "places:had"), ("DIALYSE_2020", "CAPA", "places:dialysis"),
)
#: SAE REA unit types -> the J17 activity of such a unit
REA_UNITS = {"REAADU": "127", "REAENF": "130", "SITOT": "351", "SIUNV": "356",
             "USIC": "354", "SURVADU": "373", "SURVENF": "391"}
#: SAE PERINAT authorisation -> J227 maternity type (TRE_R253)
MATERNITY = {"TYPE1": "01", "TYPE2": "02", "TYPE3": "04", "NIV1": "01", "NIV2": "02",
             "NIV3": "04"}
#: SAE IMAGES equipment -> J18 (only the kinds JDV_J18 names)
IMAGING = {"IRM": "054", "MAMM": "094"}


@dataclass
class Facts:
    counts: dict[str, int] = field(default_factory=dict)  # "beds:med" -> 120
    maternity: str = ""
    equipment: dict[str, int] = field(default_factory=dict)  # J18 -> count

    def add(self, key: str, value: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + value


def _rows(directory: Path, name: str) -> Iterator[dict[str, str]]:
    path = directory / f"{name}.csv.gz"
    if not path.exists():
        return
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter=";")


def _int(text: str | None) -> int:
    try:
        return max(0, round(float(text or "")))
    except ValueError:
        return 0


def load(directory: Path) -> dict[str, Facts]:
    """FINESS ET -> its SAE facts (empty when the directory is missing)."""
    facts: dict[str, Facts] = {}

    def of(row: dict[str, str]) -> Facts:
        return facts.setdefault(row["nofinesset"], Facts())

    for name in sorted({c[0] for c in _COLUMNS}):
        columns = [(col, key) for file, col, key in _COLUMNS if file == name]
        for row in _rows(directory, name):
            for col, key in columns:
                if value := _int(row.get(col)):
                    of(row).add(key, value)
    for row in _rows(directory, "REA_2020"):
        if (activity := REA_UNITS.get(row.get("UNI", ""))) and (value := _int(row.get("LIT"))):
            of(row).add(f"beds:{activity}", value)
    for row in _rows(directory, "PERINAT_2020"):
        if level := MATERNITY.get(row.get("AUTOR", "")):
            of(row).maternity = level
    for row in _rows(directory, "IMAGES_2020"):
        if (code := IMAGING.get(row.get("EQUIPIMA", ""))) and (value := _int(row.get("NB"))):
            target = of(row).equipment
            target[code] = target.get(code, 0) + value
    return facts


#: J17 activity -> SAE domain whose beds/places its units share
DOMAINS: dict[str, str] = {
    **dict.fromkeys(("083", "085", "013", "046", "097", "114", "050", "095", "041", "055",
                     "131", "491", "088", "094", "062", "077", "102", "164", "170", "076",
                     "404", "098", "186", "189", "190", "191", "193", "279", "039", "037",
                     "014", "133", "120", "175", "058", "084", "145"), "med"),
    **dict.fromkeys(("025", "033", "022", "031", "016", "103", "018", "030", "096", "023",
                     "032", "017", "178", "466", "467", "468", "469", "436", "440", "121",
                     "506", "492"), "chi"),
    **dict.fromkeys(("100",), "obs"),
    **dict.fromkeys(("172", "233", "234", "235", "236", "237", "238", "240", "241", "244",
                     "245", "246", "283", "513", "520", "522", "523"), "smr"),
    **dict.fromkeys(("229", "227", "228", "051", "231", "355", "230", "003"), "psy"),
    **dict.fromkeys(("333",), "sld"),
    **dict.fromkeys(("059",), "dialysis"),
}
