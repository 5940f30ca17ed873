"""``openror import finess-authorisations``: a full file replaces the table in one transaction,
the same file twice changes nothing, a bad line is rejected and its site keeps what it had."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from openror.config import Settings
from openror.errors import InvalidInput
from openror.importers.finess import FinessSource
from openror.importers.finess_authorisations import import_finess_authorisations
from openror.store import finess_reference
from openror.store.database import Database
from openror.store.finess_tables import finess_authorisation

HEADER = "nofinesset;nofinessej;activite;libactivite;modalite;forme;datefin"
CH_BOURG, CH_BELLEY, CH_CAYENNE = "010000024", "010000032", "970300026"


@pytest.fixture
def settings(db: Database, database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path)


def write(path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join([HEADER, *lines]) + "\n").encode(encoding))
    return path


def table(db: Database) -> dict[str, list[finess_reference.Authorisation]]:
    with db.read() as conn:
        return finess_reference.authorisations(conn)


def stamps(db: Database) -> list[object]:
    with db.read() as conn:
        fa = finess_authorisation.c
        return [row.updated_at for row in conn.execute(
            finess_authorisation.select().order_by(fa.finess, fa.activity))]


def auth(activity: str, modality: str, form: str, end: date | None = None
         ) -> finess_reference.Authorisation:
    return finess_reference.Authorisation(activity, modality, form, end)


def test_a_full_file_replaces_the_table_and_twice_changes_nothing(
        settings: Settings, db: Database, tmp_path: Path) -> None:
    first = write(tmp_path / "a.csv",
                  f"{CH_BOURG};010780054;14;Médecine d'urgence;23;00;2027-05-31",
                  f"{CH_BOURG};010780054;15;Réanimation;09;00;",
                  f"{CH_BELLEY};010780062;3;Gynécologie-obstétrique;1;0;2026-01-01 00:00:00",
                  encoding="iso-8859-1")
    summary = import_finess_authorisations(settings, [first])
    assert "3 authorisations of 2 sites (3 added, 0 changed, 0 removed), 0 rejected" in summary
    assert table(db) == {
        CH_BOURG: [auth("14", "23", "00", date(2027, 5, 31)), auth("15", "09", "00")],
        CH_BELLEY: [auth("03", "01", "00", date(2026, 1, 1))]}
    before = stamps(db)
    again = import_finess_authorisations(settings, [first])
    assert "(0 added, 0 changed, 0 removed)" in again
    assert stamps(db) == before

    newer = write(tmp_path / "b.csv", f"{CH_BOURG};010780054;14;x;23;00;2030-05-31",
                  f"{CH_CAYENNE};970302022;14;x;24;00;")
    assert "(1 added, 1 changed, 2 removed)" in import_finess_authorisations(settings, [newer])
    assert table(db) == {CH_BOURG: [auth("14", "23", "00", date(2030, 5, 31))],
                         CH_CAYENNE: [auth("14", "24", "00")]}


def test_bad_lines_are_rejected_and_their_sites_keep_what_they_had(
        settings: Settings, db: Database, tmp_path: Path) -> None:
    import_finess_authorisations(settings, [write(
        tmp_path / "a.csv", f"{CH_BOURG};x;14;x;23;00;", f"{CH_BELLEY};x;03;x;01;00;")])
    rejects = tmp_path / "rejects.txt"
    bad = write(tmp_path / "b.csv",
                f"{CH_BOURG};x;15;x;09;00;",  # good, but the site has a bad line below
                f"{CH_BOURG};x;;x;10;00;",
                f"{CH_BELLEY};x;03;x;02;00;31/12/2026",
                "010000025;x;14;x;23;00;",
                f"{CH_CAYENNE};x;14;x;23;00;")
    summary = import_finess_authorisations(settings, [bad], rejects=rejects)
    assert "3 rejected" in summary and str(rejects) in summary
    assert rejects.read_text(encoding="utf-8").splitlines() == [
        "line 3, field activite: the activity code is missing",
        "line 4, field datefin: '31/12/2026' is not a date (YYYY-MM-DD)",
        "line 5, field nofinesset: check digit of '010000025' is wrong (Luhn key); "
        "check the number"]
    assert table(db) == {CH_BOURG: [auth("14", "23", "00")],  # as before, not half-replaced
                         CH_BELLEY: [auth("03", "01", "00")],
                         CH_CAYENNE: [auth("14", "23", "00")]}


def test_a_file_without_the_columns_changes_nothing(settings: Settings, db: Database,
                                                     tmp_path: Path) -> None:
    import_finess_authorisations(settings, [write(tmp_path / "a.csv",
                                                  f"{CH_BOURG};x;14;x;23;00;")])
    wrong = tmp_path / "b.csv"
    wrong.write_text(f"nofinesset;activite;modalite\n{CH_BELLEY};03;01\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="missing column"):
        import_finess_authorisations(settings, [write(tmp_path / "c.csv",
                                                      f"{CH_BELLEY};x;03;x;01;00;"), wrong])
    assert table(db) == {CH_BOURG: [auth("14", "23", "00")]}


def test_the_finess_source_points_to_the_authorisations_import(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", f"{CH_BOURG};x;14;x;23;00;")
    [reject] = list(FinessSource().parse([path]))
    assert "openror import finess-authorisations" in str(reject)
