"""The garbage collector's pauses during orientations, in-process, with and without the freeze a
server worker makes when it starts (``services.heap.settle``).

Opens the services on a database, runs 8 orientations to load what they use, then (``--freeze``)
collects and freezes as a worker does, and times every collection (per generation) while
``--count`` orientations drawn from 20 (5 French free texts × 4 communes: Paris, Poitiers, a
rural commune of Lozère, Cayenne) run one after the other. Run it with and without ``--freeze``
in turn on an idle machine.

    .venv/bin/python bench/gc_pauses.py sqlite:////path/national.db [--count 80] [--freeze]
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openror.access.caller import Caller  # noqa: E402
from openror.api.orientation_api import answer  # noqa: E402
from openror.config import load_settings  # noqa: E402
from openror.services.container import Services  # noqa: E402

TEXTS = ("cardio", "kiné", "maternité niveau 3", "ophtalmo", "urgences")
COMMUNES = ("75056", "86194", "48146", "97302")


class Pauses:
    """Every collection's duration, per generation, while installed."""

    def __init__(self) -> None:
        self.by_generation: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.by_generation[info["generation"]].append(time.perf_counter() - self._started)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("url", help="database URL holding the data")
    parser.add_argument("--count", type=int, default=80)
    parser.add_argument("--freeze", action="store_true", help="freeze as a worker does")
    args = parser.parse_args()
    services = Services.open(load_settings({"OPENROR_DATABASE_URL": args.url}))
    caller = Caller("client:bench-gc", 1)
    queries = [{"q": q, "commune": c} for q in TEXTS for c in COMMUNES]
    try:
        for params in queries[:8]:
            answer(services.db, caller, params)
        if args.freeze:
            gc.collect()
            gc.freeze()
        pauses = Pauses()
        gc.callbacks.append(pauses)
        rng = random.Random(1)
        ms: list[float] = []
        begin = time.perf_counter()
        for _ in range(args.count):
            start = time.perf_counter()
            answer(services.db, caller, rng.choice(queries))
            ms.append((time.perf_counter() - start) * 1000)
        total = time.perf_counter() - begin
        gc.callbacks.remove(pauses)
    finally:
        services.close()
    print(f"frozen objects {gc.get_freeze_count():,}")
    for generation, spent in pauses.by_generation.items():
        print(f"generation {generation}: {len(spent)} collections, {sum(spent) * 1000:.0f} ms "
              f"in all, {max(spent, default=0) * 1000:.1f} ms at most")
    ms.sort()
    print(f"{args.count} orientations in {total:.1f} s; p50 {ms[len(ms) // 2]:.1f} ms, "
          f"p95 {ms[int(len(ms) * 0.95)]:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
