"""A full quality run on the national dataset, next to a bare read of the same resources.

For each back-end given: ``openror quality run`` (every rule of quality/data/rules.json over
every organisation, offer and place, the FINESS reference, results and the week's indicators
stored; anomalies raised through the write path) in a process of its own, timed phase by
phase, with its peak memory. Reference, same run, same database: the rows the run reads
(current Organization, HealthcareService and Location) streamed and parsed with orjson, and
nothing else — the cost of reading the directory.

    .venv/bin/python bench/quality_run.py --sqlite FILE [--postgres URL] [--write-docs]

The national SQLite file comes from ``openror generate national --seed 1`` imported with
``openror import bundle``; its FINESS reference from ``openror import finess-reference
DIR/finess-reference.json.gz`` (docs/admin/datasets.md).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.docs_section import write_section

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:quality_run -->", "<!-- /bench:quality_run -->"
TARGET_S = 600.0
TYPES = ("Organization", "HealthcareService", "Location")


@dataclass(frozen=True)
class Point:
    backend: str
    records: int
    scan_s: float
    run: dict[str, Any]  # what the child reports: phases, summary, peak memory

    @property
    def run_s(self) -> float:
        return float(self.run["seconds"])


def scan(url: str) -> tuple[int, float]:
    """The reference: stream and parse what the run reads."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    start, count = time.perf_counter(), 0
    with engine.connect() as conn:
        for rtype in TYPES:
            result = conn.execution_options(stream_results=True, yield_per=2000).execute(
                sa.text("SELECT content FROM resource WHERE type = :t AND deleted = :no"),
                {"t": rtype, "no": False})
            for (content,) in result:
                orjson.loads(content)
                count += 1
    engine.dispose()
    return count, time.perf_counter() - start


def child(url: str) -> None:
    """Run in its own process: one quality run, phases timed, peak memory reported."""
    from openror.config import load_settings
    from openror.quality.run import run
    from openror.quality.task_writes import TaskWorkflow
    from openror.services.container import Services
    from openror.services.measure_writer import SystemMeasureWriter
    from openror.services.task_writer import SystemTaskWriter

    phases: list[tuple[str, float]] = []
    services = Services.open(load_settings().with_overrides(database_url=url))
    services.writes.rules.append(TaskWorkflow())  # as `openror quality run` does
    start = time.perf_counter()
    summary, _ = run(services.db, services.terminology, trigger="bench",
                     step=lambda what: phases.append((what, time.perf_counter())),
                     writer=SystemTaskWriter(services.writes, "quality-bench"),
                     measures=SystemMeasureWriter(services.writes))
    end = time.perf_counter()
    services.close()
    marks = [*phases, ("end", end)]
    print(json.dumps({
        "seconds": end - start,
        "phases": {name: marks[i + 1][1] - at for i, (name, at) in enumerate(phases)},
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "summary": summary.as_json()}))


def measure(backend: str, url: str) -> Point:
    records, scan_s = scan(url)
    out = subprocess.run([sys.executable, __file__, "--child", url], check=True,
                         capture_output=True, text=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    point = Point(backend, records, scan_s, found)
    print(f"{backend}: {records:,} records; bare read {scan_s:.1f} s; quality run "
          f"{point.run_s:.1f} s ({', '.join(f'{k} {v:.1f} s' for k, v in found['phases'].items())}"
          f"), peak {found['peak_mb']:,.0f} MB", flush=True)
    return point


def section(points: list[Point]) -> str:
    rows = "\n".join(
        f"| {p.backend} | {p.records:,} | {p.scan_s:.1f} | {p.run_s:.1f} | "
        f"{' / '.join(f'{v:.0f}' for v in p.run['phases'].values())} | "
        f"{p.run_s / p.scan_s:.1f}× | {p.run['peak_mb']:,.0f} | "
        f"{sum(r['perimeter'] for r in p.run['summary']['rules'].values()):,} | "
        f"{p.run['summary']['anomalies'].get('raised', 0):,} | "
        f"{'met' if p.run_s <= TARGET_S else '**missed**'} |" for p in points)
    phases = " / ".join(points[0].run["phases"]) if points else ""
    rules = points[0].run["summary"]["rules"] if points else {}
    detail = ", ".join(f"{k} {v['deviating']:,}/{v['perimeter']:,}" for k, v in rules.items())
    return (f"{BEGIN}\n## Quality: a full run on the national dataset\n\n"
            f"Measured on {datetime.now(UTC):%Y-%m-%d} by `bench/quality_run.py` (generated "
            f"section: rerun, don't edit), {platform.machine()}, Python "
            f"{platform.python_version()}.\n\n"
            "- **Method**: `openror quality run` in a process of its own (every rule over every "
            "organisation, offer and place and the FINESS reference; results and the week's "
            "indicators stored; anomalies raised and closed through the write path), timed "
            "phase by phase, with its peak memory. *Bare read*: the same current rows "
            "streamed and parsed with orjson, in the same run, on the same database.\n"
            "- **Target** (issue): a full run in ≤ 10 minutes on 2 cores.\n\n"
            f"| Back-end | Records read | Bare read s | Run s | Phases s ({phases}) | Run / "
            "read | Peak MB | Results | Anomalies raised | Target ≤ 600 s |\n"
            "|---|---|---|---|---|---|---|---|---|---|\n"
            f"{rows}\n\n"
            f"Deviating / perimeter per rule (first back-end): {detail}.\n{END}\n")


def write_docs(text: str) -> None:
    write_section(BEGIN, END, text)


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sqlite", type=Path, help="an imported national SQLite file")
    parser.add_argument("--postgres", help="a PostgreSQL URL holding the same dataset")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    points = []
    if args.sqlite:
        points.append(measure("SQLite", f"sqlite:///{args.sqlite.resolve()}"))
    if args.postgres:
        points.append(measure("PostgreSQL", args.postgres))
    if args.write_docs and points:
        write_docs(section(points))
    return 0


if __name__ == "__main__":
    sys.exit(main())
