"""Mixed load on the national dataset: searches, reads, orientations and capacity updates
together, for minutes, against ``openror serve --workers 2``; latency per kind of request,
errors, throughput, and the memory of the server processes over time.

Needs databases that already hold the national dataset (see docs/benchmarks.md):
``--sqlite PATH`` and/or ``--postgres URL``; this script imports nothing. **It writes**: the
capacity updates make new versions of the sampled hospital units (as bed-management software
would), and a ``bench`` API client is added; run it on a copy to keep the data as imported.

For each database: a real ``openror serve --workers 2`` on a free 127.0.0.1 port; a profile-1
API client (``openror clients add``, token from ``POST /auth/token``); values drawn from the
data (bench/load_plan.py); then locust, headless, one process, from its own virtual
environment (``.cache/locust``, made by bench/setup.sh), running bench/locustfile.py for
``--warmup`` then ``--minutes``. Every 10 s the RSS of the supervisor and of each worker is
read from /proc. The warm-up's requests are not in the latency tables (its minutes are shown
in the per-minute table); memory growth is measured from the first minutes after it, when the
caches, pools and pages of the data have filled, to the last ones.

Any failed request (an answer other than 200, a connection error, warm-up included), memory
that grew by more than ``GROWTH_TOLERANCE`` over the measured minutes, a worker replaced
during the run or a locust that fails makes the exit status 1.

    bash bench/setup.sh
    .venv/bin/python bench/load_mixed.py --sqlite PATH [--postgres URL] [--minutes 10]
                                         [--warmup 3] [--users 40] [--write-docs]
                                         [--data "what the databases hold, when not the
                                                  national dataset"]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.capacity_feed import machine, pct, revision  # noqa: E402
from bench.docs_section import markers, write_section  # noqa: E402
from bench.http_core import (  # noqa: E402
    HOST,
    SERVER_ENV,
    BenchError,
    bench_token,
    free_port,
    openror_cmd,
    running,
)
from bench.load_plan import build_plan  # noqa: E402

LOCUST = ROOT / ".cache" / "locust" / "bin" / "locust"
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
WORKERS = 2
SAMPLE_S = 10.0
GROWTH_TOLERANCE = 0.05  # of the server's RSS: more is growth, less the spread of one minute
ORIENTATION = "orientation (/api/orientation)"  # the kind bench/locustfile.py records
NATIONAL = ("the national dataset (`openror generate national --seed 1`, imported with\n"
            "  `openror import bundle`)")
ENDS_MINUTES = 2  # memory at the start and the end of the measured run: means over this long
TICK = os.sysconf("SC_CLK_TCK")


# --- the server's processes, from /proc -------------------------------------------------------

def workers_of(supervisor: int) -> list[int]:
    """The supervisor's workers: its children started by multiprocessing (``spawn_main``)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, NotADirectoryError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == supervisor and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return sorted(found)


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_s(pid: int) -> float | None:
    """User + system CPU time of the process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


@dataclass
class Sample:
    at: float  # seconds since the load started
    rss: dict[str, float]  # MB per process: "supervisor", "worker 1", "worker 2"
    cpu: dict[int, float]  # CPU seconds so far, per server process


@dataclass
class Sampler:
    supervisor: int
    start: float = field(default_factory=time.monotonic)
    samples: list[Sample] = field(default_factory=list)
    worker_pids: set[int] = field(default_factory=set)  # every worker seen during the run
    stop: threading.Event = field(default_factory=threading.Event)

    def take(self) -> None:
        workers = workers_of(self.supervisor)
        self.worker_pids.update(workers)
        named = {"supervisor": self.supervisor,
                 **{f"worker {i}": pid for i, pid in enumerate(workers, 1)}}
        rss = {name: mb for name, pid in named.items() if (mb := rss_mb(pid)) is not None}
        cpu = {pid: s for pid in named.values() if (s := cpu_s(pid)) is not None}
        self.samples.append(Sample(time.monotonic() - self.start, rss, cpu))

    def run(self) -> None:
        self.take()
        while not self.stop.wait(SAMPLE_S):
            self.take()

    def cpu_percent(self) -> float:
        """CPU of the server's processes over the sampled time, in percent of one CPU."""
        used = 0.0
        for pid in {pid for s in self.samples for pid in s.cpu}:
            seen = [s.cpu[pid] for s in self.samples if pid in s.cpu]
            used += seen[-1] - seen[0]
        return 100 * used / max(self.samples[-1].at - self.samples[0].at, 1e-9)


# --- one run ----------------------------------------------------------------------------------

@dataclass
class Run:
    backend: str
    sizes: str
    records: list[tuple[float, str, float, str]]  # start (epoch s), kind, ms, error
    sampler: Sampler
    locust_status: int
    locust_cpu: float  # percent of one CPU
    plan_sizes: str
    warmup_s: float
    cut_short: list[float]  # start (epoch s) of the orientations that answered cut short

    @cached_property
    def start(self) -> float:  # cached: read once per record by the tables
        return min(r[0] for r in self.records)

    def measured(self) -> list[tuple[float, str, float, str]]:
        """The records of the requests sent after the warm-up."""
        return [r for r in self.records if r[0] >= self.start + self.warmup_s]


def sizes_of(url: str) -> str:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT type, count(*) FROM resource WHERE type IN "
                                    "('HealthcareService', 'Location', 'Organization', "
                                    "'Practitioner') GROUP BY type ORDER BY type")).all()
    engine.dispose()
    return ", ".join(f"{n:,} {t}" for t, n in rows)


def load_s(args: argparse.Namespace) -> float:
    return float(args.warmup + args.minutes) * 60


def run_locust(port: int, args: argparse.Namespace, plan: Path, results: Path,
               sampler: Sampler) -> tuple[int, float]:
    """Run the load while ``sampler`` samples the server; locust's exit status and CPU (in
    percent of one CPU, from the resources of reaped children: locust is the only one)."""
    cmd = [str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "--only-summary",
           "--host", f"http://{HOST}:{port}", "--users", str(args.users),
           "--spawn-rate", str(args.spawn_rate), "--run-time", f"{load_s(args):g}s",
           "--stop-timeout", "10", "--loglevel", "WARNING"]
    env = {**os.environ, "LOAD_PLAN": str(plan), "LOAD_RESULTS": str(results)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    load = subprocess.Popen(cmd, env=env, cwd=ROOT)
    thread = threading.Thread(target=sampler.run, daemon=True)
    thread.start()
    try:
        status = load.wait(timeout=load_s(args) + 120)
    except subprocess.TimeoutExpired:
        load.kill()
        load.wait()
        raise BenchError("locust did not stop by itself") from None
    finally:
        sampler.stop.set()
        thread.join()
    sampler.take()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return status, 100 * used / (time.monotonic() - started)


def run_backend(backend: str, url: str, args: argparse.Namespace) -> Run:
    print(backend, flush=True)
    port = free_port()
    env = {**SERVER_ENV, "OPENROR_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory(prefix="openror-load-") as tmp, \
            running(openror_cmd(port, WORKERS, url), env, port, "/fhir/metadata") as server:
        plan = build_plan(url, bench_token(url, port), args.seed, args.feed_places)
        plan_file, results = Path(tmp) / "plan.json", Path(tmp) / "results.json"
        plan_file.write_text(json.dumps(plan))
        sampler = Sampler(server.pid)
        status, locust_cpu = run_locust(port, args, plan_file, results, sampler)
        if not results.exists():
            raise BenchError(f"locust wrote no results (exit status {status})")
        found = json.loads(results.read_text())
        records = [(r[0], r[1], r[2], r[3]) for r in found["requests"]]
    searches = sum(len(v) for v in plan["searches"].values())
    plan_sizes = (f"{searches} searches, {len(plan['reads'])} ids to read, "
                  f"{len(plan['orientations'])} orientation queries, {len(plan['feed'])} "
                  "capacity indicators to update")
    return Run(backend, sizes_of(url), records, sampler, status, locust_cpu, plan_sizes,
               args.warmup * 60, found["cut_short"])


# --- report -----------------------------------------------------------------------------------

def window_s(records: list[tuple[float, str, float, str]]) -> float:
    starts = [r[0] for r in records]
    ends = [r[0] + r[2] / 1000 for r in records]
    return max(ends) - min(starts) if records else 0.0


def kinds_table(run: Run) -> str:
    measured = run.measured()
    by_kind: dict[str, list[tuple[float, str, float, str]]] = defaultdict(list)
    for record in measured:
        by_kind[record[1]].append(record)
    seconds = window_s(measured)
    lines = ["| Request | Count | Share | req/s | p50 / p95 / p99 ms | Errors |",
             "| --- | --- | --- | --- | --- | --- |"]
    for kind, rows in [*sorted(by_kind.items()), ("**all**", measured)]:
        ms = [r[2] for r in rows]
        errors = sum(1 for r in rows if r[3])
        lines.append(f"| {kind} | {len(rows):,} | {len(rows) / len(measured):.0%} | "
                     f"{len(rows) / seconds:,.1f} | {pct(ms, .5):.1f} / {pct(ms, .95):.1f} / "
                     f"{pct(ms, .99):.1f} | {errors} ({errors / len(rows):.2%}) |")
    return "\n".join(lines)


def minute_rows(run: Run) -> list[tuple[int, list[float], int, list[Sample]]]:
    """Per minute of the run (warm-up included): latencies, errors, memory samples."""
    ms: dict[int, list[float]] = defaultdict(list)
    errors: dict[int, int] = defaultdict(int)
    for at, _, elapsed, error in run.records:
        minute = int((at - run.start) // 60)
        ms[minute].append(elapsed)
        errors[minute] += bool(error)
    samples: dict[int, list[Sample]] = defaultdict(list)
    for s in run.sampler.samples:
        samples[min(int(s.at // 60), max(ms))].append(s)
    return [(m, ms[m], errors[m], samples[m]) for m in sorted(ms)]


def total_mb(samples: list[Sample]) -> float:
    return statistics.mean(sum(s.rss.values()) for s in samples) if samples else float("nan")


def minutes_table(run: Run) -> str:
    lines = ["| Minute | req/s | p50 / p95 ms | Errors | Server RSS, MB (supervisor + workers) |",
             "| --- | --- | --- | --- | --- |"]
    seconds = window_s(run.records)
    for minute, ms, errors, samples in minute_rows(run):
        span = min(60.0, seconds - 60 * minute)  # the last minute may be partial
        label = f"{minute + 1} (warm-up)" if minute * 60 < run.warmup_s else str(minute + 1)
        lines.append(f"| {label} | {len(ms) / span:,.1f} | {pct(ms, .5):.1f} / "
                     f"{pct(ms, .95):.1f} | {errors} | {total_mb(samples):,.0f} |")
    return "\n".join(lines)


def memory_ends(run: Run) -> tuple[list[Sample], list[Sample], list[Sample]]:
    """The samples of the first minute of load, of the first ``ENDS_MINUTES`` after the
    warm-up and of the last ``ENDS_MINUTES`` of load (not the stop that follows it)."""
    samples = run.sampler.samples
    end = max(r[0] for r in run.records) - run.start  # the last request, sampler time
    span = ENDS_MINUTES * 60
    first = [s for s in samples if s.at < 60] or samples[:1]
    warm = [s for s in samples if run.warmup_s <= s.at < run.warmup_s + span] or samples[:1]
    last = [s for s in samples if end - span <= s.at <= end] or samples[-1:]
    return first, warm, last


def rss(sample: Sample, name: str) -> float:
    return sum(sample.rss.values()) if name == "**all**" else sample.rss.get(name, 0.0)


def growth(run: Run, name: str = "**all**") -> tuple[float, float]:
    """RSS (MB) in the first and the last minutes of the measured run."""
    _, warm, last = memory_ends(run)
    return (statistics.mean(rss(s, name) for s in warm),
            statistics.mean(rss(s, name) for s in last))


def memory_table(run: Run) -> str:
    """RSS per process: in the first minute of load; at the start and at the end of the
    measured run (after the warm-up, which fills the caches, the pools and the pages of the
    data), and the growth between these two."""
    first, _, _ = memory_ends(run)
    names = sorted({name for s in run.sampler.samples for name in s.rss})
    ends = f"{ENDS_MINUTES:g} minutes"
    lines = ["| Process | RSS first minute of load, MB | RSS first " + ends + " measured, MB | "
             "RSS last " + ends + ", MB | Growth over the measured run | Peak, MB |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name in [*names, "**all**"]:
        a = statistics.mean(rss(s, name) for s in first)
        w, b = growth(run, name)
        peak = max(rss(s, name) for s in run.sampler.samples)
        lines.append(f"| {name} | {a:,.0f} | {w:,.0f} | {b:,.0f} | "
                     f"{b - w:+,.0f} MB ({(b - w) / w:+.0%}) | {peak:,.0f} |")
    return "\n".join(lines)


def problems(run: Run) -> list[str]:
    found = []
    errors = [r for r in run.records if r[3]]
    if errors:
        found.append(f"{run.backend}: {len(errors)} failed requests, e.g. "
                     + "; ".join(f"{r[1]}: {r[3]}" for r in errors[:3]))
    start, end = growth(run)
    if end > start * (1 + GROWTH_TOLERANCE):
        found.append(f"{run.backend}: the server's memory grew from {start:,.0f} to "
                     f"{end:,.0f} MB over the measured run (more than "
                     f"{GROWTH_TOLERANCE:.0%})")
    if len(run.sampler.worker_pids) > WORKERS:
        found.append(f"{run.backend}: a server worker was replaced during the run "
                     f"({len(run.sampler.worker_pids)} worker pids seen)")
    if run.locust_status:
        found.append(f"{run.backend}: locust exited with status {run.locust_status}")
    return found


def cut_short_line(run: Run) -> str:
    measured = [r for r in run.measured() if r[1] == ORIENTATION]
    cut = sum(1 for at in run.cut_short if at >= run.start + run.warmup_s)
    return (f"Orientations cut short (a 200 with the offers of the radii searched before the "
            f"time limit, `search.cut_short`): {cut} of the {len(measured):,} measured "
            f"({cut / max(len(measured), 1):.1%}), {len(run.cut_short) - cut} during the "
            "warm-up.")


def cpu_line(run: Run) -> str:
    return (f"CPU over the run, in percent of one CPU (this machine has "
            f"{len(os.sched_getaffinity(0))}): server (supervisor and workers) "
            f"{run.sampler.cpu_percent():.0f} %, locust {run.locust_cpu:.0f} %.")


def backend_text(run: Run) -> str:
    return f"""**{run.backend}** ({run.sizes}; drawn for the load: {run.plan_sizes})

{kinds_table(run)}

{cut_short_line(run)}

{memory_table(run)}

{minutes_table(run)}

{cpu_line(run)}"""


def locust_version() -> str:
    shown = subprocess.run([str(LOCUST), "--version"], capture_output=True, text=True,
                           check=False)
    return " ".join(shown.stdout.split()[:2]) or "locust"


def allocator_env() -> str:
    names = ("OPENROR_MALLOC_ARENAS", "OPENROR_MEMORY_TRIM_INTERVAL_SECONDS", "MALLOC_ARENA_MAX")
    said = [f"`{name}={os.environ[name]}`" for name in names if name in os.environ]
    return ", ".join(said) or "it does not"


def section(runs: list[Run], args: argparse.Namespace, command: str) -> str:
    begin, end = markers("load_mixed", [run.backend for run in runs])
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    found = [p for run in runs for p in problems(run)]
    verdict = "; ".join(found) if found else (
        "none: every request answered 200, and the server's memory grew by less than "
        f"{GROWTH_TOLERANCE:.0%} over the measured run")
    tables = "\n\n".join(backend_text(run) for run in runs)
    return f"""{begin}
## Mixed load: searches, reads, orientation and the capacity feed together \
({", ".join(run.backend for run in runs)})

Measured on {date} by `bench/load_mixed.py` (generated section: rerun, don't edit), on
revision {revision()}.

- **Machine**: {machine()}.
- **Command**: `{command}` (after `bash bench/setup.sh`, which installs locust in
  `.cache/locust`).
- **Data**: {args.data}; values drawn from it at random (seed {args.seed}).
- **Method**: `openror serve --workers {WORKERS}` on 127.0.0.1; {locust_version()}, headless,
  one process, {args.users} users (started {args.spawn_rate:g} per second), each an
  information system with a profile-1 token pausing 0.2–1 s between requests, for
  {args.warmup:g} minute(s) of warm-up then {args.minutes:g} measured minute(s)
  (`bench/locustfile.py`); the latency tables hold the measured minutes only. Task
  weights: reads by id 25; capacity updates 20
  (`PATCH /fhir/ws-synchro-dispo-lits-fhir/Location?identifier=<site>/<unit>`, a `replace`
  of one "available" indicator with a new count dated now); FHIR searches 33 (an activity
  with `_include` of organisation and place 10, an activity near a point within 20 km 10,
  offers in a commune 8, an activity's first page then its `next` page 5; pages of 20);
  orientation 12 (`GET /api/orientation`, French free text or an activity with an age,
  at a commune). Latency = request sent to whole answer received, as locust times it.
  *Errors* = answers other than 200 and connection errors (warm-up included). Memory = RSS
  of the supervisor and of each worker, read from `/proc` every {SAMPLE_S:g} s; *growth* =
  the mean over the last {ENDS_MINUTES:g} minutes of load against the mean over the first
  {ENDS_MINUTES:g} after the warm-up, more than {GROWTH_TOLERANCE:.0%} of it being a problem
  (a minute's samples spread about that much); the server runs with its default
  allocator settings (`OPENROR_MALLOC_ARENAS`, `OPENROR_MEMORY_TRIM_INTERVAL_SECONDS`, unless
  the environment says otherwise: {allocator_env()}).
- **Problems**: {verdict}.

{tables}
{end}
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--sqlite", type=Path, help="SQLite file holding the national dataset")
    parser.add_argument("--postgres", help="PostgreSQL URL of a database holding it")
    parser.add_argument("--minutes", type=float, default=10.0, help="minutes of load per "
                        "database")
    parser.add_argument("--warmup", type=float, default=3.0, help="minutes of load before "
                        "the measured ones")
    parser.add_argument("--users", type=int, default=40, help="concurrent locust users")
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="users started per s")
    parser.add_argument("--feed-places", type=int, default=500,
                        help="hospital units whose availability the load updates")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", default=NATIONAL, help="what the databases hold, for the "
                        "report (default: the national dataset)")
    parser.add_argument("--write-docs", action="store_true",
                        help="write the section of docs/benchmarks.md")
    args = parser.parse_args()
    if not args.sqlite and not args.postgres:
        parser.error("give --sqlite PATH and/or --postgres URL")
    if args.sqlite and not args.sqlite.is_file():
        parser.error(f"--sqlite: no such file: {args.sqlite}")
    if not 0 < args.minutes <= 60:
        parser.error("--minutes: between 0 and 60")
    if not 0 <= args.warmup <= 30:
        parser.error("--warmup: between 0 and 30")
    if args.minutes < 2 * ENDS_MINUTES:
        parser.error(f"--minutes: at least {2 * ENDS_MINUTES} to compare its first and "
                     "last minutes")
    return args


def main() -> int:
    args = parse_args()
    if not LOCUST.exists():
        print("locust is missing: run 'bash bench/setup.sh'", file=sys.stderr)
        return 2
    targets = ([("SQLite", f"sqlite:///{args.sqlite.resolve()}")] if args.sqlite else []) \
        + ([("PostgreSQL", args.postgres)] if args.postgres else [])
    try:
        runs = [run_backend(backend, url, args) for backend, url in targets]
    except BenchError as exc:
        print(f"BENCHMARK FAILED: {exc}", file=sys.stderr)
        return 1
    command = " ".join([".venv/bin/python", "bench/load_mixed.py", *sys.argv[1:]])
    text = section(runs, args, command)
    print(text)
    if args.write_docs:
        write_section(*markers("load_mixed", [backend for backend, _ in targets]), text)
    found = [p for run in runs for p in problems(run)]
    for problem in found:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
