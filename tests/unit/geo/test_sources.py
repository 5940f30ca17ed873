"""Parsing source files: what is read, and bad input named by line and field."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from openror.errors import InvalidInput
from openror.geo.assemble import assemble
from openror.geo.sources import parse_paths

from .geo_files import (
    COMMUNES,
    LAPOSTE,
    LAPOSTE_HEADER,
    V_COMMUNE_HEADER,
    V_MVT_HEADER,
    write_all,
    write_json,
    write_lines,
)


def _error(paths: list[Path]) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_paths(paths)
    return caught.value.message


def test_parse_a_directory(tmp_path: Path) -> None:
    write_all(tmp_path)
    sources = parse_paths([tmp_path])
    assert len(sources.files) == 5
    assert [e.code for e in sources.communes] == ["02408", "02407", "97302"]
    assert sources.communes[0].former_codes == ("02407",)
    assert sources.postal[1].line5 == "VAUX SOUS LAON"
    assert sources.movements[0].old_code == "02407"


def test_assemble_without_base(tmp_path: Path) -> None:
    rows = assemble(parse_paths(write_all(tmp_path)))
    by_code = {c.code: c for c in rows.communes}
    assert by_code["02407"].kind == "COMD" and by_code["02407"].current_code == "02408"
    assert by_code["02407"].postal_codes == ("02000",)  # its chef-lieu's
    assert (by_code["02407"].lat, by_code["02407"].lon) == (49.5, 3.6)  # its chef-lieu's
    assert [p.name for p in rows.postal_names] == ["LAON", "VAUX SOUS LAON"]


def test_v_commune_csv(tmp_path: Path) -> None:
    lines = ['"COM","02408","32","02","02D","022","0","LAON","Laon","Laon","0210",""',
             '"COMD","02407","","","","","0","LANISCOURT","Laniscourt","Laniscourt","","02408"']
    path = write_lines(tmp_path / "v_commune_2027.csv", V_COMMUNE_HEADER, lines)
    rows = assemble(parse_paths([path]))
    laniscourt = next(c for c in rows.communes if c.code == "02407")
    assert (laniscourt.departement, laniscourt.region, laniscourt.parent) == ("02", "32", "02408")


def test_wrong_separator(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "laposte_hexasmal.csv", LAPOSTE_HEADER.replace(";", ","),
                       [line.replace(";", ",") for line in LAPOSTE])
    assert _error([path]).startswith("line 1, field header: columns are separated by ','")


def test_truncated_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "laposte_hexasmal.csv", LAPOSTE_HEADER,
                       [LAPOSTE[0], "02408;LAON;02000"])
    message = _error([path])
    assert message.startswith("line 3, field Ligne_5: missing: the line has 3 fields")
    assert "laposte_hexasmal.csv" in message


def test_latin1_file(tmp_path: Path) -> None:
    lines = ['"COM","02408","32","02","02D","022","0","LAON","Laon","Laon","0210",""',
             '"COM","01004","84","01","01D","011","1","AMBERIEU","Ambérieu","Ambérieu","0101",""']
    path = write_lines(tmp_path / "v_commune_2027.csv", V_COMMUNE_HEADER, lines,
                       encoding="latin-1")
    assert _error([path]).startswith("line 3, field NCCENR: not UTF-8 text")
    # La Poste's header itself has an accent: a Latin-1 copy fails on line 1
    path = write_lines(tmp_path / "laposte_hexasmal.csv", LAPOSTE_HEADER, LAPOSTE,
                       encoding="latin-1")
    assert _error([path]).startswith("line 1, field")


def test_bad_values(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "laposte_hexasmal.csv", LAPOSTE_HEADER,
                       [LAPOSTE[0], "02408;LAON;2000;;LAON;49.5,3.6"])
    assert _error([path]).startswith("line 3, field Code_postal: '2000' is not a 5-digit")
    path = write_lines(tmp_path / "laposte_hexasmal.csv", LAPOSTE_HEADER,
                       ["02408;LAON;02000;;LAON;3.6"])
    assert _error([path]).startswith("line 2, field coordonnees_gps:")


def test_bad_mvt_date(tmp_path: Path) -> None:
    line = ('"32","01/01/2027","COM","02407","0","X","X","X","COM","02408","0","Y","Y","Y"')
    path = write_lines(tmp_path / "v_mvt_commune_2027.csv", V_MVT_HEADER, [line])
    assert _error([path]).startswith("line 2, field DATE_EFF: '01/01/2027' is not a date")


def test_bad_json_entries(tmp_path: Path) -> None:
    bad = [*COMMUNES, {"code": "2408", "nom": "X", "departement": "02", "region": "32",
                       "type": "commune-actuelle"}]
    assert _error([write_json(tmp_path / "communes.json", bad)]).startswith(
        "line 5, field code: '2408' is not an INSEE commune code")
    (tmp_path / "communes.json").write_text('[\n{"code": "02408",\n', encoding="utf-8")
    assert _error([tmp_path / "communes.json"]).startswith("line 3, field text: invalid JSON")


def test_bad_gzip_and_unknown_file(tmp_path: Path) -> None:
    (tmp_path / "regions.json.gz").write_bytes(b"not gzip")
    assert "not a valid gzip file" in _error([tmp_path / "regions.json.gz"])
    (tmp_path / "towns.csv").write_text("x", encoding="utf-8")
    assert "not a recognised geography file" in _error([tmp_path / "towns.csv"])
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no geography file found" in _error([empty])
    (tmp_path / "regions.json.gz").write_bytes(gzip.compress(b'{"code": "32"}'))
    assert _error([tmp_path / "regions.json.gz"]).startswith("line 1, field text: expected a "
                                                             "JSON array")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        parse_paths([tmp_path / "communes.json"])
