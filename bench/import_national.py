"""Import throughput of the national dataset, next to a plain bulk insert of the same rows.

For each back-end (SQLite; PostgreSQL when reachable): a fresh database, then
``openror import bundle DIR/*.ndjson.gz`` in its own process (all four phases: parse, check on
one process per core, stage, apply through the write path with full validation, versions,
change feed, change log and derived rows), timed, with the peak memory of the process tree.
Reference, same run, same database server: the same resources' JSON inserted with
``executemany`` into a bare (type, id, content) table, in transactions of 500 rows — the cost of
storing the bytes and nothing else.

    .venv/bin/python bench/import_national.py [--limit N] [--seed S] [--postgres URL]
                                              [--write-docs]

``--limit`` takes the first N establishments of the national generator (default 2,000;
``--limit 0`` for all ~95,000, which takes a long time on 2 cores).
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.docs_section import write_section

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
OPENROR = str(Path(sys.executable).with_name("openror"))
BEGIN, END = "<!-- bench:import_national -->", "<!-- /bench:import_national -->"
TARGET_RATE, TARGET_MEMORY_MB = 3000.0, 1024
HEAD = ("| Back-end | Resources | Import s | Import res/s | Peak MB | Bulk insert s | "
        "Bulk rows/s | Import / bulk | Targets (rate / memory) |\n"
        "|---|---|---|---|---|---|---|---|---|")


@dataclass(frozen=True)
class Point:
    backend: str
    resources: int
    import_s: float
    import_peak_mb: float
    bulk_s: float
    summary: str

    @property
    def rate(self) -> float:
        return self.resources / self.import_s

    @property
    def bulk_rate(self) -> float:
        return self.resources / self.bulk_s


def generate(out: Path, seed: int, limit: int) -> list[Path]:
    cmd = [OPENROR, "generate", "national", "--seed", str(seed), "--out", str(out)]
    if limit:
        cmd += ["--limit", str(limit)]
    subprocess.run(cmd, check=True)
    return sorted(p for p in out.iterdir() if ".ndjson" in p.name)


def lines(files: list[Path]) -> Iterator[bytes]:
    for path in files:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as handle:
            yield from (line for line in handle if line.strip())


def upgrade(url: str) -> None:
    subprocess.run([OPENROR, "db", "upgrade", "--database", url], check=True,
                   stdout=subprocess.DEVNULL)


def timed_import(url: str, files: list[Path], data_dir: Path) -> tuple[float, float, str]:
    env = {**os.environ, "OPENROR_DATA_DIR": str(data_dir), "OPENROR_LOG_LEVEL": "WARNING"}
    cmd = ["/usr/bin/time", "-v", OPENROR, "import", "bundle", *map(str, files),
           "--no-progress", "--database", url]
    start = time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    # /usr/bin/time sees the importer; its check workers are forked children, reported by
    # RUSAGE_CHILDREN of this process as the largest one.
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(int(peak.group(1)) if peak else 0, children) / 1024, summary


def bulk_insert(url: str, files: list[Path], batch: int = 500) -> tuple[int, float]:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    table = sa.Table("bench_bulk", sa.MetaData(), sa.Column("type", sa.String(64)),
                     sa.Column("id", sa.String(64)), sa.Column("content", sa.LargeBinary))
    table.metadata.drop_all(engine)
    table.metadata.create_all(engine)
    rows: list[dict[str, object]] = []
    count, start = 0, time.perf_counter()
    for raw in lines(files):
        body = orjson.loads(raw)
        rows.append({"type": body["resourceType"], "id": body["id"], "content": raw.strip()})
        if len(rows) == batch:
            with engine.begin() as conn:
                conn.execute(table.insert(), rows)
            count, rows = count + len(rows), []
    if rows:
        with engine.begin() as conn:
            conn.execute(table.insert(), rows)
        count += len(rows)
    elapsed = time.perf_counter() - start
    table.metadata.drop_all(engine)
    engine.dispose()
    return count, elapsed


def measure(backend: str, url: str, files: list[Path], work: Path) -> Point:
    upgrade(url)
    seconds, peak, summary = timed_import(url, files, work)
    count, bulk = bulk_insert(url, files)
    print(f"{backend}: {count} resources, import {seconds:.1f} s ({count / seconds:,.0f}/s, "
          f"peak {peak:,.0f} MB), bulk insert {bulk:.1f} s ({count / bulk:,.0f}/s)", flush=True)
    return Point(backend, count, seconds, peak, bulk, summary)


def pg_database(admin_url: str, name: str) -> str | None:
    try:
        engine = sa.create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://", 1),
                                  isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
    except sa.exc.OperationalError as exc:
        print(f"PostgreSQL skipped: {exc.__class__.__name__}")
        return None
    return sa.engine.make_url(admin_url).set(database=name).render_as_string(False)


def drop_pg(admin_url: str, name: str) -> None:
    engine = sa.create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


def section(points: list[Point], args: argparse.Namespace, files: list[Path]) -> str:
    rows = "\n".join(
        f"| {p.backend} | {p.resources:,} | {p.import_s:.1f} | {p.rate:,.0f} | "
        f"{p.import_peak_mb:,.0f} | {p.bulk_s:.1f} | {p.bulk_rate:,.0f} | "
        f"{p.rate / p.bulk_rate:.0%} | {'met' if p.rate >= TARGET_RATE else 'MISSED'} / "
        f"{'met' if p.import_peak_mb <= TARGET_MEMORY_MB else 'MISSED'} |" for p in points)
    scope = f"the first {args.limit:,} establishments" if args.limit else "all establishments"
    sizes = ", ".join(f"{f.name} ({f.stat().st_size / 1e6:.1f} MB)" for f in files)
    return f"""{BEGIN}
## Import: national dataset through `openror import bundle`

Measured on {datetime.now(UTC):%Y-%m-%d} by `bench/import_national.py` (generated section).

- **Machine**: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}.
- **Data**: `openror generate national --seed {args.seed}` limited to {scope}: {sizes}.
- **Method**: a fresh database per back-end; the import runs in its own process with all its
  phases (parse, check on one process per core, stage, apply through the write path: full
  validation, versions, change feed, change log, identifier and reference indexes). Peak memory
  is the largest resident set of the importer and its check workers. *Bulk insert* is the
  reference measured in the same run: the same resources' JSON `executemany`-inserted into a
  bare `(type, id, content)` table, 500 rows per transaction.
- **Targets** (issue): ≥ {TARGET_RATE:,.0f} resources/s sustained, peak memory ≤
  {TARGET_MEMORY_MB} MiB.

{HEAD}
{rows}
{END}
"""


def write_docs(text: str) -> None:
    write_section(BEGIN, END, text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="openror-bench-") as tmp:
        work = Path(tmp)
        files = generate(work / "dataset", args.seed, args.limit)
        points = [measure("SQLite", f"sqlite:///{work / 'import.sqlite'}", files, work)]
        pg = pg_database(args.postgres, "openror_bench_import")
        if pg is not None:
            try:
                points.append(measure("PostgreSQL", pg, files, work))
            finally:
                drop_pg(args.postgres, "openror_bench_import")
        if args.write_docs:
            write_docs(section(points, args, files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
