"""``openror import finess-reference FILE``: a reference file (as ``openror generate national``
writes it) upserts its sites and replaces the authorisations in one transaction; the same file
twice changes nothing; a bad file is refused with one line and changes nothing."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from openror.cli import main
from openror.datasets.finess_reference import FILE_NAME
from openror.datasets.national import DEFAULT_DATA, finess_tarballs
from openror.datasets.run import national
from openror.store import finess_reference
from openror.store.database import Database

CH_BOURG, CH_BELLEY, CH_CAYENNE = "010000024", "010000032", "970300026"


def site(number: str, **more: str | None) -> dict[str, str | None]:
    return {"finess": number, "finess_ej": "010780054", "name": f"Site {number}",
            "category": "355", "state": "open", "closing_type": None, "region": "84",
            "departement": "01", **more}


def auth(number: str, activity: str, modality: str, end: str | None = None) -> dict[str, Any]:
    return {"finess": number, "activity": activity, "modality": modality, "form": "00",
            "end_date": end}


def write(path: Path, document: object, packed: bool = True) -> Path:
    raw = orjson.dumps(document)
    path.write_bytes(gzip.compress(raw) if packed else raw)
    return path


def run(database_url: str, path: Path) -> Any:
    return CliRunner().invoke(main, ["import", "finess-reference", str(path),
                                     "--database", database_url])


def state(db: Database) -> tuple[dict[str, Any], dict[str, Any]]:
    with db.read() as conn:
        sites = {s.finess: s for s in finess_reference.sites(conn)}
        return sites, finess_reference.authorisations(conn)


def test_sites_are_upserted_and_authorisations_replaced(db: Database, database_url: str,
                                                        tmp_path: Path) -> None:
    first = write(tmp_path / "a.json.gz", {
        "sites": [site(CH_BOURG), site(CH_BELLEY)],
        "authorisations": [auth(CH_BOURG, "14", "23"), auth(CH_BELLEY, "03", "01", "2027-05-31")]})
    result = run(database_url, first)
    assert result.exit_code == 0, result.output
    assert "2 sites (2 added or changed), 2 authorisations (2 added" in result.output
    sites, authorised = state(db)
    assert set(sites) == {CH_BOURG, CH_BELLEY}
    assert authorised[CH_BELLEY] == [finess_reference.Authorisation("03", "01", "00",
                                                                    date(2027, 5, 31))]
    assert "(0 added or changed)" in run(database_url, first).output
    assert state(db) == (sites, authorised)  # not even updated_at moved

    newer = write(tmp_path / "b.json.gz", {
        "sites": [site(CH_BELLEY, state="closed", closing_type="DEF"), site(CH_CAYENNE)],
        "authorisations": [auth(CH_CAYENNE, "14", "24")]})
    assert run(database_url, newer).exit_code == 0
    sites, authorised = state(db)
    assert set(sites) == {CH_BOURG, CH_BELLEY, CH_CAYENNE}  # a site not named is left alone
    assert sites[CH_BELLEY].state == "closed" and sites[CH_BOURG] is not None
    assert authorised == {CH_CAYENNE: [finess_reference.Authorisation("14", "24", "00", None)]}


@pytest.mark.parametrize(("document", "packed", "message"), [
    ({"sites": []}, False, "not a gzip file"),
    ("{", True, "expected an object"),
    ({"sites": [], "authorisations": {}}, True, "expected an object {\"sites\""),
    ({"sites": [site(CH_BELLEY, state="gone")], "authorisations": []}, True,
     "sites[0].state: 'gone' is not one of open"),
    ({"sites": [site("0100000240")], "authorisations": []}, True, "sites[0].finess"),
    ({"sites": [], "authorisations": [auth(CH_BELLEY, "03", "01", "31/12/2026")]}, True,
     "authorisations[0].end_date"),
    ({"sites": [], "authorisations": [{"finess": CH_BELLEY}]}, True,
     "authorisations[0].activity"),
])
def test_a_bad_file_changes_nothing(db: Database, database_url: str, tmp_path: Path,
                                    document: object, packed: bool, message: str) -> None:
    good = write(tmp_path / "good.json.gz", {"sites": [site(CH_BOURG)],
                                             "authorisations": [auth(CH_BOURG, "14", "23")]})
    assert run(database_url, good).exit_code == 0
    before = state(db)
    result = run(database_url, write(tmp_path / "bad.json.gz", document, packed))
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert state(db) == before


def test_not_json_is_refused(db: Database, database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "x.json.gz"
    path.write_bytes(gzip.compress(b"nope"))
    result = run(database_url, path)
    assert result.exit_code == 1 and "not JSON" in result.output


@pytest.mark.skipif(not finess_tarballs(DEFAULT_DATA),
                    reason="the shared FINESS data is not next to the project")
def test_the_national_reference_loads(db: Database, database_url: str, tmp_path: Path) -> None:
    list(national(3, tmp_path, 40, True, None))
    path = tmp_path / FILE_NAME
    document = orjson.loads(gzip.decompress(path.read_bytes()))
    result = run(database_url, path)
    assert result.exit_code == 0, result.output
    sites, authorised = state(db)
    assert sorted(sites) == [row["finess"] for row in document["sites"]]
    assert len(sites) == 40
    loaded = {(number, a.activity, a.modality) for number, rows in authorised.items()
              for a in rows}
    assert loaded == {(a["finess"], a["activity"], a["modality"])
                      for a in document["authorisations"]} != set()
