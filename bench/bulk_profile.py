"""Where the bulk write path spends its time: one `openror import bundle`, phase by phase.

A small, repeatable harness for work on the bulk writer (``services.bulk``) and the derived
rows it writes (search index, capacity history). It generates ``openror generate national``
limited to a few hundred establishments (kept in ``--work`` for the next run), imports it into
a fresh database in this process, and prints the seconds of each phase (parse, check, stage,
apply) and the apply rate; ``--profile FILE`` runs the apply phase under cProfile and prints
its top entries. ``--digest`` instead prints a fingerprint of the search index rows and
capacity history rows the code derives from every generated resource, without a database:
equal before and after a change of the derivation code, it shows the rows did not change.

    .venv/bin/python bench/bulk_profile.py [--limit N] [--seed S] [--work DIR]
        [--database URL] [--profile FILE] [--digest]
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.import_national import generate, lines, upgrade

PHASES = ("parse", "check", "stage", "apply")


def dataset(work: Path, seed: int, limit: int) -> list[Path]:
    out = work / f"national-{seed}-{limit}"
    if not out.exists():
        generate(out, seed, limit)
    return sorted(p for p in out.iterdir() if ".ndjson" in p.name)


def timed_import(url: str, files: list[Path], work: Path, profile: Path | None
                 ) -> dict[str, float]:
    """Import ``files`` in this process; return the seconds of each phase."""
    from openror.config import load_settings
    from openror.importers import sources as import_sources
    from openror.importers.run import ImportRun, Options
    from openror.services.container import Services

    seconds: dict[str, float] = {}
    profiler = cProfile.Profile() if profile else None

    def timed(name: str, phase: Callable[[Sequence[Path]], None]) -> Callable[..., None]:
        def run(paths: Sequence[Path]) -> None:
            start, cpu = time.perf_counter(), time.process_time()
            if profiler is not None and name == "apply":
                profiler.runcall(phase, paths)
            else:
                phase(paths)
            seconds[name] = time.perf_counter() - start
            seconds[f"{name} cpu"] = time.process_time() - cpu
        return run

    services = Services.open(load_settings().with_overrides(database_url=url,
                                                            data_dir=work / "data"))
    try:
        run = ImportRun(services, import_sources.resource_source("bundle"),
                        Options(progress=False))
        for name in PHASES:
            setattr(run, f"_{name}", timed(name, getattr(run, f"_{name}")))
        print(run.run(files))
    finally:
        services.close()
    if profiler is not None and profile is not None:
        profiler.dump_stats(str(profile))
    return seconds


def digest(files: list[Path]) -> tuple[int, str]:
    """(resources, fingerprint of their search index rows and capacity history rows)."""
    from openror.store import capacity_history
    from openror.store.search_rows import index_rows

    at = datetime(2026, 1, 1, tzinfo=UTC)
    fingerprint = hashlib.sha256()
    count = 0
    for raw in lines(files):
        body: dict[str, Any] = orjson.loads(raw)
        rows: Any = index_rows(body["resourceType"], str(body.get("id")), body)
        if body["resourceType"] == "Location":
            rows = [rows, capacity_history.changes(str(body.get("id")), 1, at, "11", None, body)]
        fingerprint.update(orjson.dumps(rows, option=orjson.OPT_NON_STR_KEYS, default=str))
        count += 1
    return count, fingerprint.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--limit", type=int, default=700)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bulk_profile")
    parser.add_argument("--database", help="default: a fresh SQLite file in --work")
    parser.add_argument("--profile", type=Path, help="cProfile the apply phase into this file")
    parser.add_argument("--digest", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    files = dataset(args.work, args.seed, args.limit)
    if args.digest:
        start = time.perf_counter()
        count, print_ = digest(files)
        print(f"{count} resources, rows derived in {time.perf_counter() - start:.1f} s: "
              f"{print_}")
        return 0
    url = args.database
    if url is None:
        db = args.work / "bulk_profile.db"
        db.unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    upgrade(url)
    os.environ.setdefault("OPENROR_LOG_LEVEL", "WARNING")
    load = os.getloadavg()[0]
    seconds = timed_import(url, files, args.work, args.profile)
    count = sum(1 for _ in lines(files))
    print(" ".join(f"{name} {seconds[name]:.1f} s" for name in PHASES)
          + f"; apply {count / seconds['apply']:,.0f} resources/s (CPU "
          f"{seconds['apply cpu']:.1f} s), all {count / sum(seconds[n] for n in PHASES):,.0f}/s; "
          f"load {load:.2f} -> {os.getloadavg()[0]:.2f}")
    if args.profile:
        pstats.Stats(str(args.profile)).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
