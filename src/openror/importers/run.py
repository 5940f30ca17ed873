"""One import run: named, resumable phases parse → check → stage → apply.

- parse: the source streams records and rejects; records go to the staging table.
- check: each staged record is validated as the write path would (rejects for the others).
- stage: the apply order is fixed (references point backwards) and the scopes are noted.
- apply: batches of records, each batch one transaction through the write path (a record that
  fails is refused alone inside its savepoint); then what vanished within the file's scopes is
  closed. Progress is committed with each batch, so ``--continue apply`` resumes exactly.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from itertools import groupby
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from openror.access.caller import SYSTEM
from openror.errors import InvalidInput, OpenRORError, error
from openror.importers import check_pool, closing
from openror.importers.base import KeepsReference, Record, Reject, Source, Summary
from openror.importers.records_io import decode, encode
from openror.services import heap
from openror.services.batch import Batch, Upsert
from openror.services.bulk import BulkWriter
from openror.services.container import Services
from openror.services.writes import WriteResult
from openror.store import bulk_indexes, derive_process, imports, offer_capacity, statistics
from openror.store.feed import LogEntry

PHASES = ("parse", "check", "stage", "apply")


@dataclass(frozen=True)
class Options:
    rejects: Path | None = None
    batch_size: int = 500
    progress: bool = True
    continue_from: str | None = None
    run_id: str | None = None
    close_vanished: bool = True


class ImportRun:
    def __init__(self, services: Services, source: Source, options: Options) -> None:
        self.services, self.source, self.options = services, source, options
        self.summary = Summary()
        self.run_id = options.run_id or ""
        self._rejects: TextIO | None = None
        # the phase under way's "done" and "total" records, kept with the run's counts for
        # whoever watches it (``store.imports.unfinished``, /-/metrics)
        self._progress: dict[str, int] = {}

    # -- driver ------------------------------------------------------------------------

    def run(self, paths: Sequence[Path]) -> Summary:
        start = self._resume() if self.options.continue_from else self._start(paths)
        try:
            for phase in PHASES[PHASES.index(start):]:
                getattr(self, f"_{phase}")(paths)
                self._progress = {}
                with self.services.db.write() as conn:
                    imports.update_run(conn, self.run_id, phase=phase, summary=self._counts())
            with self.services.db.write() as conn:
                imports.clear(conn, self.run_id)
        finally:
            if self._rejects is not None:
                self._rejects.close()
        return self.summary

    def _start(self, paths: Sequence[Path]) -> str:
        for path in paths:
            if not path.exists():
                raise FileNotFoundError(2, "no such file or directory", str(path))
        self.run_id = self.run_id or f"{self.source.name}-{uuid.uuid4().hex[:12]}"
        with self.services.db.write() as conn:
            imports.start_run(conn, self.run_id, self.source.name, [str(p) for p in paths])
        return "parse"

    def _resume(self) -> str:
        wanted = self.options.continue_from
        if wanted not in PHASES:
            raise InvalidInput([error("invalid", f"--continue takes one of {', '.join(PHASES)}")])
        with self.services.db.read() as conn:
            state = imports.get_run(conn, self.options.run_id, self.source.name)
        if state is None or state.phase == "apply":
            raise InvalidInput([error("not-found", f"no unfinished {self.source.name} import "
                                      "to continue: start a new one")])
        done = PHASES.index(state.phase) if state.phase in PHASES else -1
        if PHASES.index(wanted) > done + 1:
            raise InvalidInput([error("invalid", f"the run stopped after '{state.phase}': "
                                      f"continue from '{PHASES[done + 1]}' at the latest")])
        self.run_id = state.run_id
        counts = state.summary
        self.summary = Summary(counts.get("created", 0), counts.get("updated", 0),
                               counts.get("unchanged", 0), counts.get("closed", 0),
                               counts.get("rejected", 0))
        return wanted

    def _counts(self) -> dict[str, int]:
        counts = {k: v for k, v in asdict(self.summary).items() if isinstance(v, int)}
        return {**counts, **self._progress}

    # -- rejects and progress --------------------------------------------------------------

    @property
    def rejects_path(self) -> Path:
        if self.options.rejects is not None:
            return self.options.rejects
        return self.services.settings.data_dir / "imports" / f"{self.run_id}.rejects.txt"

    def reject(self, items: Iterable[Reject]) -> None:
        for item in items:
            if self._rejects is None:
                self.rejects_path.parent.mkdir(parents=True, exist_ok=True)
                self._rejects = self.rejects_path.open("a", encoding="utf-8")
            self._rejects.write(f"{item}\n")
            self.summary.rejected += 1

    def _bar(self, what: str, total: int | None = None) -> tqdm[Any]:
        return tqdm(total=total, desc=f"{self.source.name}: {what}", unit=" rec",
                    disable=not self.options.progress, leave=False, dynamic_ncols=True)

    # -- phases ----------------------------------------------------------------------------

    def _parse(self, paths: Sequence[Path]) -> None:
        seen: dict[tuple[str, str, str], int] = {}
        pending: list[dict[str, Any]] = []
        with self._bar("parse") as bar:
            for item in self.source.parse(paths):
                bar.update()
                if isinstance(item, Reject):
                    self.reject([item])
                    continue
                ident = (item.type, item.key.system, item.key.value)
                if ident in seen:
                    self.reject([Reject(item.line, "identifier",
                                        f"duplicate of line {seen[ident]} ({item.key.value})")])
                    continue
                seen[ident] = item.line
                pending.append(encode(item, len(seen)))
                if len(pending) >= 1000:
                    self._flush(pending, len(seen))
        self._flush(pending, len(seen))

    def _flush(self, pending: list[dict[str, Any]], staged: int) -> None:
        self._progress = {"done": staged}
        with self.services.db.write() as conn:
            imports.stage(conn, self.run_id, pending)
            imports.update_run(conn, self.run_id, summary=self._counts())
        pending.clear()

    def _check(self, _paths: Sequence[Path]) -> None:
        db = self.services.db
        statistics.refresh_database(db, "import_stage")  # it was empty when last analysed
        with db.read() as conn:
            total = imports.count_unchecked(conn, self.run_id)
        after = 0
        self._progress = {"done": 0, "total": total}
        with self._bar("check", total) as bar, check_pool.checker(
                self.services.terminology, self.services.settings.region, total) as checker:
            while True:
                with db.read() as conn:
                    rows = imports.staged_raw(conn, self.run_id, after_seq=after, limit=2000)
                if not rows:
                    return
                results = checker.check(rows)
                for _seq, rejects in results:
                    self.reject(rejects)
                # Refused rows stay staged (unchecked): their keys are still in the file, so
                # they are not taken for vanished resources.
                self._progress["done"] += len(rows)
                with db.write() as conn:
                    imports.mark_checked(conn, self.run_id, [s for s, r in results if not r])
                    imports.update_run(conn, self.run_id, summary=self._counts())
                after = rows[-1][0]
                bar.update(len(rows))

    def _stage(self, _paths: Sequence[Path]) -> None:
        with self.services.db.write() as conn:
            total = imports.fix_order(conn, self.run_id)
            imports.update_run(conn, self.run_id, scopes=imports.scopes(conn, self.run_id),
                               applied_seq=0)
        statistics.refresh_database(self.services.db, "import_stage", "import_order")
        self.summary.extra["staged"] = total

    def _apply(self, _paths: Sequence[Path]) -> None:
        with self.services.db.read() as conn:
            state = imports.get_run(conn, self.run_id, self.source.name)
            total = imports.ordered_count(conn, self.run_id)
        assert state is not None
        position = state.applied
        log = LogEntry(actor=f"import {self.run_id}", batch_id=self.run_id,
                       provenance=self.source.provenance)
        # into an empty database, the search index tables are written without their
        # indexes, built at the end
        first_load = bulk_indexes.drop_for_first_load(self.services.db)
        with heap.bulk_run(), derive_process.running(), offer_capacity.paused(first_load), \
                self._bar("apply") as bar:
            while True:
                with self.services.db.read() as conn:
                    rows = self._next_batch(conn, position)
                if not rows:
                    break
                self._progress = {"done": rows[-1][0], "total": total}  # saved with the batch
                self._apply_rows(rows, log)
                position = rows[-1][0]
                bar.update(len(rows))
        if first_load:  # the statistics too (on PostgreSQL, each table's as it is built)
            bulk_indexes.build_and_analyse(self.services.db)
        if self.options.close_vanished:
            closing.close_vanished(self, state.scopes, log)
            closing.mark_vanished_references(self, state.scopes)
        if not first_load:
            statistics.after_bulk_load(self.services.db)  # the data may have grown a lot

    def _next_batch(self, conn: Any, position: int) -> list[tuple[int, imports.StagedRow]]:
        """The next rows in apply order, never splitting one transaction's records."""
        rows = imports.in_order(conn, self.run_id, position, self.options.batch_size)
        while rows and rows[-1][1].record["group"]:
            more = imports.in_order(conn, self.run_id, rows[-1][0], self.options.batch_size)
            same = [r for r in more if r[1].record["group"] == rows[-1][1].record["group"]]
            rows += same
            if len(same) < len(more) or not more:
                break
        return rows

    def _apply_rows(self, rows: list[tuple[int, imports.StagedRow]], log: LogEntry) -> None:
        """One batch, one transaction. Checked records nearly always apply, so the batch is first
        written in bulk; if anything fails, it runs again record by record, each in a
        savepoint, so that only the faulty record is refused."""
        before = replace(self.summary, extra=dict(self.summary.extra))
        try:
            self._commit_batch(rows, log, savepoints=False)
        except OpenRORError:
            self.summary = before
            self._commit_batch(rows, log, savepoints=True)

    def _commit_batch(self, rows: list[tuple[int, imports.StagedRow]], log: LogEntry,
                      savepoints: bool) -> None:
        with self.services.db.write() as conn:
            if savepoints:
                applied = self._apply_batch(Batch(self.services.writes, conn, log,
                                                  caller=SYSTEM), rows)
            else:
                applied = [decode(row.record) for _pos, row in rows]
                writer = BulkWriter(self.services.writes, conn, log, caller=SYSTEM)
                for result in writer.upsert_all([_upsert(record) for record in applied]):
                    self._count(result)
            self._keep_references(conn, applied)
            imports.update_run(conn, self.run_id, applied_seq=rows[-1][0],
                               summary=self._counts())

    def _apply_batch(self, batch: Batch, rows: list[tuple[int, imports.StagedRow]]
                     ) -> list[Record]:
        """Apply a batch record by record (a FHIR transaction at once); return what applied."""
        applied: list[Record] = []
        for _group, members in groupby((decode(row.record) for _pos, row in rows),
                                       key=lambda r: r.group or object()):  # 0: alone
            records = list(members)
            try:
                with batch.savepoint():
                    results = [batch.upsert(_upsert(record)) for record in records]
            except OpenRORError as exc:
                self._refuse(records, exc)
                continue
            applied += records
            for result in results:
                self._count(result)
        return applied

    def _keep_references(self, conn: Any, applied: list[Record]) -> None:
        """The registry's own word on what this batch applied, in the batch's transaction: a
        refused record leaves no reference, a rolled-back batch none either."""
        references = [r.reference for r in applied if r.reference is not None]
        if references and isinstance(self.source, KeepsReference):
            self.source.keep_references(conn, references)

    def _refuse(self, records: list[Record], exc: OpenRORError) -> None:
        where = "" if len(records) == 1 else " (the whole transaction is refused)"
        self.reject(Reject(records[0].line, ", ".join(i.expression) or "resource",
                           i.diagnostics + where) for i in exc.issues if i.is_error)

    def _count(self, result: WriteResult) -> None:
        if result.unchanged:
            self.summary.unchanged += 1
        elif result.created:
            self.summary.created += 1
        else:
            self.summary.updated += 1


def _upsert(record: Record) -> Upsert:
    # Only checked records are staged for apply (see ImportRun._check).
    return Upsert(record.resource, record.key.system, record.key.value, record.owned,
                  record.owned_extensions, checked=True)
