"""Each FINESS layout parses to records the write path accepts; malformed input → rejects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from openror.importers.base import Key, Record, Reject
from openror.importers.checks import check_record
from openror.importers.finess import FinessSource
from openror.importers.finess_model import SYSTEM_FINESS, SYSTEM_PLACE
from openror.terminology import default_terminology

DATA = Path(__file__).parent / "data" / "finess"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "finess"
GUYANE = SHARED / "fhir" / "finess-fhir-973-guyane.ndjson"
ETALAB = SHARED / "etalab_sample" / "etalab_small_20201231.csv"
TARBALL = SHARED / "fhir" / "etab90001-95541.tar.gz"

HEADER = ("nofinesset;nofinessej;rs;rslongue;complrs;compldistrib;numvoie;typvoie;voie;compvoie;"
          "lieuditbp;region;libregion;departement;libdepartement;cog;codepostal;libelle_routage;"
          "ligneacheminement;telephone;telecopie;categetab;libcategetab;liblongcategetab;"
          "categretab;libcategretab;siret;codeape;libcodeape;mft;libmft;liblongmft;sph;libsph;"
          "numen;coordx;coordy;sourcegeocod;dategeocod;dateautor;dateouvert;datemaj")
GOOD = ("010000024;010780054;CH DE FLEYRIAT;CENTRE HOSPITALIER FLEYRIAT;;;900;RTE;DE PARIS;;;84;"
        "ARA;01;AIN;01451;01440;VIRIAT;01440 VIRIAT;04 74 45 46 47;;355;C.H.;Centre Hospitalier;"
        "1102;CH;26010004500012;8610Z;x;03;ARS;ARS;1;public;;870215.7;6571590.5;"
        "1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2021-01-04;1979-02-13;1979-02-13;"
        "2020-02-04")


def parse(path: Path) -> list[Record | Reject]:
    return list(FinessSource().parse([path]))


def records(items: list[Record | Reject]) -> list[Record]:
    return [i for i in items if isinstance(i, Record)]


def rejects(items: list[Record | Reject]) -> list[str]:
    return [str(i) for i in items if isinstance(i, Reject)]


def assert_all_valid(found: list[Record]) -> None:
    terminology = default_terminology()
    errors = [str(e) for r in found for e in check_record(r, terminology)[0]]
    assert errors == []


def headered(tmp_path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "etalab.csv"
    path.write_bytes(("\n".join((HEADER, *lines)) + "\n").encode(encoding))
    return path


def replace(line: str, index: int, value: str) -> str:
    fields = line.split(";")
    fields[index] = value
    return ";".join(fields)


def test_guyane_fhir_ndjson_all_accepted() -> None:
    items = parse(GUYANE)
    assert rejects(items) == []
    found = records(items)
    assert_all_valid(found)
    kinds = [(r.type, r.rank) for r in found]
    assert kinds.count(("Organization", 1)) == 221
    assert kinds.count(("Location", 0)) == 221
    place = next(r.resource for r in found if r.key == Key(SYSTEM_PLACE, "970300026"))
    assert place["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "97302"
    assert place["position"] == pytest.approx({"latitude": 4.923644, "longitude": -52.319787},
                                              abs=1e-5)
    # sites and places are in Guyane; a few legal entities are in Paris or Île-de-France
    assert {r.scope for r in found if r.rank == 1 or r.type == "Location"} == {"973"}


def test_fhir_tarball_is_streamed(tmp_path: Path) -> None:
    items = parse(TARBALL)
    assert len(rejects(items)) < 0.001 * len(items)
    assert len(records(items)) > 10_000


def test_etalab_headered_sample_all_accepted() -> None:
    items = parse(ETALAB)
    assert rejects(items) == []
    found = records(items)
    assert_all_valid(found)
    assert sum(1 for r in found if r.rank == 1) == 100
    site = next(r for r in found if r.key == Key(SYSTEM_FINESS, "010000024"))
    assert site.resource["partOf"]["identifier"]["value"] == "010780054"
    assert site.resource["alias"] == ["CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT"]
    assert "contact" not in site.owned and "telecom" in site.owned


def test_historical_csv_latin1_with_separate_geolocation() -> None:
    items = parse(DATA / "historical.csv")
    assert rejects(items) == []
    found = records(items)
    assert_all_valid(found)
    places = {r.key.value: r.resource for r in found if r.type == "Location"}
    assert places["2A0000022"]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] \
        == "2A004"
    assert places["2A0000022"]["position"] == pytest.approx(
        {"latitude": 41.922993, "longitude": 8.735141}, abs=1e-5)
    assert places["970300026"]["position"] == pytest.approx(
        {"latitude": 4.923644, "longitude": -52.319787}, abs=1e-5)
    site = next(r for r in found if r.key == Key(SYSTEM_FINESS, "2A0000022"))
    assert site.resource["alias"] == ["CENTRE HOSPITALIER NOTRE-DAME DE LA MISÉRICORDE"]
    assert site.scope == "2A"


def test_json_structures_layout() -> None:
    items = parse(DATA / "structures.json")
    assert rejects(items) == []
    found = records(items)
    assert_all_valid(found)
    ej = next(r for r in found if r.key == Key(SYSTEM_FINESS, "010780054"))
    assert ej.rank == 0 and ej.resource["name"] == "CENTRE HOSPITALIER DE BOURG EN BRESSE"
    assert {"name", "type", "address", "telecom"} <= ej.owned
    closed = next(r for r in found if r.key == Key(SYSTEM_FINESS, "010009991")).resource
    period = next(e for e in closed["extension"] if e["url"].endswith("organization-period"))
    assert period["valuePeriod"] == {"start": "1982-03-04", "end": "1993-01-01"}
    assert any(e["url"].endswith("ror-organization-closing-type") for e in closed["extension"])
    place = next(r for r in found if r.key == Key(SYSTEM_PLACE, "010009991")).resource
    assert place["operationalStatus"]["code"] == "FD"
    assert place["position"] == {"latitude": 46.222745, "longitude": 5.208596}


def test_headered_latin1_is_decoded(tmp_path: Path) -> None:
    line = replace(GOOD, 2, "CH DE FLÉYRIAT")
    found = records(parse(headered(tmp_path, line, encoding="iso-8859-1")))
    assert found[1].resource["name"] == "CH DE FLÉYRIAT"


@pytest.mark.parametrize(("index", "value", "expected"), [
    (0, "010000025", "line 2, field nofinesset: check digit"),
    (1, "01078005", "line 2, field nofinessej: '01078005' has 8 characters"),
    (26, "26010004500013", "line 2, field siret: check digit"),
    (21, "999", "line 2, field categetab: code '999' is not in JDV_J55"),
    (40, "1979-13", "line 2, field dateouvert: '1979-13' is not a date"),
])
def test_bad_fields_reject_the_site(tmp_path: Path, index: int, value: str,
                                    expected: str) -> None:
    items = parse(headered(tmp_path, replace(GOOD, index, value)))
    assert [r for r in rejects(items) if r.startswith(expected)] != []
    assert not any(r.rank == 1 for r in records(items))


@pytest.mark.parametrize(("index", "value", "expected"), [
    (35, "-870215.7", "line 2, field coordx/coordy: "),
    (35, "abc", "line 2, field coordx/coordy: ('abc', '6571590.5') are not numbers"),
    (37, "1,IGN,LAMBERT_II", "line 2, field coordx/coordy: unknown projection 'LAMBERT_II'"),
])
def test_bad_coordinates_reject_the_place_only(tmp_path: Path, index: int, value: str,
                                              expected: str) -> None:
    items = parse(headered(tmp_path, replace(GOOD, index, value)))
    assert rejects(items)[0].startswith(expected)
    assert [r.type for r in records(items)] == ["Organization", "Organization"]


def test_outside_france_says_so(tmp_path: Path) -> None:
    items = parse(headered(tmp_path, replace(GOOD, 36, "8571590.5")))
    assert "outside France" in rejects(items)[0]


def test_unknown_commune_rejects_the_place(tmp_path: Path) -> None:
    line = replace(replace(GOOD, 15, ""), 18, "01440 NOWHERE ATALL")
    assert rejects(parse(headered(tmp_path, line))) == [
        "line 2, field commune: commune '01440 NOWHERE ATALL' is unknown; give its COG code"]


def test_truncated_line_and_duplicates(tmp_path: Path) -> None:
    truncated = ";".join(GOOD.split(";")[:20])
    items = parse(headered(tmp_path, GOOD, truncated, GOOD))
    assert rejects(items) == [
        "line 3, field telephone: 20 fields; expected 42 (truncated line?)",
        "line 4, field nofinesset: duplicate of line 2"]


def test_wrong_separator(tmp_path: Path) -> None:
    path = tmp_path / "comma.csv"
    path.write_text(HEADER.replace(";", ",") + "\n" + GOOD.replace(";", ",") + "\n")
    assert rejects(parse(path)) == [
        "line 1, field layout: fields are separated by ','; FINESS files use ';'"]
    items = parse(headered(tmp_path, GOOD.replace(";", "\t")))
    assert rejects(items) == [
        "line 2, field nofinesset: fields are separated by '\\t'; FINESS files use ';'"]


def test_historical_malformed_lines(tmp_path: Path) -> None:
    source = (DATA / "historical.csv").read_bytes().decode("iso-8859-1").splitlines()
    lines = [*source[:2], source[1], "structureet;010000032;010780062;CH", "autre;x;y",
             *source[2:]]
    path = tmp_path / "etalab-cs1100507-stock.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("iso-8859-1"))
    assert rejects(parse(path)) == [
        "line 3, field nofinesset: duplicate of line 2",
        "line 4, field structureet: 4 fields; expected 32 (truncated line?)",
        "line 5, field section: unknown line type 'autre'; expected structureet or "
        "geolocalisation"]


def test_bad_json_and_unknown_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"pmej": [{"informationsGeneralesPmej": {"numFinessPm": ')
    assert rejects(parse(broken))[0].startswith("line 0, field json: not a FINESS structures")
    other = tmp_path / "other.txt"
    other.write_text("hello world\n")
    assert rejects(parse(other))[0].startswith("line 1, field layout: unknown layout")
    assert rejects(parse(tmp_path / "missing.csv"))[0].startswith("line 0, field file:")


def test_ndjson_bad_lines(tmp_path: Path) -> None:
    lines = GUYANE.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "f.ndjson"
    path.write_text("\n".join([lines[0], lines[1], "{not json", lines[0],
                               '{"resourceType": "Patient"}']) + "\n")
    found = rejects(parse(path))
    assert found[0].startswith("line 3, field json: not JSON")
    assert found[1] == "line 4, field id: duplicate of line 1"
    assert found[2].startswith("line 5, field resourceType: unexpected Patient")


def test_files_are_independent(tmp_path: Path) -> None:
    copy = tmp_path / "copy.ndjson"
    shutil.copy(GUYANE, copy)
    items = list(FinessSource().parse([GUYANE, copy]))
    assert rejects(items) == []
