"""Anomalies raised by the rules: one Task per rule and deviating unit, routed to the site,
never duplicated, closed as corrected when the unit conforms again, not raised again while
an answered one stands. Both back-ends."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa

from openror.access.caller import SYSTEM
from openror.errors import InvalidInput, error
from openror.quality.run import run
from openror.quality.task_writes import TaskWorkflow
from openror.services.task_writer import SystemTaskWriter
from openror.services.writes import WritePath
from openror.store.database import Database
from openror.store.schema import resource
from openror.terminology import default_terminology
from tests.quality.rule_world import NOW, site
from tests.quality.test_quality_run import LOG, _directory, _put


def _writes(db: Database) -> WritePath:
    writes = WritePath(db, default_terminology(), "11")
    writes.rules.append(TaskWorkflow())
    return writes


def _run(db: Database, writes: WritePath) -> dict[str, int]:
    summary, _ = run(db, default_terminology(), now=NOW,
                     writer=SystemTaskWriter(writes, "quality-run"))
    return summary.anomalies


def _tasks(db: Database) -> dict[str, dict[str, Any]]:
    """CO4 anomalies by id."""
    with db.read() as conn:
        rows = conn.execute(sa.select(resource.c.id, resource.c.content)
                            .where(resource.c.type == "Task"))
        found = {rid: orjson.loads(content) for rid, content in rows}
    return {rid: body for rid, body in found.items()
            if any(i.get("valueString") == "CO4" for i in body["input"])}


def _status(body: dict[str, Any]) -> str:
    return str(body["businessStatus"]["coding"][0]["code"])


def test_a_deviation_raises_one_routed_anomaly_closed_when_fixed(db: Database) -> None:
    _directory(db)  # eg-2 has category 106 where FINESS says 355
    writes = _writes(db)
    assert _run(db, writes)["raised"] == 2  # CO1 (hs-2: unnamed emergency) and CO4 (eg-2)
    tasks = _tasks(db)
    assert len(tasks) == 1
    (rid, task), = tasks.items()
    assert task["focus"]["reference"] == "Organization/eg-2"
    assert task["owner"]["reference"] == "Organization/eg-2"
    assert _status(task) == "02" and task["code"]["coding"][0]["code"] == "06"
    assert "catégorie 106 dans le ROR, 355 dans le FINESS" in task["description"]
    assert _run(db, writes)["raised"] == 0  # still deviating: not raised twice
    _put(writes, "eg-2", site("780000002", "ej", category="355"))
    assert _run(db, writes)["corrected"] == 1
    assert _status(_tasks(db)[rid]) == "08"
    _put(writes, "eg-2", site("780000002", "ej", category="106"))  # wrong again
    assert _run(db, writes)["raised"] == 1
    assert len(_tasks(db)) == 2


def test_an_answered_anomaly_is_not_raised_again_while_the_unit_deviates(db: Database) -> None:
    _directory(db)
    writes = _writes(db)
    _run(db, writes)
    (rid, task), = _tasks(db).items()
    for status, reason in (("05", None), ("09", "La catégorie 106 est la bonne.")):
        task = {**task, "businessStatus": {"coding": [{**task["businessStatus"]["coding"][0],
                                                        "code": status}]}}
        if reason:
            task["statusReason"] = {"text": reason}
        task = writes.update("Task", rid, task, LOG, caller=SYSTEM).body
    assert _run(db, writes) == {"raised": 0, "corrected": 0, "failed": 0}
    assert _status(_tasks(db)[rid]) == "09"


class _Refusing(SystemTaskWriter):
    """The write path refusing the anomaly of one unit (deleted since the run read it…)."""

    def create(self, body: dict[str, Any]) -> str:
        if body["focus"]["reference"] == "HealthcareService/hs-2":
            raise InvalidInput([error("not-found", "HealthcareService/hs-2 does not exist")])
        return super().create(body)


def test_an_anomaly_the_write_path_refuses_is_counted_and_the_run_goes_on(
        db: Database) -> None:
    _directory(db)
    writes = _writes(db)
    summary, _ = run(db, default_terminology(), now=NOW,
                     writer=_Refusing(writes, "quality-run"))
    assert summary.anomalies == {"raised": 1, "corrected": 0, "failed": 1}
    assert summary.finished_at is not None
    assert _run(db, writes)["raised"] == 1  # tried again by the next run
