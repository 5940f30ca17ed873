"""Parsers: each bundled format, and bad files rejected with the line number."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from openror.errors import InvalidInput
from openror.terminology.formats import decode, parse_csv, parse_tabs
from openror.terminology.json_formats import parse_json
from openror.terminology.model import Association
from openror.terminology.release import parse_file

DATA = Path(__file__).parents[3] / "src" / "openror" / "terminology" / "data"


def test_tabs_value_set() -> None:
    parsed = parse_file(DATA / "nos" / "tabs" / "JDV_J15-ClasseAge-ROR.tabs")[0]
    assert not isinstance(parsed, Association)
    assert parsed.name == "JDV_J15-ClasseAge-ROR"
    assert parsed.version == "20200424120000"
    assert parsed.concepts[0].system == "1.2.250.1.213.3.3.9"
    assert (parsed.concepts[0].code, len(parsed.concepts)) == ("01", 8)


def test_tabs_association() -> None:
    parsed = parse_file(DATA / "nos" / "tabs" / "ASS_X09-DepartementOM-RegionOM.tabs")[0]
    assert isinstance(parsed, Association)
    assert parsed.source_system == "1.2.250.1.71.1.2.16"
    assert ("01", "84") in parsed.pairs and len(parsed.pairs) == 112


def test_csv_keeps_leading_zeros() -> None:
    concepts = parse_file(DATA / "nos" / "extracted" / "JDV_J17-ActiviteOperationnelle-ROR.csv")
    first = concepts[0]
    assert not isinstance(first, Association)
    assert first.concepts[0].code == "001"  # type: ignore[union-attr]


def test_fhir_value_set() -> None:
    parsed = parse_file(DATA / "nos" / "fhir" / "JDV_J19-ModePriseEnCharge-ROR-FHIR.json")[0]
    assert parsed.name == "JDV_J19-ModePriseEnCharge-ROR"  # type: ignore[union-attr]
    assert len(parsed.concepts) == 37  # type: ignore[union-attr]


def test_fhir_bundle_with_code_system_status() -> None:
    cs = {
        "resourceType": "CodeSystem", "url": "http://example.org/cs",
        "concept": [
            {"code": "a", "display": "A"},
            {"code": "b", "display": "B",
             "property": [{"code": "status", "valueCode": "retired"}],
             "concept": [{"code": "b1", "display": "B1",
                          "property": [{"code": "deprecated", "valueBoolean": True}]}]},
        ],
    }
    bundle = {"resourceType": "Bundle", "entry": [{"resource": cs}]}
    (parsed,) = parse_json(bundle, "bundle.json")
    assert [(c.code, c.retired) for c in parsed.concepts] == [  # type: ignore[union-attr]
        ("a", False), ("b", True), ("b1", True)]


def test_compact_geo_file() -> None:
    data = json.loads(gzip.decompress((DATA / "geo" / "geo-cog2026.json.gz").read_bytes()))
    names = [p.name for p in parse_json(data, "geo")]
    assert names == ["JDV_J124-Commune", "JDV_J237-RegionOM-ROR", "JDV_J248-DepartementOM-ROR"]


def test_latin1_fallback() -> None:
    assert decode("Libellé".encode("iso-8859-1"), "x") == "Libellé"
    assert decode("\ufeffLibellé".encode(), "x") == "Libellé"


TABS_HEAD = (
    "<OID>;<Type fichier>;<Nom fichier>;<Description>;<URL fichier>;"
    "<Date valid>;<Date fin>;<Date MàJ>\n"
    "1.2.3;JDV;JDV_J99-X-ROR.tabs;d;https://mos.esante.gouv.fr/NOS/JDV_J99-X-ROR;1;;2\n"
    "<OID>;<Code>;<Libellé>\n"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (TABS_HEAD + "1.2.3;01;Un\n1.2.3;02\n", "line 5: expected 3 ';'-separated fields, found 2"),
        ("hello\n", "line 1: not a NOS .tabs file"),
        (TABS_HEAD.replace(";JDV;", ";XYZ;"), "line 2: unknown file type 'XYZ'"),
        (TABS_HEAD + "1.2.3;;Vide\n", "line 4: empty OID or code"),
    ],
)
def test_bad_tabs(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_tabs(text, "bad.tabs")
    assert message in info.value.message
    assert info.value.issues[0].code == "invalid"


def test_bad_csv_line() -> None:
    text = "system;system_oid;code;display\nTRE_R1-X;1.2;01;Un\nTRE_R1-X;1.2;02\n"
    with pytest.raises(InvalidInput, match="line 3: expected 4 ';'-separated fields, found 3"):
        parse_csv(text, "bad.csv")


def test_bad_csv_header() -> None:
    with pytest.raises(InvalidInput, match="line 1: expected the header"):
        parse_csv("a;b;c;d\n", "bad.csv")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"resourceType": "Patient"}, "unsupported resourceType 'Patient'"),
        ({"resourceType": "CodeSystem", "url": "u", "concept": [{"display": "x"}]},
         "$.concept[0]: missing 'code'"),
        ({"format": "openror-terminology/1", "code_systems": [{"url": "u", "concepts": [["a"]]}]},
         "$.code_systems[0].concepts[0]: expected [code, display(, retired)]"),
        ([], "expected a JSON object"),
    ],
)
def test_bad_json(data: object, message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_json(data, "bad.json")
    assert message in info.value.message


def test_invalid_json_file_reports_line(tmp_path: Path) -> None:
    path = tmp_path / "vs.json"
    path.write_text('{\n  "resourceType": "ValueSet",\n  oops\n}\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="line 3: invalid JSON"):
        parse_file(path)
