"""$export speed: the export engine (``sync.export.engine``, what the API's jobs and
``openror export`` run) on an imported database, against references measured in the same run.

    .venv/bin/python bench/export.py --database URL [--database URL2] [--replicate K] [--write-docs]

The database is one imported from the national dataset (``openror generate national --limit N``
then ``openror import bundle``; the whole national dataset takes over an hour to import on 2
cores). Measured, each in a fresh output directory:

- *profile 1*: every resource of every type, ndjson (the stored bytes, no policy work);
- *profile 0*: the same as open data (hidden resources filtered in SQL, redaction);
- *region graph*: ``_typeFilter=HealthcareService?_tag=…|<region>`` with
  ``includeAssociatedData=_myCompleteExtract`` as profile 1 (the ROR regional extract);
- references: the raw SQL read of the same rows' content (``SELECT content FROM resource``,
  DB-API, no processing), and writing the same number of bytes to one file with the same
  buffering.

On the national dataset itself the figure is measured; on a smaller database it is a linear
extrapolation (labelled as such) from the resources per second of the full profile-1 export.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.docs_section import markers, write_section  # noqa: E402
from openror.access.caller import Caller  # noqa: E402
from openror.fhir.profiles import TRE_R30_REGION  # noqa: E402
from openror.store.database import Database  # noqa: E402
from openror.sync.export import engine  # noqa: E402
from openror.sync.export.files import BUFFER  # noqa: E402
from openror.sync.export.request import parse  # noqa: E402

NATIONAL = 2_500_000
#: from this many resources on, the data is the national dataset itself (2,488,270)
NATIONAL_MEASURED = 2_400_000
TARGET_S = 60


@dataclass(frozen=True)
class Run:
    name: str
    resources: int
    bytes: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.resources / self.seconds if self.seconds else 0.0

    @property
    def mb_s(self) -> float:
        return self.bytes / 1e6 / self.seconds if self.seconds else 0.0


def export_run(db: Database, name: str, caller: Caller, pairs: list[tuple[str, str]],
               work: Path) -> Run:
    out = work / name.replace(" ", "-")
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    result = engine.run(db, caller, parse(pairs), out, base="", max_per_file=100_000)
    seconds = time.perf_counter() - started
    size = sum((out / f.name).stat().st_size for f in result.files)
    shutil.rmtree(out, ignore_errors=True)
    return Run(name, result.count, size, seconds)


def raw_read(db: Database) -> Run:
    """The same rows' content read with plain DB-API, in one transaction: the floor
    (PostgreSQL: a binary COPY, its fastest way out)."""
    started = time.perf_counter()
    count = size = 0
    query = "SELECT content FROM resource WHERE deleted = {} ORDER BY type, id"
    with db.read_primary() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        if db.dialect == "postgresql":
            with cursor.copy(f"COPY ({query.format('false')}) TO STDOUT (FORMAT binary)"
                             ) as copy:
                copy.set_types(["bytea"])
                for (content,) in copy.rows():
                    count += 1
                    size += len(content) + 1
        else:
            cursor.execute(query.format("0"))
            while rows := cursor.fetchmany(2000):
                count += len(rows)
                size += sum(len(r[0]) + 1 for r in rows)
        cursor.close()
    return Run("raw SQL read of the content", count, size, time.perf_counter() - started)


def raw_write(work: Path, size: int, count: int) -> Run:
    """Writing ``size`` bytes in ``count`` lines to one file with the engine's buffering."""
    line = b"x" * (max(size // max(count, 1), 2) - 1) + b"\n"
    target = work / "bytes.ndjson"
    started = time.perf_counter()
    with target.open("wb", buffering=BUFFER) as out:
        for _ in range(count):
            out.write(line[:-1])
            out.write(b"\n")
    seconds = time.perf_counter() - started
    target.unlink()
    return Run("writing the same bytes", count, size, seconds)


#: the index rows the export's selection and read policy use (region tags, fields of
#: activity, sensitive units); the rest of the search index is not replicated
_KEPT_TOKENS = ("_tag", "service-type", "_access")


def replicate(source: Path, target: Path, times: int) -> None:
    """A copy of an imported SQLite database with every resource ``times`` over (ids
    suffixed ``-rN``, the stored bytes unchanged), and the index rows the export uses: a
    database of realistic content at a size an import would take hours to reach here."""
    shutil.copyfile(source, target)
    conn = sqlite3.connect(target)
    ks = (f"WITH RECURSIVE ks(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM ks "
          f"WHERE k < {times - 1}) ")
    conn.executescript(f"""
        PRAGMA journal_mode=WAL;
        DELETE FROM resource_version; DELETE FROM change_log; DELETE FROM change_feed;
        DELETE FROM search_token WHERE param NOT IN {_KEPT_TOKENS};
        INSERT INTO resource (type, id, version, last_updated, deleted, region, content)
          {ks} SELECT type, id || '-r' || k, version, last_updated, deleted, region, content
          FROM resource, ks;
        INSERT INTO search_token (type, id, param, grp, system, code)
          {ks} SELECT type, id || '-r' || k, param, grp, system, code FROM search_token, ks;
        INSERT INTO search_ref (type, id, param, target_type, target_id)
          {ks} SELECT type, id || '-r' || k, param, target_type, target_id || '-r' || k
          FROM search_ref, ks;
        ANALYZE;
    """)
    conn.commit()
    conn.close()


def busiest_region(db: Database) -> str:
    with db.read_primary() as conn:
        return str(conn.execute(sa.text(
            "SELECT region FROM resource WHERE type = 'HealthcareService' AND region IS NOT "
            "NULL GROUP BY region ORDER BY count(*) DESC LIMIT 1")).scalar_one())


def counts(db: Database) -> str:
    with db.read_primary() as conn:
        rows = conn.execute(sa.text(
            "SELECT type, count(*) FROM resource WHERE deleted = :no GROUP BY type "
            "ORDER BY count(*) DESC"), {"no": False}).all()
    return ", ".join(f"{n:,} {t}" for t, n in rows)


def table(runs: list[Run]) -> list[str]:
    lines = ["| Run | Resources | MB | Seconds | Resources/s | MB/s |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r.name} | {r.resources:,} | {r.bytes / 1e6:,.0f} | {r.seconds:.1f} | "
              f"{r.rate:,.0f} | {r.mb_s:,.0f} |" for r in runs]
    return lines


@dataclass(frozen=True)
class Measured:
    backend: str
    data: str
    runs: list[Run]

    @property
    def full(self) -> Run:
        return self.runs[0]

    def lines(self) -> list[str]:
        return [f"### {self.backend}", "", f"- **Data**: {self.data}.", "",
                *table(self.runs), "", self._national(), ""]

    def _national(self) -> str:
        """The national verdict: measured when the data is the national dataset, else a
        linear extrapolation, labelled as such."""
        if self.full.resources >= NATIONAL_MEASURED:
            verdict = "within" if self.full.seconds <= TARGET_S else "over"
            return (f"- **National dataset, measured**: every resource for profile 1 in "
                    f"**{self.full.seconds:,.1f} s**, {verdict} the {TARGET_S} s target.")
        national_s = NATIONAL / self.full.rate if self.full.rate else float("inf")
        verdict = "within" if national_s <= TARGET_S else "over"
        size = NATIONAL * self.full.bytes / max(self.full.resources, 1) / 1e9
        return (f"- **National extrapolation (not measured)**: at the profile-1 rate above, "
                f"the national dataset ({NATIONAL:,} resources, about {size:,.1f} GB of "
                f"ndjson) would take about **{national_s:,.0f} s**, {verdict} the {TARGET_S} s "
                "target, if the rate stays linear (the statements stream in id order; "
                "nothing is held in memory per resource).")


def section(measured: list[Measured]) -> str:
    begin, end = markers("export", [m.backend for m in measured])
    return "\n".join([
        begin,
        "## Bulk export: `$export` engine",
        "",
        f"Measured on {datetime.now(UTC):%Y-%m-%d} by `bench/export.py` (generated section).",
        "",
        f"- **Machine**: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()}, shared with other work during the run (load average "
        f"{os.getloadavg()[0]:.1f} at its end): absolute figures vary widely from run to "
        "run, the ratios to the references less.",
        "- **Method**: `sync.export.engine.run` (what `$export` jobs and `openror export` "
        "run) into a fresh directory, one snapshot, 100,000 resources per file; MB are the "
        "ndjson bytes written. References in the same run: the raw SQL read of the same "
        "rows' content (DB-API, no processing) and writing the same bytes with the same "
        "buffering.",
        "",
        *(line for m in measured for line in m.lines()),
        end,
        "",
    ])


def measure(url: str, replicate_times: int, work: Path) -> Measured:
    note = ""
    if replicate_times > 1 and url.startswith("sqlite"):
        source = Path(sa.engine.make_url(url).database or "")
        copy = work / "replicated.sqlite"
        replicate(source, copy, replicate_times)
        url = f"sqlite:///{copy}"
        note = (f"; replicated {replicate_times} times in SQL (`--replicate`: ids suffixed, "
                "stored bytes and the index rows of tags, fields and links copied)")
    db = Database(url)
    try:
        region = busiest_region(db)
        data = counts(db) + note
        reference = raw_read(db)
        full = export_run(db, "profile 1, all types", Caller("bench", 1), [], work)
        runs = [full,
                export_run(db, "profile 0 (open data), all types", Caller("bench", 0), [],
                           work),
                export_run(db, f"profile 1, region {region} offer graph", Caller("bench", 1), [
                    ("_typeFilter", f"HealthcareService?_tag={TRE_R30_REGION}|{region}"),
                    ("includeAssociatedData", "_myCompleteExtract")], work),
                reference, raw_write(work, reference.bytes, reference.resources)]
    finally:
        db.dispose()
        (work / "replicated.sqlite").unlink(missing_ok=True)
    return Measured("SQLite" if db.dialect == "sqlite" else "PostgreSQL", data, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", action="append", required=True,
                        help="an imported database (repeat: one table per back-end)")
    parser.add_argument("--replicate", type=int, default=1,
                        help="SQLite: measure a copy with every resource this many times over")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="openror-export-bench-"))
    try:
        measured = [measure(url, args.replicate, work) for url in args.database]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = section(measured)
    print(text)
    if args.write_docs:
        write_section(*markers("export", [m.backend for m in measured]), text)


if __name__ == "__main__":
    main()
