"""A quality run on a real database (both back-ends): results replaced whole, the week's
indicators with hand-computed values, and the CLI."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner

from openror.access.caller import SYSTEM
from openror.cli import main
from openror.quality.run import run
from openror.quality.schedule import run_if_due
from openror.services.task_writer import SystemTaskWriter
from openror.services.writes import WritePath
from openror.store import finess_reference
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.store.quality_tables import indicator_snapshot, quality_result
from openror.terminology import default_terminology
from tests.quality.rule_world import NOW, legal_entity, offer, place, site

LOG = LogEntry("test")
REGION_TAG = "https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM"


def _put(writes: WritePath, rid: str, body: dict[str, Any]) -> None:
    body["meta"] = {"tag": [{"system": REGION_TAG, "code": "11"}]}
    writes.update(body["resourceType"], rid, {**body, "id": rid}, LOG, caller=SYSTEM)


def _directory(db: Database) -> None:
    """Two hospitals of Yvelines: one with a wrong category, one with an unnamed emergency
    offer; three offers, two of them complete."""
    writes = WritePath(db, default_terminology(), "11")
    _put(writes, "ej", legal_entity("780000000"))
    _put(writes, "eg-1", site("780000001", "ej", category="355"))
    _put(writes, "eg-2", site("780000002", "ej", category="106"))
    _put(writes, "loc", place())
    _put(writes, "hs-1", offer("eg-1", places=("loc",)))
    _put(writes, "hs-2", offer("eg-2", name="Accueil", activities=("157",), care_modes=("33",),
                               places=("loc",)))
    _put(writes, "hs-3", offer("eg-2", places=("loc",), with_contact=False))
    with db.write() as conn:
        finess_reference.upsert_sites(conn, [
            {"finess": f, "finess_ej": "780000000", "name": f, "category": "355",
             "state": "open", "closing_type": None, "region": "11", "departement": "78"}
            for f in ("780000001", "780000002")], NOW)
        finess_reference.replace_authorisations(conn, {("780000002", "14", "23", "00"): None},
                                                set(), NOW)


def _rows(db: Database, table: sa.Table) -> list[dict[str, Any]]:
    with db.read() as conn:
        return [dict(r) for r in conn.execute(sa.select(table)).mappings()]


def test_a_run_stores_results_and_the_weeks_indicators(db: Database) -> None:
    _directory(db)
    summary, _ = run(db, default_terminology(), now=NOW)
    assert summary.rules["CO4"] == (2, 1)
    assert summary.rules["CO1"] == (1, 1)
    assert summary.rules["PE"] == (3, 1)
    results = {(r["rule"], r["unit"]): r for r in _rows(db, quality_result)}
    co4 = results[("CO4", "Organization/eg-2")]
    assert (co4["deviating"], co4["region"], co4["departement"], co4["category"],
            co4["site"]) == (True, "11", "78", "106", "Organization/eg-2")
    assert results[("PE", "HealthcareService/hs-3")]["detail"] == (
        "manque : contact avec télécommunication")
    week = {(r["indicator"], r["category"]): r for r in _rows(db, indicator_snapshot)}
    assert {r["week"] for r in week.values()} == {date(2026, 11, 23)}  # the Monday
    pe_106 = week[("PE", "106")]
    assert (pe_106["perimeter"], pe_106["conformant"], pe_106["partial"],
            pe_106["deviating"], pe_106["field"]) == (2, 1, 1, 0, "01")
    assert (week[("CO4", "355")]["perimeter"], week[("CO4", "355")]["deviating"]) == (1, 0)
    again, _ = run(db, default_terminology(), now=NOW)  # replaces, never adds up
    assert len(_rows(db, quality_result)) == sum(p for p, _ in again.rules.values())
    assert len(_rows(db, indicator_snapshot)) == len(week)


def test_the_cli_prints_each_rule(db: Database, database_url: str) -> None:
    _directory(db)
    result = CliRunner().invoke(main, ["quality", "run", "--database", database_url])
    assert result.exit_code == 0, result.output
    assert any(line.split()[:3] == ["CO4", "2", "1"] for line in result.output.splitlines())
    bad = CliRunner().invoke(main, ["quality", "run", "--database", "sqlite:////nonexistent/x"])
    assert bad.exit_code != 0
    assert len(bad.output.strip().splitlines()) == 1


def test_the_schedule_runs_once_per_interval(db: Database) -> None:
    _directory(db)
    terminology = default_terminology()
    writer = SystemTaskWriter(WritePath(db, terminology, "11"), "quality-run")
    first = run_if_due(db, terminology, 3600, writer)
    assert first is not None and first.rules["CO4"] == (2, 1)
    assert run_if_due(db, terminology, 3600, writer) is None  # another process, same hour
    assert run_if_due(db, terminology, 0, writer) is not None  # an interval of 0: always due
