"""The openror command: db upgrade, import nos, reindex; errors are one line and exit 1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from openror.access.caller import SYSTEM
from openror.cli import main
from openror.config import Settings
from openror.services.container import Services
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.store.migrate import head_revision
from openror.store.schema import identifier_index, nos_release
from tests.builders import SD, coding, location, organization

TABS = "\n".join([
    "<OID>;<Type fichier>;<Nom fichier>;<Description>;<URL fichier>;<Date valid>;<Date fin>;"
    "<Date MàJ>",
    "1.2.250.1.213.3.4.1;JDV;JDV_J19-ModePriseEnCharge-ROR.tabs;Mode;"
    "https://mos.esante.gouv.fr/NOS/JDV_J19-ModePriseEnCharge-ROR;20260101120000;;20260101120000",
    "<OID>;<Code>;<Libellé>",
    "1.2.250.1.213.3.3.13;32;Consultation",
    "1.2.250.1.213.3.3.13;98;Nouveau mode",
    "",
])


def _url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite'}"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_db_upgrade_then_import_nos_release(tmp_path: Path) -> None:
    url = _url(tmp_path)
    code, out = _run("db", "upgrade", "--database", url)
    assert code == 0 and f"schema {head_revision()}" in out
    release = tmp_path / "JDV_J19-ModePriseEnCharge-ROR.tabs"
    release.write_text(TABS, encoding="utf-8")
    code, out = _run("import", "nos", str(release), "--database", url)
    assert code == 0, out
    assert "1 value sets, 2 concepts" in out and "now retired" in out
    services = Services.open(Settings(database_url=url))
    try:
        assert services.terminology.check("JDV_J19", None, "98").status == "ok"
        assert services.terminology.check("JDV_J19", None, "46").status == "retired"
    finally:
        services.close()


def test_bad_release_is_one_line_and_stores_nothing(tmp_path: Path) -> None:
    url = _url(tmp_path)
    _run("db", "upgrade", "--database", url)
    bad = tmp_path / "JDV_J19-ModePriseEnCharge-ROR.tabs"
    bad.write_text(TABS.replace("1.2.250.1.213.3.3.13;98;Nouveau mode", "garbage"),
                   encoding="utf-8")
    code, out = _run("import", "nos", str(bad), "--database", url)
    assert code == 1
    assert out.startswith("openror: error:") and out.count("\n") == 1
    assert "line" in out
    db = Database(url)
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(nos_release)).scalar() == 0
    db.dispose()


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    code, out = _run("import", "nos", str(tmp_path / "nope.tabs"), "--database", _url(tmp_path))
    assert code == 1 and out.startswith("openror: error:") and "nope.tabs" in out


def test_an_unusable_database_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-dir' / 'x.sqlite'}"
    code, out = _run("clients", "list", "--database", url)
    assert code == 1
    assert out == "openror: error: the database cannot be used: unable to open database file\n"


def test_help_does_not_load_the_database_layers() -> None:
    """``openror --help`` and a mistyped command answer at once: SQLAlchemy and the write
    path load with the commands that use them."""
    probe = ("import sys, openror.cli; "
             "print(sorted(m for m in ('sqlalchemy', 'openror.services.writes', "
             "'openror.importers.base') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    code, out = _run("serve", "--database", _url(tmp_path))
    assert code == 1 and "openror db upgrade" in out


def test_reindex_rebuilds_derived_rows(tmp_path: Path) -> None:
    url = _url(tmp_path)
    _run("db", "upgrade", "--database", url)
    services = Services.open(Settings(database_url=url))
    try:
        services.writes.create(organization(), LogEntry(actor="test"), caller=SYSTEM)
        services.writes.create(location(), LogEntry(actor="test"), caller=SYSTEM)
        with services.db.write() as conn:
            conn.execute(identifier_index.delete())
    finally:
        services.close()
    code, out = _run("reindex", "--database", url)
    assert code == 0 and "reindexed 2 resources" in out
    db = Database(url)
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(identifier_index)).scalar() == 2
    db.dispose()


def test_retired_code_is_accepted_with_a_warning(tmp_path: Path) -> None:
    url = _url(tmp_path)
    _run("db", "upgrade", "--database", url)
    services = Services.open(Settings(database_url=url))
    try:
        body = location()
        body["extension"] = [{"url": SD + "ror-commune-cog",
                              "valueCodeableConcept": coding("TRE_R13-CommuneOM", "01003")}]
        result = services.writes.create(body, LogEntry(actor="test"), caller=SYSTEM)
    finally:
        services.close()
    assert result.created
    assert [w.severity for w in result.warnings] == ["warning"]
    assert "retired" in result.warnings[0].diagnostics
