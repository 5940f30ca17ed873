"""Import runs and their staged records, so that an interrupted import resumes where it stopped
(``openror import … --continue <phase>``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

from openror.store import rawsql
from openror.store.resources import utcnow
from openror.store.schema import import_order, import_run, import_stage


@dataclass(frozen=True)
class RunState:
    run_id: str
    source: str
    paths: list[str]
    phase: str
    applied: int
    summary: dict[str, int]
    scopes: list[str]


@dataclass(frozen=True)
class StagedRow:
    seq: int
    line: int
    raw: bytes  # the record as staged (JSON)

    @property
    def record(self) -> dict[str, Any]:
        """A fresh copy on every access: a failed attempt cannot leak changes into a retry."""
        data: dict[str, Any] = orjson.loads(self.raw)
        return data


def start_run(conn: sa.Connection, run_id: str, source: str, paths: Sequence[str]) -> None:
    now = utcnow()
    conn.execute(import_run.insert().values(
        run_id=run_id, source=source, paths=orjson.dumps(list(paths)).decode(), phase="started",
        started_at=now, updated_at=now, applied_seq=0, summary="{}", scopes="[]"))


def update_run(conn: sa.Connection, run_id: str, **values: Any) -> None:
    for key in ("summary", "scopes"):
        if key in values:
            values[key] = orjson.dumps(values[key]).decode()
    conn.execute(import_run.update().where(import_run.c.run_id == run_id)
                 .values(updated_at=utcnow(), **values))


def get_run(conn: sa.Connection, run_id: str | None, source: str) -> RunState | None:
    """A run by id, or the latest run of ``source``."""
    stmt = sa.select(import_run).where(import_run.c.source == source)
    if run_id is not None:
        stmt = stmt.where(import_run.c.run_id == run_id)
    row = conn.execute(stmt.order_by(import_run.c.started_at.desc()).limit(1)).first()
    if row is None:
        return None
    return RunState(row.run_id, row.source, orjson.loads(row.paths), row.phase,
                    row.applied_seq, orjson.loads(row.summary), orjson.loads(row.scopes))


#: the phase under way after the last one completed ("apply" done: the run is finished)
_NEXT_PHASE = {"started": "parse", "parse": "check", "check": "stage", "stage": "apply"}


@dataclass(frozen=True)
class Progress:
    """An unfinished run as its importer last reported it: running, or stopped for good
    (then its ``updated_at`` no longer moves)."""

    run_id: str
    source: str
    phase: str  # the phase under way
    done: int | None  # records the phase has gone through; None: not reported
    total: int | None  # records the phase will go through; None: not known yet
    rejected: int
    updated_at: datetime


def unfinished(conn: sa.Connection) -> list[Progress]:
    """The runs whose last phase did not complete (a small table: one row per run)."""
    r = import_run
    found = []
    for row in conn.execute(sa.select(r.c.run_id, r.c.source, r.c.phase, r.c.summary,
                                      r.c.updated_at)
                            .where(r.c.phase.in_(sorted(_NEXT_PHASE))).order_by(r.c.run_id)):
        counts = orjson.loads(row.summary)
        found.append(Progress(row.run_id, row.source, _NEXT_PHASE[row.phase],
                              counts.get("done"), counts.get("total"),
                              int(counts.get("rejected", 0)), row.updated_at))
    return found


def ordered_count(conn: sa.Connection, run_id: str) -> int:
    """How many records the apply phase goes through (their positions run from 1)."""
    last = conn.execute(sa.select(sa.func.max(import_order.c.pos))
                        .where(import_order.c.run_id == run_id)).scalar()
    return int(last or 0)


_STAGE_COLUMNS = tuple(import_stage.columns.keys())


def stage(conn: sa.Connection, run_id: str, rows: list[dict[str, Any]]) -> None:
    """Store parsed records (rows of every column but ``run_id``): by binary COPY on
    PostgreSQL, their JSON as bytes (``rawsql.insert_many``)."""
    rawsql.insert_many(conn, "import_stage", _STAGE_COLUMNS,
                       [{**r, "run_id": run_id} for r in rows])


def staged_raw(conn: sa.Connection, run_id: str, *, after_seq: int = 0, limit: int = 1000
               ) -> list[tuple[int, bytes]]:
    """Unchecked staged records as stored (JSON bytes), for the check phase's workers."""
    st = import_stage
    stmt = (sa.select(st.c.seq, st.c.record)
            .where(st.c.run_id == run_id, st.c.seq > after_seq, st.c.checked.is_(False))
            .order_by(st.c.seq).limit(limit))
    return [(seq, bytes(rec)) for seq, rec in conn.execute(stmt)]


def count_unchecked(conn: sa.Connection, run_id: str) -> int:
    st = import_stage
    stmt = sa.select(sa.func.count()).select_from(st).where(
        st.c.run_id == run_id, st.c.checked.is_(False))
    return int(conn.execute(stmt).scalar_one())


def mark_checked(conn: sa.Connection, run_id: str, seqs: list[int]) -> None:
    if seqs:
        conn.execute(import_stage.update()
                     .where(import_stage.c.run_id == run_id, import_stage.c.seq.in_(seqs))
                     .values(checked=True))


def fix_order(conn: sa.Connection, run_id: str) -> int:
    """Number the checked records in apply order (type rank, record rank, file order)."""
    st = import_stage
    conn.execute(import_order.delete().where(import_order.c.run_id == run_id))
    pos = sa.func.row_number().over(order_by=(st.c.ord, st.c.seq))
    select = sa.select(st.c.run_id, pos, st.c.seq).where(
        st.c.run_id == run_id, st.c.checked.is_(True))
    conn.execute(import_order.insert().from_select(["run_id", "pos", "seq"], select))
    count = sa.select(sa.func.count()).select_from(import_order).where(
        import_order.c.run_id == run_id)
    return int(conn.execute(count).scalar_one())


def in_order(conn: sa.Connection, run_id: str, after_pos: int, limit: int
             ) -> list[tuple[int, StagedRow]]:
    st, io = import_stage, import_order
    stmt = (sa.select(io.c.pos, st.c.seq, st.c.line, st.c.record)
            .join(st, sa.and_(st.c.run_id == io.c.run_id, st.c.seq == io.c.seq))
            .where(io.c.run_id == run_id, io.c.pos > after_pos)
            .order_by(io.c.pos).limit(limit))
    return [(pos, StagedRow(seq, line, bytes(rec)))
            for pos, seq, line, rec in conn.execute(stmt)]


def scopes(conn: sa.Connection, run_id: str) -> list[str]:
    st = import_stage
    stmt = sa.select(st.c.scope).distinct().where(st.c.run_id == run_id, st.c.scope != "")
    return sorted(row[0] for row in conn.execute(stmt))


def staged_keys(conn: sa.Connection, run_id: str) -> set[tuple[str, str, str]]:
    st = import_stage
    stmt = sa.select(st.c.type, st.c.key_system, st.c.key_value).where(st.c.run_id == run_id)
    return {(rtype, system, value) for rtype, system, value in conn.execute(stmt)}


def clear(conn: sa.Connection, run_id: str) -> None:
    conn.execute(import_order.delete().where(import_order.c.run_id == run_id))
    conn.execute(import_stage.delete().where(import_stage.c.run_id == run_id))
