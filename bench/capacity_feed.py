"""Capacity feed benchmark: bed-management updates over HTTP while searches run.

What is measured, on SQLite and on PostgreSQL, each on a fresh database holding the demo
sample (whose hospital units carry an ``idExterneSynchro``, ``1<FINESS>/UF<nnnn>``):

* *feed*: ``PATCH /fhir/ws-synchro-dispo-lits-fhir/Location?identifier=<site>/<code>`` with a
  FHIRPath Patch ``Parameters`` in the ROR's shape (``replace`` of one "available" indicator,
  addressed by all its attributes, with a new bed count and ``capacityUpdateDate`` = now), on a
  random indicator of a random unit, from ``--connections`` keep-alive connections sending as
  fast as answers come back, against a real ``openror serve --workers 2``; updates/s and
  p50/p95/p99 as the client sees them; any answer other than 200 is an error;
* *search*, during the same window, from ``--search-connections`` other connections: the
  correlated capacity search (an activity's offers with an available, current, female bed,
  count > 0, with their places), offers of an activity and places of a commune; p50/p95, and
  the same searches measured alone beforehand (no feed) for comparison;
* where the CPU went during the window: the server's processes, PostgreSQL's, the load
  generators', the whole machine.

References measured in the same run: the same updates applied in-process through
``CapacityFeed.update`` on the same database, one after the other (no HTTP, no event loop: the
write path alone), with a breakdown of one update into its steps; and a bare Starlette
endpoint (same Starlette and uvicorn, 2 workers, TCP_NODELAY listener as ``openror serve``)
that answers the same PATCH with the bytes the real server answered, under the same load: the
ceiling of HTTP, framework and load generator on this machine.

The load generator is a minimal asyncio HTTP/1.1 client (one process for the feed, another for
the searches), not httpx: on a 2-CPU machine the client's own CPU cost counts, and it is
reported. When the bundled sample predates ``idExterneSynchro``, a sample is generated into a
temporary directory (``openror generate sample``); the bundled file is never touched.

Any error fails the run (exit status 1). Before measuring, the run waits (``--idle-wait``)
for the machine to be idle; other work seen during a window is reported in the notes.

    .venv/bin/python bench/capacity_feed.py [--seconds S] [--connections N]
        [--search-connections N] [--stagger-ms MS] [--postgres URL | --no-postgres]
        [--idle-wait S] [--profile] [--write-docs]

``--write-docs`` replaces the section between ``<!-- bench:capacity_feed -->`` and
``<!-- /bench:capacity_feed -->`` in docs/benchmarks.md. ``--profile`` also prints the 25
costliest functions (cProfile, cumulative) of the in-process update path. ``--stagger-ms``
opens the feed's connections that far apart instead of all at once (a diagnostic: which
uvicorn worker serves a connection is decided when it is accepted).
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import cProfile
import gzip
import io
import itertools
import multiprocessing
import os
import platform
import pstats
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import orjson
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.docs_section import write_section  # noqa: E402
from bench.http_core import (  # noqa: E402
    BIN,
    HOST,
    SERVER_ENV,
    BenchError,
    bench_token,
    free_port,
    openror_cmd,
    pg_admin,
    pg_reachable,
    running,
    upgrade,
)

DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:capacity_feed -->", "<!-- /bench:capacity_feed -->"
SAMPLE = ROOT / "src" / "openror" / "importers" / "data" / "sample.ndjson.gz"
FEED = "/fhir/ws-synchro-dispo-lits-fhir/Location"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "openror_bench_capacity"
WORKERS = 2
NOS = "https://mos.esante.gouv.fr/NOS/"
TARGET_RATE, TARGET_P95_MS = 1000.0, 20.0
#: percent of one CPU: the machine counts as idle below, other work as disturbing above
IDLE_BELOW, DISTURBED_ABOVE = 25.0, 15.0
CORRELATED = "correlated capacity"


def code(tre: str, value: str) -> str:
    """'TRE_R330-TypeStatutCapacite', '02' -> the token system|code."""
    return f"{NOS}{tre}/FHIR/{tre.replace('_', '-', 1)}|{value}"


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile, as bench/search_national.py ``Result.pct``."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- what is fed and searched ----------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """One indicator of one fed place: how a feeder addresses it, and the record it holds."""

    identifier: str  # <IdNatStruct of the site>/<external code>
    place: str  # Location id
    path: str  # FHIRPath selecting the indicator by all its attributes
    record: bytes  # the record as stored (JSON)


def indicator_path(codes: dict[str, str | None], url: str, names: tuple[str, ...]) -> str:
    """The FHIRPath a feeder addresses one indicator with: every attribute, absent ones too
    (tests/capacity/feed_fixture.py ``indicator_path``, plus the nature)."""
    criteria = [f"url='{url}'"]
    for name in names:
        value = codes.get(name)
        criteria.append(f"extension.where(url='{name}').value.coding.code='{value}'" if value
                        else f"extension.where(url='{name}').empty()")
    return f"Location.extension.where({' and '.join(criteria)})"


def find_targets(url: str) -> list[Target]:
    """Every "available" (status 02) indicator of every place that has an idExterneSynchro."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT t.code, r.id, r.content FROM search_token t JOIN resource r ON r.type = "
            "t.type AND r.id = t.id WHERE t.type = 'Location' AND t.param = 'identifier' "
            "AND t.code LIKE '1%/UF%' ORDER BY t.code")).all()
    engine.dispose()
    return [target for identifier, place, content in rows
            for target in place_targets(identifier, place, content)]


def place_targets(identifier: str, place: str, content: bytes) -> list[Target]:
    """The "available" (status 02) indicators of one fed place (its stored ``content``)."""
    from openror.fhir import capacity_indicators as ci

    targets = []
    names = (ci.NATURE, *ci.DIMENSIONS)
    for ext in orjson.loads(content).get("extension") or []:
        if not isinstance(ext, dict) or ext.get("url") != ci.URL:
            continue
        record = ci.read_record(ext)
        if record.codes.get("capacityStatus") == ci.AVAILABLE:
            targets.append(Target(identifier, place, indicator_path(record.codes, ci.URL,
                                                                    names),
                                  orjson.dumps(ext)))
    return targets


def feed_body(target: Target, count: int, when: str) -> bytes:
    """A feed request's body: replace the target's record with a new count, dated ``when``."""
    record = orjson.loads(target.record)
    parts = [p for p in record["extension"]
             if p.get("url") not in ("nbCapacity", "capacityUpdateDate")]
    parts.insert(3, {"url": "nbCapacity", "valueInteger": count})
    parts.append({"url": "capacityUpdateDate", "valueDateTime": when})
    record["extension"] = parts
    return orjson.dumps({"resourceType": "Parameters", "parameter": [
        {"name": "operation", "part": [
            {"name": "type", "valueString": "replace"},
            {"name": "path", "valueString": target.path},
            {"name": "value", "part": [{"extension": [record]}]}]}]})


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def find_searches(url: str, k: int = 5) -> list[tuple[str, str]]:
    """(name, path?query): the searches run beside the feed, values drawn from the data (the
    activities most offered at fed places, the communes with the most places), rotated."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        activities = [r[0] for r in conn.execute(sa.text(
            "SELECT s.system || '|' || s.code, count(*) AS n FROM search_token s "
            "JOIN search_ref r ON r.type = 'HealthcareService' AND r.param = 'location' "
            "AND r.id = s.id JOIN search_token t ON t.type = 'Location' AND t.param = "
            "'identifier' AND t.id = r.target_id AND t.code LIKE '1%/UF%' "
            "WHERE s.type = 'HealthcareService' AND s.param = 'specialty' "
            "GROUP BY s.system, s.code ORDER BY n DESC LIMIT :k"), {"k": k})]
        communes = [r[0] for r in conn.execute(sa.text(
            "SELECT code, count(*) AS n FROM search_token WHERE type = 'Location' AND param = "
            "'commune-cog' GROUP BY code ORDER BY n DESC LIMIT :k"), {"k": k})]
    engine.dispose()
    if not activities or not communes:
        raise BenchError("the data holds no offer at a fed place: nothing to search")
    correlated = [("location.capacity-type", code("TRE_R329-NatureCapacite", "01")),
                  ("location.temporality-capacity", code("TRE_R331-TemporaliteCapacite", "01")),
                  ("location.gender-capacity-available", code("TRE_R332-GenreCapacite", "01")),
                  ("location.capacity-status", code("TRE_R330-TypeStatutCapacite", "02")),
                  ("location.nb-capacity", "gt0"), ("_include", "HealthcareService:location")]
    found = []
    for activity, commune in zip(activities, itertools.cycle(communes), strict=False):
        found += [
            (CORRELATED, "/fhir/HealthcareService?" + urlencode(
                [("specialty", activity), *correlated, ("_count", "20")])),
            ("offers of an activity", "/fhir/HealthcareService?" + urlencode(
                [("specialty", activity), ("_count", "20")])),
            ("places of a commune", "/fhir/Location?" + urlencode(
                [("commune-cog", commune), ("_count", "20")]))]
    return found


# --- the load generator: a minimal HTTP/1.1 keep-alive client --------------------------------

@dataclass(frozen=True)
class Plan:
    """What one load generator process sends, and when (wall-clock times, ``time.time()``)."""

    port: int
    token: str
    connections: int
    start_at: float
    measure_from: float
    until: float
    targets: tuple[Target, ...] = ()  # feed updates on these…
    searches: tuple[tuple[str, str], ...] = ()  # …or these searches, in turn
    seed: int = 0
    stagger_s: float = 0.0  # connection n opens n × stagger_s after the first


@dataclass
class Sample:
    """What one load generator saw in the measured window."""

    latencies: dict[str, list[float]] = field(default_factory=dict)  # ms, per request name
    errors: dict[str, int] = field(default_factory=dict)
    first_errors: list[str] = field(default_factory=list)
    window_s: float = 0.0
    cpu_s: float = 0.0  # this process's CPU time in the window
    answered: int = 0  # 200 answers, warm-up included

    @property
    def rate(self) -> float:
        return len(self.all_ms()) / self.window_s

    def all_ms(self) -> list[float]:
        return [ms for values in self.latencies.values() for ms in values]

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def http_request(method: str, target: str, token: str, body: bytes = b"") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {HOST}", "Accept: application/fhir+json"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if method != "GET":
        lines += ["Content-Type: application/fhir+json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(HOST, port)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer)

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        """Send one request, receive the whole answer (status, body)."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        length = re.search(rb"\r\ncontent-length: *(\d+)", lower)
        if length:
            return status, await self.reader.readexactly(int(length.group(1)))
        if b"\r\ntransfer-encoding: chunked" not in lower:
            raise ValueError(f"an answer with neither length nor chunks: {head[:200]!r}")
        chunks: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")  # no trailers
                return status, b"".join(chunks)
            chunks.append((await self.reader.readexactly(size + 2))[:-2])

    def close(self) -> None:
        self.writer.close()


def _requests(plan: Plan) -> Callable[[], tuple[str, bytes]]:
    rng = random.Random(plan.seed)
    turn = itertools.count()

    def feed() -> tuple[str, bytes]:
        target = rng.choice(plan.targets)
        body = feed_body(target, rng.randrange(0, 30), now_iso())
        path = f"{FEED}?identifier={quote(target.identifier, safe='')}"
        return "feed", http_request("PATCH", path, plan.token, body)

    def search() -> tuple[str, bytes]:
        name, path = plan.searches[next(turn) % len(plan.searches)]
        return name, http_request("GET", path, plan.token)

    return feed if plan.targets else search


async def _drive(plan: Plan) -> Sample:
    sample = Sample(window_s=plan.until - plan.measure_from)
    next_request = _requests(plan)

    async def one(n: int) -> None:
        await asyncio.sleep(n * plan.stagger_s)
        conn = await Connection.open(plan.port)
        await asyncio.sleep(max(0.0, plan.start_at - time.time()))
        while (started := time.time()) < plan.until:
            name, request = next_request()
            t0 = time.perf_counter()
            try:
                status, body = await conn.exchange(request)
            except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
                status, body = 0, repr(exc).encode()
                conn.close()
                conn = await Connection.open(plan.port)
            elapsed = (time.perf_counter() - t0) * 1000
            sample.answered += status == 200
            if started < plan.measure_from:
                continue
            sample.latencies.setdefault(name, []).append(elapsed)
            if status != 200:
                sample.errors[name] = sample.errors.get(name, 0) + 1
                if len(sample.first_errors) < 5:
                    sample.first_errors.append(f"{name}: {status} {body[:300]!r}")
        conn.close()

    async def cpu_in_window() -> None:
        await asyncio.sleep(max(0.0, plan.measure_from - time.time()))
        start = time.process_time()
        await asyncio.sleep(max(0.0, plan.until - time.time()))
        sample.cpu_s = time.process_time() - start

    await asyncio.gather(cpu_in_window(), *(one(n) for n in range(plan.connections)))
    return sample


def drive(plan: Plan) -> Sample:
    """One load generator (run in its own process)."""
    return asyncio.run(_drive(plan))


# --- CPU accounting (from /proc) --------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _proc_stats() -> Iterator[tuple[int, str, int, float]]:
    """(pid, command, process group, CPU seconds) of every process; the CPU seconds include
    those of its children that ended and were waited for (PostgreSQL's connection processes
    come and go: their time then shows in the postmaster's)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = (entry / "stat").read_text()
            name = text[text.index("(") + 1:text.rindex(")")]
            fields = text[text.rindex(")") + 2:].split()
            yield (int(entry.name), name, int(fields[2]),
                   sum(int(v) for v in fields[11:15]) / CLK_TCK)


@dataclass(frozen=True)
class CpuClock:
    server_s: float
    postgres_s: float
    busy_s: float  # all CPUs, whole machine
    workers_s: dict[int, float]  # per server process but the group's leader (the supervisor)

    @classmethod
    def read(cls, server_group: int) -> CpuClock:
        server = postgres = 0.0
        workers: dict[int, float] = {}
        for pid, name, group, seconds in _proc_stats():
            if group == server_group:
                server += seconds
                if pid != server_group:
                    workers[pid] = seconds
            elif name == "postgres":
                postgres += seconds
        first = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        ticks = [int(v) for v in first[:8]]
        busy = (sum(ticks) - ticks[3] - ticks[4]) / CLK_TCK  # minus idle and iowait
        return cls(server, postgres, busy, workers)


def machine_busy(seconds: float = 2.0) -> float:
    """Percent of one CPU the whole machine used over the next ``seconds``."""
    before = CpuClock.read(-1).busy_s
    time.sleep(seconds)
    return 100 * (CpuClock.read(-1).busy_s - before) / seconds


def wait_idle(limit_s: float) -> str | None:
    """Wait (up to ``limit_s``) for the machine to be idle; a note if it never was."""
    deadline = time.time() + limit_s
    while (busy := machine_busy()) > IDLE_BELOW:
        if time.time() > deadline:
            return (f"the machine was not idle when the run started ({busy:.0f} % of one CPU "
                    "busy with other work): the figures are disturbed")
        print(f"machine busy ({busy:.0f} % of one CPU): waiting for it to be idle", flush=True)
        time.sleep(5)
    return None


@dataclass(frozen=True)
class CpuShare:
    """Percent of one CPU used during the window (200 % = both CPUs of a 2-CPU machine)."""

    server: float
    postgres: float
    load: float
    busy: float
    workers: tuple[float, ...] = ()  # each server worker process, busiest first

    @property
    def split(self) -> str:
        return " / ".join(f"{w:.0f}" for w in self.workers) or "–"

    @property
    def other(self) -> float:
        """The rest of the machine: other processes, the kernel, this script."""
        return max(0.0, self.busy - self.server - self.postgres - self.load)


# --- processes --------------------------------------------------------------------------------



def run_load(plans: list[Plan], server_group: int | None = None
             ) -> tuple[list[Sample], CpuShare | None]:
    """Run each plan in its own process; with ``server_group``, also where the CPU went."""
    context = multiprocessing.get_context("spawn")
    first = plans[0]
    window = first.until - first.measure_from
    clocks: list[CpuClock] = []
    with concurrent.futures.ProcessPoolExecutor(len(plans), mp_context=context) as pool:
        futures = [pool.submit(drive, p) for p in plans]
        if server_group is not None:
            time.sleep(max(0.0, first.measure_from - time.time()))
            clocks.append(CpuClock.read(server_group))
            time.sleep(max(0.0, first.until - time.time()))
            clocks.append(CpuClock.read(server_group))
        samples = [f.result() for f in futures]
    share = None
    if clocks:
        before, after = clocks
        workers = sorted((100 * (seconds - before.workers_s.get(pid, 0.0)) / window
                          for pid, seconds in after.workers_s.items()), reverse=True)
        share = CpuShare(100 * (after.server_s - before.server_s) / window,
                         100 * (after.postgres_s - before.postgres_s) / window,
                         100 * sum(s.cpu_s for s in samples) / window,
                         100 * (after.busy_s - before.busy_s) / window,
                         tuple(workers[:WORKERS]))
    for sample in samples:
        if sample.error_count:
            raise BenchError(f"{sample.error_count} errors under load; first: "
                             + " | ".join(sample.first_errors))
    return samples, share


def plan(port: int, token: str, connections: int, warmup: float, seconds: float, *,
         targets: list[Target] | None = None, searches: list[tuple[str, str]] | None = None,
         start_at: float | None = None, stagger_s: float = 0.0) -> Plan:
    start = start_at if start_at is not None else time.time() + 3  # processes start meanwhile
    return Plan(port, token, connections, start, start + warmup, start + warmup + seconds,
                tuple(targets or ()), tuple(searches or ()), seed=random.randrange(1 << 30),
                stagger_s=stagger_s)


# --- reference: the write path alone -----------------------------------------------------------

@dataclass(frozen=True)
class Reference:
    rate: float
    ms: list[float]


SQL_PG = "SQL round trips on PostgreSQL (psycopg execute / executemany, in the steps above)"
#: (label, module or class, attribute): the steps of one update timed by the breakdown;
#: indented labels are parts of the step above
STEPS = [
    ("read the feed body (read_feed)", "openror.capacity.feed", "read_feed"),
    ("find the place by identifier", "openror.capacity.feed", "_place"),
    ("read the current version", "openror.services.writes:WritePath", "live"),
    ("apply the operations", "openror.capacity.feed", "apply"),
    ("  of which: FHIRPath select of the indicator", "openror.capacity.operations",
     "_selected"),
    ("prepare, before the write lock (prepare_unlocked)", "openror.services.writes:WritePath",
     "prepare_unlocked"),
    ("  stamp, authorise, provenance, compare, validate, serialise",
     "openror.services.writes:WritePath", "prepare"),
    ("    of which: validate the whole Location", "openror.services.writes",
     "validate_resource"),
    ("    of which: serialise (jsonio.dumps)", "openror.fhir.jsonio", "dumps"),
    ("  the derived search rows that change (derived.row_change)", "openror.store.derived",
     "row_change"),
    ("store, under the write lock (store_if_current)", "openror.services.writes:WritePath",
     "store_if_current"),
    ("  reference check", "openror.services.writes:WritePath", "_check_references"),
    ("  derived search rows written (derived.write_change)", "openror.store.derived",
     "write_change"),
    ("  current row", "openror.services.writes", "write_current"),
    ("  store version, change feed, change log", "openror.services.writes", "number"),
    ("  capacity history", "openror.store.capacity_history", "record_write"),
    # PostgreSQL only: the statements themselves, whichever step sends them
    (SQL_PG, "psycopg:Cursor", "execute"),
    (SQL_PG, "psycopg:Cursor", "executemany"),
]


def _owner(spec: str) -> Any:
    import importlib

    module, _, cls = spec.partition(":")
    found = importlib.import_module(module)
    return getattr(found, cls) if cls else found


@contextlib.contextmanager
def timed_steps(calls: dict[str, int]) -> Iterator[dict[str, float]]:
    """Wrap the functions of ``STEPS`` to sum the wall time spent in each (and count the
    calls into ``calls``)."""
    totals: dict[str, float] = {}
    undo: list[tuple[Any, str, Any]] = []
    for label, spec, attr in STEPS:
        with contextlib.suppress(ImportError, AttributeError):
            owner = _owner(spec)
            original = getattr(owner, attr)

            def wrapper(*args: Any, _fn: Any = original, _label: str = label,
                        **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return _fn(*args, **kwargs)
                finally:
                    totals[_label] = totals.get(_label, 0.0) + time.perf_counter() - start
                    calls[_label] = calls.get(_label, 0) + 1

            setattr(owner, attr, wrapper)
            undo.append((owner, attr, original))
    try:
        yield totals
    finally:
        for owner, attr, original in reversed(undo):
            setattr(owner, attr, original)


@dataclass(frozen=True)
class Breakdown:
    steps: dict[str, float]  # label -> ms per update
    statements: float | None  # SQL statements sent per update (PostgreSQL)
    top: str  # cProfile's report, with --profile


def in_process(url: str, targets: list[Target], seconds: float, breakdown_updates: int,
               profile: bool) -> tuple[Reference, Breakdown]:
    """The same updates through ``CapacityFeed.update``, sequential, no HTTP; then a breakdown
    of ``breakdown_updates`` more into steps (ms per update); then, with ``profile``, cProfile's
    top functions over as many again."""
    from openror.access.caller import WRITE_ALL, Caller
    from openror.capacity.feed import CapacityFeed
    from openror.config import load_settings
    from openror.services.container import Services
    from openror.store.feed import LogEntry

    services = Services.open(load_settings({"OPENROR_DATABASE_URL": url}))
    feed = CapacityFeed(services.writes)
    caller = Caller("client:bench-in-process", 1, writes=frozenset({WRITE_ALL}))
    rng = random.Random(7)

    def update() -> float:
        target = rng.choice(targets)
        body = orjson.loads(feed_body(target, rng.randrange(0, 30), now_iso()))
        start = time.perf_counter()
        feed.update(target.identifier, body, LogEntry(caller.actor, reason="bench"),
                    caller=caller)
        return (time.perf_counter() - start) * 1000

    try:
        for _ in range(20):  # warm-up: caches, compiled criteria, statements
            update()
        ms: list[float] = []
        begin = time.perf_counter()
        while time.perf_counter() - begin < seconds:
            ms.append(update())
        reference = Reference(len(ms) / (time.perf_counter() - begin), ms)
        calls: dict[str, int] = {}
        with timed_steps(calls) as totals:
            spent = sum(update() for _ in range(breakdown_updates))
        steps = {label: 1000 * totals.get(label, 0.0) / breakdown_updates
                 for label, _, _ in STEPS if label in totals}
        steps["total (CapacityFeed.update)"] = spent / breakdown_updates
        statements = calls[SQL_PG] / breakdown_updates if SQL_PG in calls else None
        top = ""
        if profile:
            profiler = cProfile.Profile()
            profiler.runcall(lambda: [update() for _ in range(breakdown_updates)])
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
            top = out.getvalue()
    finally:
        services.close()
    return reference, Breakdown(steps, statements, top)


# --- the bare ceiling --------------------------------------------------------------------------

def create_bare_app() -> Any:
    """PATCH on the feed path answers the bytes in ``BENCH_BARE_BODY`` (after reading the
    request body); GET /ready for the start-up probe. Nothing else."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    stored = Path(os.environ["BENCH_BARE_BODY"]).read_bytes()

    async def feed(request: Request) -> Response:
        await request.body()
        return Response(stored, 200, media_type="application/fhir+json")

    async def ready(_request: Request) -> Response:
        return Response(b"ok")

    return Starlette(routes=[Route(FEED, feed, methods=["PATCH"]), Route("/ready", ready)])


def serve_bare(host: str, port: int, workers: int) -> None:
    """uvicorn's supervisor with an IPPROTO_TCP listener, as ``openror serve --workers N``."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config("bench.capacity_feed:create_bare_app", factory=True, host=host,
                            port=port, workers=workers, access_log=False, log_level="warning")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    Multiprocess(config, sockets=[sock]).run()


def measure_ceiling(stored: Path, targets: list[Target], args: argparse.Namespace) -> Sample:
    port = free_port()
    cmd = [sys.executable, "-m", "bench.capacity_feed", "--serve-bare", str(port)]
    with running(cmd, {"BENCH_BARE_BODY": str(stored)}, port, "/ready"):
        (sample,), _ = run_load([plan(port, "", args.connections, args.warmup,
                                      args.ceiling_seconds, targets=targets,
                                      stagger_s=args.stagger_ms / 1000)])
    print(f"  bare endpoint ceiling: {sample_line(sample)}", flush=True)
    return sample


# --- one back-end -------------------------------------------------------------------------------

@dataclass
class Row:
    backend: str
    import_s: float
    targets: int
    places: int
    reference: Reference
    breakdown: Breakdown
    alone: Sample  # the feed without searches
    alone_cpu: CpuShare
    feed: Sample  # the feed while the searches run
    storm_search: Sample
    quiet_search: Sample
    cpu: CpuShare
    versions: int  # new Location versions during the feed with searches, warm-up included

    @property
    def cpu_ms_per_update(self) -> float:
        """CPU of the server (and PostgreSQL) per update, feed alone."""
        return 10 * (self.alone_cpu.server + self.alone_cpu.postgres) / self.alone.rate


def sample_line(sample: Sample) -> str:
    ms = sample.all_ms()
    return (f"{len(ms) / sample.window_s:7.0f} req/s  p50 {pct(ms, .5):6.1f} ms  "
            f"p95 {pct(ms, .95):6.1f} ms  p99 {pct(ms, .99):6.1f} ms  "
            f"errors {sample.error_count}")


def load_sample(url: str, sample: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    upgrade(url, env)
    subprocess.run([str(BIN / "openror"), "import", "bundle", str(sample), "--database", url,
                    "--no-progress"], check=True, env={**os.environ, **env},
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def location_versions(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(sa.text(
            "SELECT count(*) FROM resource_version WHERE type = 'Location'")).scalar_one()
    engine.dispose()
    return int(found)


def one_update(port: int, token: str, target: Target) -> bytes:
    """One feed update sent the ordinary way: the bytes the server answers (the ceiling's)."""
    async def send() -> tuple[int, bytes]:
        conn = await Connection.open(port)
        try:
            path = f"{FEED}?identifier={quote(target.identifier, safe='')}"
            return await conn.exchange(http_request("PATCH", path, token,
                                                    feed_body(target, 1, now_iso())))
        finally:
            conn.close()

    status, body = asyncio.run(send())
    if status != 200:
        raise BenchError(f"a feed update answered {status}: {body[:500]!r}")
    return body


def run_backend(backend: str, url: str, sample: Path, args: argparse.Namespace, work: Path
                ) -> tuple[Row, bytes, list[Target]]:
    print(backend, flush=True)
    env = {"OPENROR_LOG_LEVEL": "WARNING", "OPENROR_DATA_DIR": str(work), **SERVER_ENV}
    import_s = load_sample(url, sample, env)
    targets, searches = find_targets(url), find_searches(url)
    print(f"  sample loaded in {import_s:.1f} s; {len(targets)} available-bed indicators of "
          f"{len({t.place for t in targets})} fed places", flush=True)
    reference, breakdown = in_process(url, targets, args.reference_seconds,
                                      args.breakdown_updates, args.profile)
    steps, top = breakdown.steps, breakdown.top
    print(f"  in-process write path: {reference.rate:7.0f} upd/s  p50 "
          f"{pct(reference.ms, .5):6.1f} ms  p95 {pct(reference.ms, .95):6.1f} ms", flush=True)
    for label, ms in steps.items():
        print(f"    {label:<72} {ms:7.2f} ms", flush=True)
    if breakdown.statements is not None:
        print(f"    SQL statements sent per update: {breakdown.statements:.1f}", flush=True)
    if top:
        print(top, flush=True)
    port = free_port()
    with running(openror_cmd(port, WORKERS, url), env, port, "/-/health") as proc:
        token = bench_token(url, port)
        stored = one_update(port, token, targets[0])
        (quiet,), _ = run_load([plan(port, token, args.search_connections, args.warmup,
                                     args.quiet_seconds, searches=searches)])
        print(f"  searches alone:         {sample_line(quiet)}", flush=True)
        (alone,), alone_cpu = run_load([plan(port, token, args.connections, args.warmup,
                                             args.alone_seconds, targets=targets,
                                             stagger_s=args.stagger_ms / 1000)],
                                       server_group=proc.pid)
        print(f"  feed alone:             {sample_line(alone)}", flush=True)
        before = location_versions(url)
        start = time.time() + 3
        (feed, storm), cpu = run_load(
            [plan(port, token, args.connections, args.warmup, args.seconds, targets=targets,
                  start_at=start, stagger_s=args.stagger_ms / 1000),
             plan(port, token, args.search_connections, args.warmup, args.seconds,
                  searches=searches, start_at=start)], server_group=proc.pid)
        versions = location_versions(url) - before
    assert cpu is not None and alone_cpu is not None
    print(f"  feed with searches:     {sample_line(feed)}; {versions} versions written for "
          f"{feed.answered} updates answered", flush=True)
    print(f"  searches during feed:   {sample_line(storm)}", flush=True)
    for what, share in (("feed alone", alone_cpu), ("feed with searches", cpu)):
        print(f"  CPU, {what} (% of one CPU): server {share.server:.0f} (workers "
              f"{share.split}), PostgreSQL "
              f"{share.postgres:.0f}, load generators {share.load:.0f}, rest "
              f"{share.other:.0f}, machine busy {share.busy:.0f}", flush=True)
    row = Row(backend, import_s, len(targets), len({t.place for t in targets}), reference,
              breakdown, alone, alone_cpu, feed, storm, quiet, cpu, versions)
    return row, stored, targets


@contextlib.contextmanager
def pg_database(admin_url: str) -> Iterator[str]:
    """A fresh database (dropped after) next to the admin URL's; its URL."""
    pg_admin(admin_url, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    pg_admin(admin_url, f"CREATE DATABASE {PG_DB}")
    try:
        yield sa.engine.make_url(admin_url).set(database=PG_DB).render_as_string(
            hide_password=False)
    finally:
        pg_admin(admin_url, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def sample_with_sync_ids(work: Path) -> tuple[Path, str]:
    """The bundled sample if its hospital units have an idExterneSynchro, else a sample
    generated into ``work`` by the same generator; and how it was obtained."""
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as lines:
        if any('"code":"26"' in line for line in lines):
            return SAMPLE, "the bundled demo sample"
    out = work / "sample.ndjson.gz"
    print("the bundled sample has no idExterneSynchro yet: generating one into "
          f"{out}", flush=True)
    made = subprocess.run([str(BIN / "openror"), "generate", "sample", "--out", str(out)],
                          capture_output=True, text=True, check=False)
    if made.returncode:
        raise BenchError(f"openror generate sample failed: {made.stderr[-2000:]}")
    return out, ("a demo sample generated for the run with `openror generate sample` (the "
                 "bundled file predates `idExterneSynchro`)")


@dataclass
class Run:
    rows: list[Row]
    ceiling: Sample | None
    notes: list[str]
    source: str


def run_all(args: argparse.Namespace) -> Run:
    notes: list[str] = []
    backends: list[str] = ["SQLite"]
    if args.no_postgres:
        notes.append("PostgreSQL not measured (--no-postgres)")
    elif problem := pg_reachable(args.postgres):
        notes.append(f"PostgreSQL skipped: not reachable at {args.postgres} ({problem})")
        print(notes[-1], flush=True)
    else:
        backends.append("PostgreSQL")
    if busy := wait_idle(args.idle_wait):
        notes.append(busy)
    rows: list[Row] = []
    ceiling = None
    with tempfile.TemporaryDirectory(prefix="openror-capacity-") as tmp:
        sample, source = sample_with_sync_ids(Path(tmp))
        for backend in backends:
            with tempfile.TemporaryDirectory(prefix="openror-capacity-") as db_tmp, \
                    contextlib.ExitStack() as stack:
                work = Path(db_tmp)
                url = f"sqlite:///{work / 'openror.sqlite'}" if backend == "SQLite" \
                    else stack.enter_context(pg_database(args.postgres))
                row, stored, targets = run_backend(backend, url, sample, args, work)
                rows.append(row)
                if ceiling is None:
                    (work / "stored.json").write_bytes(stored)
                    ceiling = measure_ceiling(work / "stored.json", targets, args)
    for row in rows:
        other = max(row.alone_cpu.other, row.cpu.other)
        if other > DISTURBED_ABOVE:
            notes.append(f"{row.backend}: other work took up to {other:.0f} % of one CPU "
                         "during a measured window (CPU table): the figures are disturbed")
    return Run(rows, ceiling, notes, source)


# --- report ----------------------------------------------------------------------------------

def _ms(values: list[float]) -> str:
    return f"{pct(values, .5):.1f} / {pct(values, .95):.1f}"


def _ms3(values: list[float]) -> str:
    return f"{pct(values, .5):.1f} / {pct(values, .95):.1f} / {pct(values, .99):.1f}"


def verdict(row: Row) -> str:
    ms = row.feed.all_ms()
    return (f"rate {'met' if row.feed.rate >= TARGET_RATE else 'MISSED'}, "
            f"p95 {'met' if pct(ms, .95) <= TARGET_P95_MS else 'MISSED'}")


def feed_table(run: Run) -> str:
    head = ("| Back-end | Load | Updates/s | p50 / p95 / p99 ms | Errors | "
            "Target (≥ 1,000/s, p95 ≤ 20 ms) |")
    lines = [head, "|---|---|---|---|---|---|"]
    for r in run.rows:
        lines += [
            f"| {r.backend} | **feed, searches running** | **{r.feed.rate:,.0f}** | "
            f"{_ms3(r.feed.all_ms())} | {r.feed.error_count} | {verdict(r)} |",
            f"| {r.backend} | feed alone | {r.alone.rate:,.0f} | {_ms3(r.alone.all_ms())} | "
            f"{r.alone.error_count} | |",
            f"| {r.backend} | reference: in-process write path, 1 thread | "
            f"{r.reference.rate:,.0f} | {_ms3(r.reference.ms)} | – | |"]
    if run.ceiling is not None:
        lines.append(f"| – | reference: bare endpoint, same load | {run.ceiling.rate:,.0f} | "
                     f"{_ms3(run.ceiling.all_ms())} | {run.ceiling.error_count} | |")
    return "\n".join(lines)


def search_table(rows: list[Row]) -> str:
    lines = ["| Back-end | Search | Alone: req/s, p50 / p95 ms | During the feed: req/s, "
             "p50 / p95 ms | p95 during / alone |", "|---|---|---|---|---|"]
    for r in rows:
        for name, quiet in r.quiet_search.latencies.items():
            storm = r.storm_search.latencies.get(name, [])
            lines.append(
                f"| {r.backend} | {name} | {len(quiet) / r.quiet_search.window_s:.1f}, "
                f"{_ms(quiet)} | {len(storm) / r.storm_search.window_s:.1f}, {_ms(storm)} | "
                f"{pct(storm, .95) / pct(quiet, .95):.1f}× |")
    return "\n".join(lines)


def cpu_table(rows: list[Row]) -> str:
    lines = ["| Back-end | Load | `openror serve` (2 workers) | per worker | PostgreSQL | "
             "load generators | rest of the machine | whole machine busy | "
             "server + PostgreSQL CPU per update |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        for what, c, per in (("feed alone", r.alone_cpu, f"{r.cpu_ms_per_update:.1f} ms"),
                             ("feed + searches", r.cpu, "–")):
            lines.append(f"| {r.backend} | {what} | {c.server:.0f} % | {c.split} % | "
                         f"{c.postgres:.0f} % | {c.load:.0f} % | {c.other:.0f} % | "
                         f"{c.busy:.0f} % | {per} |")
    return "\n".join(lines)


def steps_table(rows: list[Row]) -> str:
    labels = list(dict.fromkeys(label for r in rows for label in r.breakdown.steps))
    lines = ["| Step of one update (in-process) | " + " | ".join(
        f"{r.backend} ms" for r in rows) + " |", "|---|" + "---|" * len(rows)]
    for label in labels:
        depth = (len(label) - len(label.lstrip())) // 2
        cells = " | ".join(f"{r.breakdown.steps[label]:.2f}" if label in r.breakdown.steps
                           else "–" for r in rows)
        lines.append(f"| {'… ' * depth}{label.strip()} | {cells} |")
    counts = [r.breakdown.statements for r in rows]
    if any(c is not None for c in counts):
        lines.append("| SQL statements sent per update (an executemany counts once) | "
                     + " | ".join("–" if c is None else f"{c:.1f}" for c in counts) + " |")
    return "\n".join(lines)


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.MULTILINE)
    return (f"{len(os.sched_getaffinity(0))} CPUs (nproc), "
            f"{model.group(1).strip() if model else platform.processor() or 'unknown CPU'}, "
            f"Python {platform.python_version()}, Starlette {version('starlette')}, "
            f"uvicorn {version('uvicorn')}, {platform.system()} {platform.release()}")


def revision() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT,
                           capture_output=True, text=True, check=False).stdout.strip()
    return f"`{head or 'unknown'}`" + (" plus uncommitted changes in src/" if dirty else "")


def _backend_reading(r: Row) -> str:
    ms = r.feed.all_ms()
    corr = (pct(r.quiet_search.latencies.get(CORRELATED, []), .95),
            pct(r.storm_search.latencies.get(CORRELATED, []), .95))
    cpus = len(os.sched_getaffinity(0))
    return (f"on {r.backend}, {r.feed.rate:,.0f} updates/s with searches running "
            f"({r.feed.rate / TARGET_RATE:.0%} of the target; {r.alone.rate:,.0f}/s alone), "
            f"p95 {pct(ms, .95):,.0f} ms against 20; the server and the database spent "
            f"{r.cpu_ms_per_update:.1f} ms of CPU per update (feed alone; workers at "
            f"{r.alone_cpu.split} % of a CPU, machine {r.alone_cpu.busy:.0f} % busy of "
            f"{100 * cpus} %), which caps "
            f"{cpus} CPUs at about {1000 * cpus / r.cpu_ms_per_update:,.0f} updates/s with "
            f"nothing else running, and the correlated capacity search went from p95 "
            f"{corr[0]:.0f} ms alone to {corr[1]:.0f} ms during the feed "
            f"({corr[1] / corr[0]:.1f}×)")


def reading(run: Run) -> str:
    """The paragraph that says what the figures mean against the target."""
    met = all(verdict(r) == "rate met, p95 met" for r in run.rows)
    text = ("**Reading.** The target is " + ("met" if met else "**not met**") + ": "
            + "; ".join(_backend_reading(r) for r in run.rows) + ".")
    if run.ceiling is not None:
        text += (f" The bare endpoint answered the same requests at {run.ceiling.rate:,.0f}/s "
                 f"(p95 {pct(run.ceiling.all_ms(), .95):.1f} ms) from the same load "
                 "generator: HTTP, Starlette and the client are not what limits the feed.")
    first = run.rows[0]
    steps = first.breakdown.steps
    total = steps.get("total (CapacityFeed.update)", 0.0)
    top = max((item for item in steps.items()
               if not item[0].startswith(("total", " ")) and item[0] != SQL_PG),
              key=lambda item: item[1])
    labels = list(steps)
    below = labels[labels.index(top[0]) + 1:]
    children = below[:next((n for n, label in enumerate(below) if not label.startswith(" ")),
                           len(below))]
    deepest = max(((label, steps[label]) for label in children), key=lambda item: item[1],
                  default=top)
    return text + (f" The write path alone takes {pct(first.reference.ms, .5):.1f} ms per "
                   f"update in-process on {first.backend} ({first.reference.rate:,.0f}/s on "
                   f"one thread); its largest step is \"{top[0].strip()}\", "
                   f"{top[1]:.1f} ms of {total:.1f} ({top[1] / total:.0%}), mostly "
                   f"\"{deepest[0].strip().removeprefix('of which: ')}\" "
                   f"({deepest[1]:.1f} ms).")


def section(run: Run, args: argparse.Namespace, command: str) -> str:
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    extra = "".join(f"\n- {note}" for note in run.notes)
    fed = run.rows[0]
    cpus = len(os.sched_getaffinity(0))
    stagger = (f" (opened {args.stagger_ms:g} ms apart)" if args.stagger_ms
               else " (opened all at once, like wrk)")
    return f"""{BEGIN}
## Capacity feed (bench/capacity_feed.py)

Measured on {date} by `bench/capacity_feed.py` (generated section: rerun, don't edit), on
revision {revision()}.

- **Machine**: {machine()}.
- **Command**: `{command}`.
- **Data**: {run.source}, imported with `openror import bundle` into a fresh database per
  back-end (SQLite file in a temporary directory; a new PostgreSQL database, dropped after):
  {fed.targets} "available" indicators (status 02) of the {fed.places} hospital units that
  carry an `idExterneSynchro` (import: {fed.import_s:.0f} s on SQLite).
- **Feed**: `PATCH {FEED}?identifier=<IdNatStruct>/<code>`: a `replace` of
  one random indicator of one random unit, addressed by all its attributes (the ROR's
  `patch-capacitaire` shape), with a new `nbCapacity` and `capacityUpdateDate` = now, by a
  profile-1 client with write scope `all`, against `openror serve --workers {WORKERS}`;
  {args.connections} keep-alive connections{stagger} sending as fast as answers come back;
  {args.warmup:g} s warm-up, then {args.seconds:g} s measured with the searches running, after
  {args.alone_seconds:g} s of the feed alone. Latency = request sent to whole answer received
  (the updated Location). *Errors* = answers other than 200 and socket errors (must be 0).
  {fed.versions:,} new Location versions were written for {fed.feed.answered:,} updates
  answered (with searches, warm-up included, on {fed.backend}; an update that reaches an
  indicator after a newer one is answered but not applied).
- **Searches**: {args.search_connections} more connections, in turn: the correlated capacity
  search (`HealthcareService?specialty=<activity>&location.capacity-type=01
  &location.temporality-capacity=01&location.gender-capacity-available=01
  &location.capacity-status=02&location.nb-capacity=gt0&_include=HealthcareService:location`),
  offers of an activity and places of a commune (`_count=20`; the 5 activities most offered at
  fed places and the 5 communes with most places, rotated); *alone* = the same searches for
  {args.quiet_seconds:g} s on the same server before any feed.
- **References, same run**: *in-process write path* = the same updates through
  `CapacityFeed.update` on the same database, one thread, one after the other, no HTTP
  ({args.reference_seconds:g} s, before the server starts); *bare endpoint* = a Starlette app
  (same Starlette and uvicorn, {WORKERS} workers, TCP_NODELAY listener like `openror serve`)
  answering the same PATCH requests with the bytes the real server answered, same load
  ({args.ceiling_seconds:g} s).
- **Load generator**: a minimal asyncio HTTP/1.1 client, one process for the feed and one for
  the searches (wrk is not installed here); its CPU use is in the CPU table.
- **Target** (issue): ≥ {TARGET_RATE:,.0f} feed updates/s with {WORKERS} workers on SQLite and
  on PostgreSQL, p95 ≤ {TARGET_P95_MS:.0f} ms, while searches run; the correlated capacity
  search keeps its latency.{extra}

{feed_table(run)}

{search_table(run.rows)}

CPU during the measured windows, in percent of one CPU (this machine has {cpus}, so
{100 * cpus} % is all of it). *Per worker*: each uvicorn worker process, busiest first. The
feed's connections open together and stay open; which worker serves each is decided when it
is accepted (the first worker to wake takes what is pending), so the split can be uneven,
and a worker is bound to one CPU by the GIL:

{cpu_table(run.rows)}

Where the time of one update goes: wall time per update in-process, {args.breakdown_updates}
updates timed step by step after the reference run (indented steps are parts of the step
above; the steps leave out the transaction's begin and commit):

{steps_table(run.rows)}

{reading(run)}
{END}
"""


def write_docs(text: str) -> None:
    write_section(BEGIN, END, text)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=25,
                        help="measured seconds of feed + search load per back-end")
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--connections", type=int, default=16, help="feed connections")
    parser.add_argument("--search-connections", type=int, default=2)
    parser.add_argument("--stagger-ms", type=float, default=0,
                        help="open feed connection n at n × this (default: all at once, "
                        "like wrk)")
    parser.add_argument("--quiet-seconds", type=float, default=10,
                        help="seconds of the searches alone")
    parser.add_argument("--alone-seconds", type=float, default=10,
                        help="seconds of the feed alone")
    parser.add_argument("--reference-seconds", type=float, default=8,
                        help="seconds of in-process updates")
    parser.add_argument("--ceiling-seconds", type=float, default=10)
    parser.add_argument("--breakdown-updates", type=int, default=100)
    parser.add_argument("--postgres", default=DEFAULT_PG,
                        help=f"PostgreSQL admin URL; the bench creates and drops {PG_DB} there")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--idle-wait", type=float, default=300,
                        help="seconds to wait for an idle machine before starting")
    parser.add_argument("--profile", action="store_true",
                        help="print cProfile's top functions of the in-process update")
    parser.add_argument("--write-docs", action="store_true", help=f"update {DOCS.name}")
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.serve_bare:
        serve_bare(HOST, args.serve_bare, WORKERS)
        return 0
    try:
        run = run_all(args)
    except BenchError as exc:
        print(f"BENCHMARK FAILED: {exc}", file=sys.stderr)
        return 1
    command = " ".join([".venv/bin/python", "bench/capacity_feed.py", *sys.argv[1:]])
    text = section(run, args, command)
    print(text)
    if args.write_docs:
        write_docs(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
