"""Search latency on the national dataset: each golden ROR query recipe over HTTP, next to the
raw SQL of the same question measured in the same run.

Needs databases that already hold the national dataset (``openror generate national`` then
``openror import bundle``; see docs/benchmarks.md): ``--sqlite PATH`` and/or ``--postgres URL``.
For each: a real ``openror serve`` (1 worker) on 127.0.0.1; for each recipe, values are drawn
from the data (the most frequent activities, communes that have places, real identifiers…) and
rotated over the requests, so that no single cached answer is measured. Per recipe: warm-up,
then ``--runs`` sequential requests; p50 / p95 latency as the client sees it (full Bundle
received and parsed).

Reference, same run: the SQL the engine runs for that request (the probes that resolve small
correlated groups, the matching statement with its order and page limit, compiled for the
dialect, then the fetch of the page's resources) executed on a plain DB-API connection,
without HTTP, parsing, planning, includes or Bundle assembly. The ratio of the two is the
framework's overhead.

    .venv/bin/python bench/search_national.py [--sqlite PATH] [--postgres URL] [--runs N]
                                              [--count N] [--write-docs]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
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
from openror.access.caller import SYSTEM  # noqa: E402
from openror.search import groups  # noqa: E402
from openror.search.parse import parse_query  # noqa: E402
from openror.search.plan import statement  # noqa: E402
from openror.search.scope import searching_as  # noqa: E402
from openror.search.sql import all_of  # noqa: E402
from openror.store.dialect import normalise_url  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
NOS = "https://mos.esante.gouv.fr/NOS/"
R30 = f"{NOS}TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM"
GRAPH = [("_include", "HealthcareService:organization"),
         ("_include:iterate", "Organization:partof"),
         ("_include", "HealthcareService:location"),
         ("_revinclude", "PractitionerRole:service"),
         ("_include", "PractitionerRole:practitioner")]
Pairs = list[tuple[str, str]]


def code(tre: str, value: str) -> str:
    """'TRE_R330-TypeStatutCapacite', '02' -> the token system|code."""
    return f"{NOS}{tre}/FHIR/{tre.replace('_', '-', 1)}|{value}"


@dataclass(frozen=True)
class Recipe:
    name: str
    rtype: str
    variants: list[Pairs]
    target_ms: float = 100.0


@dataclass
class Result:
    recipe: Recipe
    http_ms: list[float]
    sql_ms: list[float]
    matches: list[int]

    @staticmethod
    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- values drawn from the data --------------------------------------------------------------

class Picker:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.conn.execute(sa.text(sql), params)]

    def tokens(self, rtype: str, param: str, n: int, where: str = "") -> list[str]:
        rows = self.rows(f"SELECT system, code, count(*) AS n FROM search_token WHERE type = :t "
                         f"AND param = :p {where} GROUP BY system, code ORDER BY n DESC "
                         "LIMIT :n", t=rtype, p=param, n=n)
        return [f"{s}|{c}" if s else c for s, c, _ in rows]

    def ids(self, rtype: str, param: str, n: int) -> list[str]:
        rows = self.rows("SELECT code FROM search_token WHERE type = :t AND param = :p "
                         "ORDER BY id LIMIT :n", t=rtype, p=param, n=n * 37)
        return [r[0] for r in rows[::37]][:n]


def recipes(p: Picker, k: int) -> list[Recipe]:
    activities = p.tokens("HealthcareService", "specialty", k)
    categories = p.tokens("HealthcareService", "service-category", 3)
    care_modes = p.tokens("HealthcareService", "characteristic", 3)
    communes = [c.split("|")[-1] for c in p.tokens("Location", "commune-cog", k)]
    points = p.rows("SELECT lat, lon FROM search_geo WHERE type = 'Location' ORDER BY id "
                    "LIMIT :n", n=k * 101)[::101]
    postcodes = sorted({r[0][:2] for r in p.rows(
        "SELECT value FROM search_string WHERE type = 'Location' AND param = "
        "'address-postalcode' ORDER BY id LIMIT 2000")})[:k]
    practitioners = p.ids("Practitioner", "identifier", k)
    finess = p.rows("SELECT t.code FROM search_token t JOIN search_ref r ON r.type = "
                    "'Organization' AND r.param = 'partof' AND r.target_id = t.id WHERE "
                    "t.type = 'Organization' AND t.param = 'identifier' AND t.system = "
                    "'https://finess.esante.gouv.fr' ORDER BY t.id LIMIT :n", n=k * 13)[::13]
    offers = p.ids("HealthcareService", "identifier", k)
    anomalies = [r[0] for r in p.rows(
        "SELECT t.code FROM search_token t JOIN search_ref r ON r.type = 'Task' AND "
        "r.target_type = 'HealthcareService' AND r.target_id = t.id WHERE t.type = "
        "'HealthcareService' AND t.param = 'identifier' ORDER BY t.id LIMIT :n", n=k)]
    regions = [c.split("|")[-1] for c in p.tokens("Location", "_tag", k)]
    cap = [("location.capacity-type", code("TRE_R329-NatureCapacite", "01")),
           ("location.temporality-capacity",
            code("TRE_R331-TemporaliteCapacite", "01"))]

    def each(values: list[Any], make: Callable[[Any], Pairs]) -> list[Pairs]:
        return [make(v) for v in values if v]

    return [
        Recipe("Offers by activity (+ full offer graph)", "HealthcareService",
               each(activities, lambda a: [("specialty", a), *GRAPH])),
        Recipe("Type AND care mode", "HealthcareService",
               [[("service-category", c), ("characteristic", m)]
                for c in categories for m in care_modes]),
        Recipe("Activity near a commune, 15 km", "HealthcareService",
               [[("specialty", a), ("location.near-insee-code", f"{c}|15|km")]
                for a, c in zip(activities, communes, strict=False)]),
        Recipe("Activity + near a point, 20 km", "HealthcareService",
               [[("specialty", a), ("location.near", f"{lat}|{lon}|20|km")]
                for a, (lat, lon) in zip(activities, points, strict=False)], 30.0),
        Recipe("Postcode prefix + type + care mode", "HealthcareService",
               [[("location.address-postalcode", pc), ("service-category", c),
                 ("characteristic", m)]
                for pc, c, m in zip(postcodes, categories * k, care_modes * k, strict=False)]),
        Recipe("Communes (comma OR) + activity", "HealthcareService",
               [[("location.commune-cog", f"{a},{b}"), ("specialty", act)]
                for a, b, act in zip(communes, communes[1:], activities, strict=False)]),
        Recipe("Intervention zone + activity", "HealthcareService",
               [[("intervention-zone", c), ("specialty", a)]
                for c, a in zip(communes, activities, strict=False)]),
        Recipe("Offers of a professional (_has)", "HealthcareService",
               each(practitioners, lambda i: [
                   ("_has:PractitionerRole:service:practitioner.identifier", i)])),
        Recipe("Offers of an establishment (organization:above)", "HealthcareService",
               each([f[0] for f in finess], lambda f: [("organization:above.identifier", f)])),
        Recipe("Correlated capacity: available female bed", "HealthcareService",
               each(activities, lambda a: [
                   ("specialty", a), *cap,
                   ("location.gender-capacity-available",
                    code("TRE_R332-GenreCapacite", "01")),
                   ("location.capacity-status",
                    code("TRE_R330-TypeStatutCapacite", "02")),
                   ("location.nb-capacity", "gt0"), ("_include", "HealthcareService:location")]),
               50.0),
        Recipe("Closed re-openable beds", "HealthcareService",
               each(activities, lambda a: [
                   ("specialty", a),
                   ("location.capacity-closing-type",
                    code("TRE_R333-TypeFermetureCapacite", "01")),
                   ("location.capacity-status",
                    code("TRE_R330-TypeStatutCapacite", "05")),
                   ("location.nb-capacity", "gt0")])),
        Recipe("Equipment with a limit (≥ 200 kg)", "HealthcareService",
               each(p.tokens("Location", "equipment-type", k), lambda e: [
                   ("location.equipment-type", e),
                   ("location.limit-value", "ge200|http://unitsofmeasure.org|kg")])),
        Recipe("Tariffs, chained sort", "HealthcareService",
               [[("organization.price-type",
                  code("TRE_R246-TypeTarif", "02")),
                 ("organization.price-amount-value", f"lt{x}"),
                 ("_sort", "-organization.price-validity-start-date")] for x in (80, 100, 120)]),
        Recipe("Full text", "HealthcareService",
               [[("_content", w)] for w in ("cardio", "pediatrie", "ehpad", "kine", "dialyse",
                                            "urgences", "psychiatrie", "maternite")]),
        Recipe("Places of a region changed since (+ offers)", "Location",
               [[("_tag", f"{R30}|{r}"), ("_lastUpdated", "ge2020-01-01"),
                 ("_revinclude", "HealthcareService:location")] for r in regions]),
        Recipe("Anomalies of an offer", "Task",
               each(anomalies, lambda i: [("focus:HealthcareService.identifier", i)])),
        Recipe("Offer by identifier + its anomalies", "HealthcareService",
               each(offers, lambda i: [("identifier", i), ("_revinclude", "Task:focus")])),
    ]


# --- measures --------------------------------------------------------------------------------

def cycle(variants: list[Pairs], n: int) -> Iterator[Pairs]:
    for i in range(n):
        yield variants[i % len(variants)]


def http_times(client: httpx.Client, recipe: Recipe, runs: int, count: int
               ) -> tuple[list[float], list[int]]:
    times, totals = [], []
    for i, pairs in enumerate(cycle(recipe.variants, runs + 5)):
        url = f"/fhir/{recipe.rtype}?{urlencode([*pairs, ('_count', str(count))])}"
        start = time.perf_counter()
        response = client.get(url)
        bundle = response.json()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.text[:300]}")
        if i >= 5:
            times.append(elapsed)
            totals.append(int(bundle.get("total", 0)))
    return times, totals


def _sql(stmt: Any, dialect: Any) -> str:
    text = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    return text.replace("%", "%%") if dialect.name == "postgresql" else text


Statement = tuple[str, Any]  # SQL for the driver, its parameters (None: literal SQL)


def compiled_statements(engine: sa.Engine, recipe: Recipe, count: int
                        ) -> list[list[Statement]]:
    """Per variant, the SQL the engine runs: the probes that resolve small sets and size a
    driving parameter (``search.groups``, captured as the engine runs them), then the
    matching statement as prepared, with its order and page limit, then the count of all
    matches (for ``total``)."""
    out = []
    with engine.connect() as conn, searching_as(SYSTEM):
        for pairs in recipe.variants:
            query = parse_query(recipe.rtype, pairs)
            probes: list[Statement] = []

            def capture(*args: Any, probes: list[Statement] = probes) -> None:
                probes.append((args[2], args[3]))  # statement, parameters

            sa.event.listen(conn, "before_cursor_execute", capture)
            try:
                resolved = replace(query, criteria=groups.prepare(conn, recipe.rtype,
                                                                  query.criteria))
            finally:
                sa.event.remove(conn, "before_cursor_execute", capture)
            matches = all_of(recipe.rtype, resolved.criteria).subquery()
            total = sa.select(sa.func.count()).select_from(matches)
            out.append([*probes, (_sql(statement(resolved).limit(count), engine.dialect), None),
                        (_sql(total, engine.dialect), None)])
    return out


def sql_times(engine: sa.Engine, recipe: Recipe, runs: int, count: int) -> list[float]:
    compiled = compiled_statements(engine, recipe, count)
    fetch = "SELECT content FROM resource WHERE type = '{t}' AND id IN ({ids})"
    raw = engine.raw_connection()
    times = []
    try:
        for i in range(runs + 5):
            *probes, main, total = compiled[i % len(compiled)]
            cursor = raw.cursor()
            start = time.perf_counter()
            for sql, params in probes:
                cursor.execute(sql, params)
                cursor.fetchall()
            cursor.execute(main[0])
            ids = [row[0] for row in cursor.fetchall()]
            if len(ids) == count:  # a full page: the total needs a count
                cursor.execute(total[0])
                cursor.fetchall()
            if ids:
                listed = ", ".join("'" + rid.replace("'", "''") + "'" for rid in ids)
                cursor.execute(fetch.format(t=recipe.rtype, ids=listed))
                cursor.fetchall()
            elapsed = (time.perf_counter() - start) * 1000
            raw.rollback()
            if i >= 5:
                times.append(elapsed)
    finally:
        raw.close()
    return times


def measure(url: str, runs: int, count: int, k: int) -> list[Result]:
    engine = sa.create_engine(normalise_url(url))
    with engine.connect() as conn:
        chosen = recipes(Picker(conn), k)
    port = free_port()
    results = []
    with running(openror_cmd(port, 1, url), SERVER_ENV, port, "/fhir/metadata", quiet=True), \
            httpx.Client(base_url=f"http://{HOST}:{port}", timeout=60) as client:
        client.headers["Authorization"] = f"Bearer {bench_token(url, port)}"
        for recipe in chosen:
            if not recipe.variants:
                print(f"  {recipe.name}: no values in the data, skipped", flush=True)
                continue
            http_ms, totals = http_times(client, recipe, runs, count)
            sql_ms = sql_times(engine, recipe, runs, count)
            results.append(Result(recipe, http_ms, sql_ms, totals))
            print(f"  {recipe.name}: p95 {Result.pct(http_ms, .95):.1f} ms "
                  f"(SQL {Result.pct(sql_ms, .95):.1f} ms), matches "
                  f"{min(totals)}–{max(totals)}", flush=True)
    engine.dispose()
    return results


# --- report ----------------------------------------------------------------------------------

def table(results: list[Result]) -> str:
    lines = ["| Recipe | Matches (min–max) | HTTP p50 / p95 (ms) | SQL p50 / p95 (ms) | "
             "Overhead (p95) | Target p95 |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in results:
        http95, sql95 = Result.pct(r.http_ms, .95), Result.pct(r.sql_ms, .95)
        verdict = "met" if http95 <= r.recipe.target_ms else "**missed**"
        lines.append(
            f"| {r.recipe.name} | {min(r.matches):,}–{max(r.matches):,} | "
            f"{statistics.median(r.http_ms):.1f} / {http95:.1f} | "
            f"{statistics.median(r.sql_ms):.1f} / {sql95:.1f} | "
            f"{http95 / sql95 if sql95 else 0:.1f}× | ≤ {r.recipe.target_ms:.0f}: {verdict} |")
    return "\n".join(lines)


def section(by_backend: dict[str, list[Result]], args: argparse.Namespace, sizes: str) -> str:
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    tables = "\n\n".join(f"**{name}**\n\n{table(rows)}" for name, rows in by_backend.items())
    begin, end = markers("search_national", list(by_backend))
    return f"""{begin}
## Search: golden recipes on the national dataset

Measured on {date} by `bench/search_national.py` (generated section: rerun, don't edit).

- **Data**: the national dataset (`openror generate national --seed 1`, imported with
  `openror import bundle`): {sizes}.
- **Method**: one `openror serve` worker on 127.0.0.1 per back-end; per recipe, values drawn
  from the data and rotated (`{args.values}` variants), 5 warm-up requests then {args.runs}
  sequential requests with `_count={args.count}`; latency = request sent to Bundle parsed by
  the client. *SQL* = the engine's own statements for the same request (the probes that
  resolve small sets, as the engine ran them; the matching statement with its order and page
  limit; the count of all matches when the page is full), plus the fetch of the page's
  resources, run on a plain DB-API connection in the benchmark process: what the database
  costs to answer the request, without HTTP, parsing, planning, includes, the paging
  snapshot (up to 10,000 matches kept for the next pages) and Bundle assembly.
  *Overhead* = HTTP p95 / SQL p95.
- **Targets** (issue): each recipe p95 ≤ 100 ms; correlated capacity ≤ 50 ms; activity + near
  20 km ≤ 30 ms.

{tables}
{end}
"""


def sizes_of(url: str) -> str:
    engine = sa.create_engine(normalise_url(url))
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT type, count(*) FROM resource GROUP BY type "
                                    "ORDER BY count(*) DESC")).all()
    engine.dispose()
    return ", ".join(f"{n:,} {t}" for t, n in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sqlite", type=Path, help="SQLite file holding the national dataset")
    parser.add_argument("--postgres", help="PostgreSQL URL holding the national dataset")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--values", type=int, default=10)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    targets = {}
    if args.sqlite:
        targets["SQLite"] = f"sqlite:///{args.sqlite.resolve()}"
    if args.postgres:
        targets["PostgreSQL"] = args.postgres
    by_backend = {}
    for name, url in targets.items():
        print(name, flush=True)
        by_backend[name] = measure(url, args.runs, args.count, args.values)
    text = section(by_backend, args, sizes_of(next(iter(targets.values()))))
    print(text)
    if args.write_docs:
        write_section(*markers("search_national", list(by_backend)), text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
