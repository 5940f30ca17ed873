"""Orientation latency on the national dataset: ``GET /api/orientation`` over HTTP, next to the
plain FHIR search of the same criteria measured in the same run.

Needs a SQLite file that already holds the national dataset (``openror generate national``
then ``openror import bundle``; see docs/benchmarks.md) and, for PostgreSQL, a database
holding a copy of its tables (``bench/copy_to_postgres.py``). A real ``openror serve``
(1 worker) on 127.0.0.1 serves each in turn; the client authenticates as
bench/search_national.py does (a profile-1 API client added with the CLI, its token from
``POST /auth/token``).

Queries: French free text (« cardio », « kiné », « maternité niveau 3 », « ophtalmo »,
« urgences »), the most and the least frequent activity codes of the data (with an age), at
communes of varying density: Paris, a mid-size town, a rural commune, an overseas one. Per
query: warm-up, then ``--runs`` sequential requests; p50 / p95 as the client sees it (answer
received and parsed). Reference, same run, alternating with it: the FHIR search
``HealthcareService?specialty=…&location.near=lat|lon|R|km&_count=<count>`` with the
activities the orientation understood and the radius it ended at (the whole country when it
went national).

    .venv/bin/python bench/orientation_national.py --sqlite PATH [--postgres URL] [--runs N]
                                                   [--count N] [--source DIR] [--write-docs]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.docs_section import markers, write_section  # noqa: E402
from bench.http_core import (  # noqa: E402
    HOST,
    SERVER_ENV,
    bench_token,
    free_port,
    openror_cmd,
    running,
)
from openror.store.dialect import normalise_url  # noqa: E402

ACTIVITY_SYSTEM = ("https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/"
                   "TRE-R211-ActiviteOperationnelle")
NATIONAL_KM = 20_100  # what the engine searches when it goes national
TARGET_MS = 100.0
WARMUP = 3
COMMUNES = (("75056", "Paris"), ("86194", "Poitiers"), ("48146", "Gorges du Tarn Causses"),
            ("97302", "Cayenne"))
TEXTS = ("cardio", "kiné", "maternité niveau 3", "ophtalmo", "urgences")


@dataclass
class Query:
    label: str
    commune: str
    params: dict[str, str]
    orientation_ms: list[float] = field(default_factory=list)
    fhir_ms: list[float] = field(default_factory=list)
    answer: dict[str, Any] = field(default_factory=dict)
    fhir_total: int = 0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def activity_codes(url: str) -> tuple[str, str]:
    """The most and the least frequent activities of the offers."""
    engine = sa.create_engine(normalise_url(url))
    sql = ("SELECT code FROM search_token WHERE type = 'HealthcareService' AND param = "
           "'specialty' GROUP BY code ORDER BY count(*) {order}, code LIMIT 1")
    with engine.connect() as conn:
        common = conn.execute(sa.text(sql.format(order="DESC"))).scalar_one()
        rare = conn.execute(sa.text(sql.format(order="ASC"))).scalar_one()
    engine.dispose()
    return str(common), str(rare)


def queries(common: str, rare: str) -> list[Query]:
    found = []
    for commune, name in COMMUNES:
        for text in TEXTS:
            found.append(Query(f"« {text} »", name, {"q": text, "commune": commune}))
        found.append(Query(f"activity {common} (most frequent), age 45", name,
                           {"activity": common, "age": "45", "commune": commune}))
        found.append(Query(f"activity {rare} (least frequent), age 8", name,
                           {"activity": rare, "age": "8", "commune": commune}))
    return found


def fhir_params(answer: dict[str, Any], count: int) -> list[tuple[str, str]]:
    """The plain FHIR search of the criteria the orientation understood and searched."""
    codes = ",".join(f"{ACTIVITY_SYSTEM}|{a['code']}" for a in answer["need"]["activities"])
    where, search = answer["where"], answer["search"]
    radius = NATIONAL_KM if search["national"] else search["radius_km"]
    return [("specialty", codes),
            ("location.near", f"{where['lat']}|{where['lon']}|{radius:g}|km"),
            ("_count", str(count))]


def timed_get(client: httpx.Client, url: str) -> tuple[float, Any]:
    start = time.perf_counter()
    response = client.get(url)
    body = response.json()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code} {response.text[:300]}")
    return elapsed, body


def measure_one(client: httpx.Client, query: Query, runs: int, count: int) -> None:
    orientation = f"/api/orientation?{urlencode({**query.params, 'count': str(count)})}"
    _, query.answer = timed_get(client, orientation)
    fhir = f"/fhir/HealthcareService?{urlencode(fhir_params(query.answer, count))}"
    for i in range(WARMUP + runs):  # alternate: both see the same state of the caches
        o_ms, _ = timed_get(client, orientation)
        f_ms, bundle = timed_get(client, fhir)
        if i >= WARMUP:
            query.orientation_ms.append(o_ms)
            query.fhir_ms.append(f_ms)
            query.fhir_total = int(bundle.get("total", 0))


def measure(url: str, runs: int, count: int) -> list[Query]:
    chosen = queries(*activity_codes(url))
    port = free_port()
    with running(openror_cmd(port, 1, url), SERVER_ENV, port, "/fhir/metadata", quiet=True), \
            httpx.Client(base_url=f"http://{HOST}:{port}", timeout=120) as client:
        client.headers["Authorization"] = f"Bearer {bench_token(url, port)}"
        for query in chosen:
            measure_one(client, query, runs, count)
            print(f"  {query.label} @ {query.commune}: {reach(query)}, orientation p95 "
                  f"{pct(query.orientation_ms, .95):.1f} ms, FHIR p95 "
                  f"{pct(query.fhir_ms, .95):.1f} ms", flush=True)
    return chosen


# --- report ----------------------------------------------------------------------------------

def reach(query: Query) -> str:
    search = query.answer["search"]
    radius = "national" if search["national"] else f"{search['radius_km']:g} km"
    return f"{radius} (from {search['start_km']:g})"


def table(chosen: list[Query]) -> str:
    lines = ["| Query | Commune | Radius reached | Candidates | Orientation p50 / p95 (ms) | "
             "FHIR search p50 / p95 (ms) | FHIR total | Target p95 ≤ 100 ms |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for q in chosen:
        p95 = pct(q.orientation_ms, .95)
        lines.append(
            f"| {q.label} | {q.commune} | {reach(q)} | {q.answer['search']['candidates']:,} | "
            f"{statistics.median(q.orientation_ms):.1f} / {p95:.1f} | "
            f"{statistics.median(q.fhir_ms):.1f} / {pct(q.fhir_ms, .95):.1f} | "
            f"{q.fhir_total:,} | {'met' if p95 <= TARGET_MS else '**missed**'} |")
    every = [t for q in chosen for t in q.orientation_ms]
    fhir = [t for q in chosen for t in q.fhir_ms]
    met = sum(pct(q.orientation_ms, .95) <= TARGET_MS for q in chosen)
    lines.append(f"| **all queries** | | | | {statistics.median(every):.1f} / "
                 f"{pct(every, .95):.1f} | {statistics.median(fhir):.1f} / "
                 f"{pct(fhir, .95):.1f} | | {met} of {len(chosen)} met |")
    return "\n".join(lines)


def sizes_of(url: str) -> str:
    engine = sa.create_engine(normalise_url(url))
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT type, count(*) FROM resource WHERE type IN "
                                    "('HealthcareService', 'Location') GROUP BY type")).all()
    engine.dispose()
    return ", ".join(f"{n:,} {t}" for t, n in rows)


def section(measured: dict[str, list[Query]], args: argparse.Namespace, sizes: str) -> str:
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    tables = "\n\n".join(f"**{backend}**\n\n{table(chosen)}"
                          for backend, chosen in measured.items())
    begin, _ = markers("orientation_national", list(measured))
    return f"""{begin}
## Orientation on the national dataset

Measured on {date} by `bench/orientation_national.py` (generated section: rerun, don't edit).

- **Data**: the national dataset (`openror generate national --seed 1`, imported with
  `openror import bundle`): {sizes}.
- **Method**: one `openror serve` worker on 127.0.0.1, a profile-1 API client. Per query
  (French free text; the most and the least frequent activity codes with an age; at Paris, a
  mid-size town, a rural commune of Lozère and Cayenne), {WARMUP} warm-up rounds then
  {args.runs} sequential rounds of `GET /api/orientation?…&count={args.count}` and, right
  after it, the plain FHIR search of the same criteria, `GET /fhir/HealthcareService?`
  `specialty=<the activities understood>&location.near=lat|lon|R|km&_count={args.count}`,
  with R the radius the orientation ended at ({NATIONAL_KM:,} km when it went national). The
  FHIR search neither filters on age, expertise or closings nor ranks (it orders by
  distance). Latency = request sent to answer parsed by the client.
- **Target** (issue): p95 ≤ 100 ms per orientation query on SQLite and PostgreSQL.

{tables}
{markers("orientation_national", list(measured))[1]}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sqlite", type=Path, help="SQLite file holding the national dataset")
    parser.add_argument("--postgres", help="PostgreSQL URL holding the national dataset")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--source", type=Path,
                        help="serve from this source tree (its src/ first on PYTHONPATH): a "
                             "tree whose schema version is the file's, which the benchmark "
                             "never upgrades")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    if args.source:  # inherited by the server and the CLI that adds the client
        os.environ["PYTHONPATH"] = str(args.source.resolve() / "src")
    targets = {**({"SQLite": f"sqlite:///{args.sqlite.resolve()}"} if args.sqlite else {}),
               **({"PostgreSQL": args.postgres} if args.postgres else {})}
    if not targets:
        parser.error("give --sqlite, --postgres or both")
    measured = {}
    for backend, target in targets.items():
        print(backend, flush=True)
        measured[backend] = measure(target, args.runs, args.count)
    text = section(measured, args, sizes_of(next(iter(targets.values()))))
    print(text)
    if args.write_docs:
        write_section(*markers("orientation_national", list(measured)), text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
