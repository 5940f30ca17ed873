"""What FINESS says of each site lands in ``finess_site`` with every layout, in the batch's
transaction; a re-import changes nothing; a vanished site is marked closed, never deleted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from openror.importers.finess import FinessSource
from openror.importers.run import ImportRun, Options
from openror.services.container import Services
from openror.store import derived, finess_reference
from openror.store.finess_reference import FinessSite

DATA = Path(__file__).parent / "data" / "finess"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "finess"
GUYANE = SHARED / "fhir" / "finess-fhir-973-guyane.ndjson"
ETALAB = SHARED / "etalab_sample" / "etalab_small_20201231.csv"


def run(services: Services, *paths: Path) -> ImportRun:
    importer = ImportRun(services, FinessSource(), Options(progress=False))
    importer.run(list(paths))
    return importer


def reference(services: Services) -> dict[str, FinessSite]:
    with services.db.read() as conn:
        return {site.finess: site for site in finess_reference.sites(conn)}


def fields(site: FinessSite) -> tuple[Any, ...]:
    return (site.state, site.closing_type, site.category, site.region, site.departement)


def test_historical_csv_gives_open_sites_with_their_division(services: Services) -> None:
    run(services, DATA / "historical.csv")
    found = reference(services)
    assert set(found) == {"010000024", "2A0000022", "970300026"}
    assert fields(found["010000024"]) == ("open", None, "355", "84", "01")
    assert fields(found["2A0000022"]) == ("open", None, "355", "94", "2A")  # Corsica
    assert fields(found["970300026"]) == ("open", None, "355", "03", "973")  # Guyane
    assert found["010000024"].finess_ej == "010780054"
    assert found["010000024"].name == "CH DE FLEYRIAT"


def test_headered_csv_gives_closure_type_and_lapse(services: Services, tmp_path: Path) -> None:
    lines = ETALAB.read_bytes().splitlines()[:4]
    extra = [b";datefermeture;typefermeture;caducite", b";;;", b";2020-06-30;PRO;", b";;;O"]
    path = tmp_path / "etalab.csv"
    path.write_bytes(b"\n".join(line + more for line, more in zip(lines, extra, strict=True))
                     + b"\n")
    run(services, path)
    found = reference(services)
    assert fields(found["010000024"]) == ("open", None, "355", "84", "01")
    assert fields(found["010000032"]) == ("provisional", "PRO", "355", "84", "01")
    assert fields(found["010000065"]) == ("lapsed", None, "355", "84", "01")


def test_json_structures_give_a_closed_site(services: Services) -> None:
    run(services, DATA / "structures.json")
    found = reference(services)
    assert fields(found["010000024"]) == ("open", None, "355", "84", "01")
    assert fields(found["010009991"]) == ("closed", "DEF", "355", "84", "01")


def _guyane(tmp_path: Path, count: int, close_first: bool = False) -> Path:
    lines = GUYANE.read_text(encoding="utf-8").splitlines()[:count]
    if close_first:
        org = orjson.loads(lines[0])
        org["extension"][0]["valuePeriod"]["end"] = "2024-12-31"
        lines[0] = orjson.dumps(org).decode()
    path = tmp_path / f"guyane-{count}-{close_first}.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_fhir_ndjson_gives_sites_with_category_and_period_end(services: Services,
                                                             tmp_path: Path) -> None:
    run(services, _guyane(tmp_path, 6, close_first=True))
    found = reference(services)
    assert len(found) == 3
    assert fields(found["970300026"]) == ("closed", "DEF", "355", "03", "973")
    assert all(fields(site)[3:] == ("03", "973") for site in found.values())
    assert [site.state for number, site in found.items() if number != "970300026"] == \
        ["open", "open"]


def test_reimport_changes_nothing_and_vanished_sites_are_marked_closed(
        services: Services, tmp_path: Path) -> None:
    full = _guyane(tmp_path, 40)
    run(services, full)
    first = reference(services)
    run(services, full)
    assert reference(services) == first  # same rows, same updated_at

    run(services, _guyane(tmp_path, 36))  # the last two sites are gone from the file
    after = reference(services)
    assert set(after) == set(first)  # never deleted
    gone = [n for n in first if after[n] != first[n]]
    assert len(gone) == 2
    assert all(fields(after[n])[:2] == ("closed", "DEF") for n in gone)
    assert all(after[n].updated_at > first[n].updated_at for n in gone)


def test_a_file_of_another_departement_closes_nothing_here(services: Services,
                                                           tmp_path: Path) -> None:
    run(services, _guyane(tmp_path, 4))
    run(services, DATA / "structures.json")  # the Ain only
    assert {site.state for site in reference(services).values()
            if site.departement == "973"} == {"open"}


def test_reference_rows_share_the_batch_transaction(services: Services,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(_self: FinessSource, _conn: Any, _references: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(FinessSource, "keep_references", fail)
    with pytest.raises(RuntimeError):
        run(services, DATA / "historical.csv")
    with services.db.read() as conn:
        assert derived.find_by_identifier(conn, "Organization", "https://finess.esante.gouv.fr",
                                          "010000024") == []
    assert reference(services) == {}
