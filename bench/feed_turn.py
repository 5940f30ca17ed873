"""The cost of the change feed's turn (``store.feed_order``) on PostgreSQL.

Writers in separate processes (no shared GIL) patch random organisations of a fresh database
as fast as they can, for ``--seconds``, in two modes taken in alternation (``--rounds``
times each, so that other work on the machine weighs on both alike):

* *turn*: as shipped, one transaction-level advisory lock from numbering to commit;
* *no turn*: the lock replaced by nothing, as before the gap-free feed (numbers then follow
  no commit order).

Printed: writes/s per mode and round, the writers' latency (p50/p95), and, with the turn,
how long a writer waited for it (p50/p95/max).

    .venv/bin/python bench/feed_turn.py [--processes 4] [--seconds 10] [--rounds 2]
        [--organisations 200] [--postgres URL]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.http_core import pg_admin  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "openror_bench_feed_turn"


def _organisation(n: int) -> dict[str, object]:
    return {"resourceType": "Organization", "name": f"Organisation {n}",
            "identifier": [{"system": "https://finess.esante.gouv.fr", "value": f"01{n:07d}"}]}


def _rename(n: int) -> dict[str, object]:
    return {"resourceType": "Parameters", "parameter": [{"name": "operation", "part": [
        {"name": "type", "valueCode": "replace"},
        {"name": "path", "valueString": "Organization.name"},
        {"name": "value", "valueString": f"Nom {n}"}]}]}


def _seed(url: str, count: int) -> list[str]:
    from openror.access.caller import SYSTEM
    from openror.services.writes import WritePath
    from openror.store.database import Database
    from openror.store.feed import LogEntry
    from openror.store.migrate import upgrade
    from openror.terminology import default_terminology

    db = Database(url)
    upgrade(db)
    writes = WritePath(db, default_terminology(), "11")
    ids = [writes.create(_organisation(n), LogEntry(actor="bench"), caller=SYSTEM).stored.id
           for n in range(count)]
    db.dispose()
    return ids


def _writer(url: str, ids: list[str], seconds: float, turn: bool, start_at: float
            ) -> tuple[int, list[float], list[float]]:
    from openror.access.caller import SYSTEM
    from openror.services.writes import WritePath
    from openror.store import feed_order
    from openror.store.database import Database
    from openror.store.feed import LogEntry
    from openror.terminology import default_terminology

    waits: list[float] = []
    original = feed_order.lock

    def timed(conn: sa.Connection) -> None:
        begun = time.perf_counter()
        original(conn)
        waits.append(time.perf_counter() - begun)

    feed_order.lock = timed if turn else (lambda conn: None)  # type: ignore[assignment]
    db = Database(url)
    writes = WritePath(db, default_terminology(), "11")
    log = LogEntry(actor="bench")
    rng = random.Random()
    latencies: list[float] = []
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        begun = time.perf_counter()
        writes.patch("Organization", rng.choice(ids), _rename(rng.randrange(10**6)), log,
                     caller=SYSTEM)
        latencies.append(time.perf_counter() - begun)
    db.dispose()
    return len(latencies), latencies, waits


def _round(url: str, ids: list[str], args: argparse.Namespace, turn: bool) -> str:
    start_at = time.time() + 2  # every process connected and warm before the clock starts
    with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
        results = pool.starmap(_writer, [(url, ids, args.seconds, turn, start_at)] *
                               args.processes)
    writes = sum(r[0] for r in results)
    latencies = sorted(x for r in results for x in r[1])
    waits = sorted(x for r in results for x in r[2])
    line = (f"{'turn   ' if turn else 'no turn'}: {writes / args.seconds:6.1f} writes/s, "
            f"latency p50 {_ms(latencies, 0.5)} p95 {_ms(latencies, 0.95)} ms")
    if waits:
        line += (f"; waited for the turn p50 {_ms(waits, 0.5)} p95 {_ms(waits, 0.95)} "
                 f"max {waits[-1] * 1000:.1f} ms (mean {statistics.mean(waits) * 1000:.2f})")
    return line


def _ms(values: list[float], q: float) -> str:
    return f"{values[min(len(values) - 1, int(q * len(values)))] * 1000:.1f}" if values else "–"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--postgres", default=DEFAULT_PG)
    args = parser.parse_args()
    pg_admin(args.postgres, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    pg_admin(args.postgres, f"CREATE DATABASE {PG_DB}")
    url = sa.engine.make_url(args.postgres).set(database=PG_DB) \
        .render_as_string(hide_password=False)
    try:
        ids = _seed(url, args.organisations)
        print(f"{args.processes} writer processes, {args.seconds:g} s per round, "
              f"{len(ids)} organisations, PostgreSQL", flush=True)
        for n in range(args.rounds):
            for turn in (True, False) if n % 2 == 0 else (False, True):
                print(f"round {n + 1}, {_round(url, ids, args, turn)}", flush=True)
    finally:
        pg_admin(args.postgres, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
