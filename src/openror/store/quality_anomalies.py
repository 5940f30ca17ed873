"""Which Task each rule raised for each unit (table quality_anomaly)."""

from __future__ import annotations

import sqlalchemy as sa

from openror.store.quality_tables import quality_anomaly


def raised(conn: sa.Connection) -> dict[tuple[str, str], str]:
    rows = conn.execute(sa.select(quality_anomaly.c.rule, quality_anomaly.c.unit,
                                  quality_anomaly.c.task_id))
    return {(str(rule), str(unit)): str(task) for rule, unit, task in rows}


def remember(conn: sa.Connection, rule: str, unit: str, task_id: str) -> None:
    conn.execute(quality_anomaly.insert().values(rule=rule, unit=unit, task_id=task_id))


def forget(conn: sa.Connection, rule: str, unit: str) -> None:
    conn.execute(quality_anomaly.delete().where(quality_anomaly.c.rule == rule,
                                                quality_anomaly.c.unit == unit))
