"""Core platform benchmark: FHIR read-by-id and create over HTTP on loopback.

What is measured, for each configuration (SQLite or PostgreSQL x 1 or 2 uvicorn workers), each
on a fresh database and a real ``openror serve`` process:

* read-by-id: ``GET /fhir/Organization/{id}`` over random ids of ~1,000 Organizations created
  beforehand through the API; requests/s and p50/p99 latency;
* create: ``POST /fhir/Organization`` of a valid Organization (a different name each request),
  the normal API path with full validation; resources created per second.

The reference is the *ceiling* measured in the same run, right after the real server, with the
same load generator settings: a bare app of the same framework (bench/bare_app.py, same
Starlette and uvicorn, same worker count) with one route returning the very stored bytes of one
of the resources read. Targets (issue): read-by-id >= 60 % of the ceiling; create >= 500
resources/s on SQLite.

The load generator is wrk (bench/setup.sh installs it) with bench/wrk/core.lua. Any non-2xx
answer or socket error fails the run (exit status 1). ``--write-docs`` replaces the section
between ``<!-- bench:http_core -->`` and ``<!-- /bench:http_core -->`` in docs/benchmarks.md.

    .venv/bin/python bench/http_core.py [--seconds S] [--postgres URL] [--write-docs]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import functools
import http.client
import importlib.util
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.docs_section import write_section

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LUA = ROOT / "bench" / "wrk" / "core.lua"
DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:http_core -->", "<!-- /bench:http_core -->"
HOST = "127.0.0.1"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
PG_DB = "openror_bench"
SEED = 1000
READ_TARGET, CREATE_TARGET = 0.60, 500.0


class BenchError(RuntimeError):
    """The run is not valid (errors under load, a server that does not start...)."""


@dataclass(frozen=True)
class Measure:
    requests: int
    duration_us: int
    non2xx: int
    socket_errors: int
    p50_us: int
    p99_us: int

    @property
    def rate(self) -> float:
        return self.requests / (self.duration_us / 1e6)

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors


@dataclass(frozen=True)
class Row:
    backend: str
    workers: int
    read: Measure
    ceiling: Measure
    create: Measure

    @property
    def ratio(self) -> float:
        return self.read.rate / self.ceiling.rate

    @property
    def errors(self) -> int:
        return self.read.errors + self.ceiling.errors + self.create.errors


@dataclass(frozen=True)
class Load:
    seconds: int
    connections: int
    threads: int
    warmup: int = 1


# --- processes -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_ready(port: int, path: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"server exited with status {proc.returncode}: {proc.args}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                conn.close()
                time.sleep(0.5)  # let every worker finish starting
                return
        time.sleep(0.1)
    raise BenchError(f"server on port {port} not ready after {timeout} s")


@contextlib.contextmanager
def running(cmd: list[str], env: dict[str, str], port: int, ready_path: str,
            quiet: bool = False) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server in its own process group, yielding its process; stop the group (this
    process's children) after. ``quiet``: discard its logs too (they are still written, as
    in production)."""
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL if quiet else None)
    try:
        wait_ready(port, ready_path, proc)
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def openror_cmd(port: int, workers: int, url: str) -> list[str]:
    return [str(BIN / "openror"), "serve", "--host", HOST, "--port", str(port),
            "--workers", str(workers), "--database", url]


def bare_cmd(port: int, workers: int, nodelay: bool = False) -> list[str]:
    if nodelay:
        return [sys.executable, "-m", "bench.bare_app", HOST, str(port), str(workers)]
    return [sys.executable, "-m", "uvicorn", "bench.bare_app:create_app", "--factory",
            "--host", HOST, "--port", str(port), "--workers", str(workers),
            "--no-access-log", "--log-level", "warning", "--app-dir", str(ROOT)]


def upgrade(url: str, env: dict[str, str]) -> None:
    subprocess.run([str(BIN / "openror"), "db", "upgrade", "--database", url], check=True,
                   env={**os.environ, **env}, stdout=subprocess.DEVNULL)


#: the benchmarks' servers issue tokens that outlive any run
#: a benchmark is one client sending as fast as it can: the per-client rate limit would
#: measure the limiter, not the server
#: plain HTTP on loopback, no client certificates: the profile-1 client uses its secret
#: the daily quality run is off: on a database that never had one, the server would start
#: it at once and read the whole directory while the requests are measured
SERVER_ENV = {"OPENROR_TOKEN_LIFETIME_S": "86400", "OPENROR_RATE_LIMIT_PER_MINUTE": "100000000",
              "OPENROR_RATE_LIMIT_BURST": "100000000",
              "OPENROR_REQUIRE_CLIENT_CERTIFICATES": "false",
              "OPENROR_QUALITY_RUN_INTERVAL_SECONDS": "0"}


def bench_token(url: str, port: int) -> str:
    """A bearer token of a profile-1 client that may write everywhere: added with the CLI,
    exchanged at the server's POST /auth/token (every request is authenticated, as in
    production)."""
    added = subprocess.run([str(BIN / "openror"), "clients", "add", "bench", "--profile", "1",
                            "--write", "all", "--json", "--database", url], check=True,
                           capture_output=True, text=True, env={**os.environ, **SERVER_ENV})
    made = json.loads(added.stdout)
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("POST", "/auth/token", urllib.parse.urlencode({
        "grant_type": "client_credentials", "client_id": made["client_id"],
        "client_secret": made["client_secret"]}),
        {"Content-Type": "application/x-www-form-urlencoded"})
    answer = conn.getresponse()
    body = json.loads(answer.read())
    conn.close()
    if answer.status != 200:
        raise BenchError(f"POST /auth/token answered {answer.status}: {body}")
    token: str = body["access_token"]
    return token


# --- load ------------------------------------------------------------------------------------

def wrk_once(url: str, env: dict[str, str], seconds: int, load: Load) -> Measure:
    cmd = ["wrk", f"-t{load.threads}", f"-c{load.connections}", f"-d{seconds}s",
           "--timeout", "10s", "-s", str(LUA), url]
    run = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True,
                         check=False)
    found = re.search(r"^BENCH_JSON (.*)$", run.stdout, re.MULTILINE)
    if run.returncode or not found:
        raise BenchError(f"wrk failed ({run.returncode}):\n{run.stdout}{run.stderr}")
    return Measure(**json.loads(found.group(1)))


def wrk(url: str, env: dict[str, str], load: Load, what: str) -> Measure:
    """A warm-up run, then the measured one; any error fails the benchmark."""
    for seconds in (load.warmup, load.seconds):
        result = wrk_once(url, env, seconds, load)
        if result.errors:
            raise BenchError(f"{what}: {result.non2xx} non-2xx answers and "
                             f"{result.socket_errors} socket errors in {result.requests} requests")
    print(f"  {what:<28} {result.rate:9.0f} req/s  p50 {result.p50_us / 1000:6.1f} ms  "
          f"p99 {result.p99_us / 1000:6.1f} ms", flush=True)
    return result


@functools.cache
def _builders() -> Any:
    spec = importlib.util.spec_from_file_location("builders", ROOT / "tests" / "builders.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def organization(label: str) -> dict[str, Any]:
    """A valid Organization, from the tests' builders."""
    body: dict[str, Any] = _builders().organization(name=f"Centre hospitalier bench {label}")
    return body


def seed(port: int, count: int, token: str) -> list[str]:
    """Create ``count`` Organizations through the API (8 keep-alive clients); their paths."""
    local = threading.local()

    def post(i: int) -> str:
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        local.conn.request("POST", "/fhir/Organization", json.dumps(organization(f"seed {i}")),
                           {"Content-Type": "application/fhir+json",
                            "Authorization": f"Bearer {token}"})
        answer = local.conn.getresponse()
        answer.read()
        if answer.status != 201:
            raise BenchError(f"seeding: POST answered {answer.status}")
        location = answer.getheader("Location", "")
        return "/fhir/" + "/".join(location.split("/fhir/", 1)[1].split("/")[:2])

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return list(pool.map(post, range(count)))


def fetch(port: int, path: str, token: str) -> tuple[bytes, dict[str, str]]:
    """The stored bytes of one resource as served, with its version headers."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    answer = conn.getresponse()
    body = answer.read()
    conn.close()
    if answer.status != 200:
        raise BenchError(f"GET {path} answered {answer.status}")
    return body, {name: answer.getheader(name, "") for name in ("ETag", "Last-Modified")}


# --- one configuration -----------------------------------------------------------------------

def measure_server(url: str, workers: int, load: Load, work: Path) -> tuple[Measure, Measure,
                                                                            bytes, dict[str, str]]:
    """Seed, then read-by-id and create on the real server; also the bytes of one resource."""
    env = {"OPENROR_LOG_LEVEL": "WARNING", "OPENROR_DATA_DIR": str(work), **SERVER_ENV}
    upgrade(url, env)
    port = free_port()
    with running(openror_cmd(port, workers, url), env, port, "/-/health"):
        token = bench_token(url, port)
        paths = seed(port, SEED, token)
        (work / "paths.txt").write_text("\n".join(paths) + "\n")
        body, headers = fetch(port, paths[0], token)
        base = f"http://{HOST}:{port}"
        read = wrk(base, {"BENCH_PATHS": str(work / "paths.txt"), "BENCH_TOKEN": token}, load,
                   "read-by-id")
        template = json.dumps(organization("@N@")).encode()
        (work / "create.json").write_bytes(template)
        create = wrk(base, {"BENCH_BODY": str(work / "create.json"), "BENCH_TOKEN": token,
                            "BENCH_POST_PATH": "/fhir/Organization"}, load, "create")
    return read, create, body, headers


def measure_ceiling(workers: int, load: Load, work: Path, nodelay: bool = False) -> Measure:
    """The bare app on the same paths; ``stored.json``/``headers.json`` hold what it returns."""
    env = {"BENCH_BARE_BODY": str(work / "stored.json"),
           "BENCH_BARE_HEADERS": (work / "headers.json").read_text()}
    port = free_port()
    first = (work / "paths.txt").read_text().split("\n", 1)[0]
    what = "ceiling, TCP_NODELAY kept" if nodelay else "ceiling (bare Starlette)"
    with running(bare_cmd(port, workers, nodelay), env, port, first):
        return wrk(f"http://{HOST}:{port}", {"BENCH_PATHS": str(work / "paths.txt")}, load, what)


def run_config(backend: str, url: str, workers: int, load: Load, work: Path) -> Row:
    print(f"{backend}, {workers} worker(s)", flush=True)
    read, create, body, headers = measure_server(url, workers, load, work)
    (work / "stored.json").write_bytes(body)
    (work / "headers.json").write_text(json.dumps(headers))
    # openror serve --workers N listens with TCP_NODELAY (see cli._serve); so does the ceiling.
    ceiling = measure_ceiling(workers, load, work, nodelay=workers > 1)
    return Row(backend, workers, read, ceiling, create)


# --- PostgreSQL ------------------------------------------------------------------------------

def pg_admin(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def pg_reachable(admin_url: str) -> str | None:
    """None if PostgreSQL answers, else why not."""
    try:
        pg_admin(admin_url, "SELECT 1")
    except Exception as exc:
        return str(exc).strip().splitlines()[0]
    return None


@contextlib.contextmanager
def pg_database(admin_url: str) -> Iterator[str]:
    """A fresh database (dropped after) next to the admin URL's; its URL."""
    import sqlalchemy as sa

    pg_admin(admin_url, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    pg_admin(admin_url, f"CREATE DATABASE {PG_DB}")
    try:
        url = sa.engine.make_url(admin_url).set(database=PG_DB)
        yield url.render_as_string(hide_password=False)
    finally:
        pg_admin(admin_url, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def run_all(args: argparse.Namespace, load: Load) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    notes: list[str] = []
    pg_problem = pg_reachable(args.postgres)
    if pg_problem:
        notes.append(f"PostgreSQL skipped: not reachable at {args.postgres} ({pg_problem})")
        print(notes[-1], flush=True)
    for workers in (1, 2):
        with tempfile.TemporaryDirectory(prefix="openror-bench-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'openror.sqlite'}"
            rows.append(run_config("SQLite", url, workers, load, Path(tmp)))
        if pg_problem:
            continue
        with tempfile.TemporaryDirectory(prefix="openror-bench-") as tmp, \
                pg_database(args.postgres) as url:
            rows.append(run_config("PostgreSQL", url, workers, load, Path(tmp)))
    return rows, notes


# --- report ----------------------------------------------------------------------------------

def _ms(us: int) -> str:
    return f"{us / 1000:.1f}"


def verdicts(row: Row) -> str:
    read_ok = row.ratio >= READ_TARGET
    parts = [f"read {'met' if read_ok else 'MISSED'}"]
    if row.backend == "SQLite":
        parts.append(f"create {'met' if row.create.rate >= CREATE_TARGET else 'MISSED'}")
    return ", ".join(parts)


def table(rows: list[Row]) -> str:
    head = ("| Backend | Workers | Read req/s | Ceiling req/s | Read / ceiling | "
            "Read p50 / p99 ms | Ceiling p50 / p99 ms | Creates/s | Create p50 / p99 ms | "
            "Errors | Targets |")
    lines = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for r in rows:
        lines.append(
            f"| {r.backend} | {r.workers} | {r.read.rate:,.0f} | {r.ceiling.rate:,.0f} | "
            f"{r.ratio:.0%} | {_ms(r.read.p50_us)} / {_ms(r.read.p99_us)} | "
            f"{_ms(r.ceiling.p50_us)} / {_ms(r.ceiling.p99_us)} | {r.create.rate:,.0f} | "
            f"{_ms(r.create.p50_us)} / {_ms(r.create.p99_us)} | {r.errors} | "
            f"{verdicts(r)} |")
    return "\n".join(lines)


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.MULTILINE)
    versions = f"Starlette {version('starlette')}, uvicorn {version('uvicorn')}"
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True,
                                 check=False).stdout
    return (f"{len(os.sched_getaffinity(0))} CPUs (nproc), "
            f"{model.group(1).strip() if model else platform.processor() or 'unknown CPU'}, "
            f"Python {platform.python_version()}, {versions}, "
            f"{' '.join(wrk_version.split()[:2])}, {platform.system()} {platform.release()}")


def section(rows: list[Row], notes: list[str], load: Load, command: str) -> str:
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    extra = "".join(f"\n- {note}" for note in notes)
    return f"""{BEGIN}
## Core platform: read-by-id and create over HTTP

Measured on {date} by `bench/http_core.py` (generated section: rerun, don't edit).

- **Machine**: {machine()}.
- **Command**: `{command}` (after `bash bench/setup.sh`, which installs wrk).
- **Method**: real `openror serve` processes on 127.0.0.1 with 1 and 2 uvicorn workers, a fresh
  database per configuration (SQLite file in a temporary directory; a new PostgreSQL database).
  Load generator: wrk, {load.threads} thread(s), {load.connections} keep-alive connections,
  {load.warmup:g} s warm-up then {load.seconds:g} s measured, per point.
  - *Read-by-id*: `GET /fhir/Organization/{{id}}` over random ids of {SEED:,} Organizations
    created through the API beforehand.
  - *Ceiling*: a bare Starlette app (`bench/bare_app.py`, same Starlette and uvicorn, same
    worker count) whose one route returns the very stored bytes of one of those Organizations
    (same media type, ETag and Last-Modified) for every path; measured right after the real
    server, same paths, same wrk settings.
  - *Create*: `POST /fhir/Organization` of a valid Organization (a different name each
    request), the normal API path with full validation; figure = resources created per second.
  - With 2 workers, `uvicorn --workers N` binds its listener with protocol 0, so asyncio
    leaves Nagle's algorithm on and each keep-alive response waits ~40 ms for a delayed ACK
    (uvicorn issue #3149). `openror serve` creates its listener with `IPPROTO_TCP` instead, and
    the 2-worker ceiling is served the same way (`python -m bench.bare_app`).
  - Latencies are wrk's p50/p99; *Errors* counts non-2xx answers and socket errors (must be 0).
- **Targets** (issue): read-by-id ≥ {READ_TARGET:.0%} of the ceiling; create ≥
  {CREATE_TARGET:.0f} resources/s on SQLite with full validation.{extra}

{table(rows)}
{END}
"""


def write_docs(text: str) -> None:
    write_section(BEGIN, END, text)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=int, default=5, help="measured seconds per point")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--postgres", default=DEFAULT_PG,
                        help=f"PostgreSQL admin URL; the bench creates and drops {PG_DB} there")
    parser.add_argument("--write-docs", action="store_true", help=f"update {DOCS.name}")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: run 'bash bench/setup.sh'", file=sys.stderr)
        return 2
    load = Load(args.seconds, args.connections, args.threads)
    try:
        rows, notes = run_all(args, load)
    except BenchError as exc:
        print(f"BENCHMARK FAILED: {exc}", file=sys.stderr)
        return 1
    print()
    print(table(rows))
    if args.write_docs:
        command = " ".join([".venv/bin/python", "bench/http_core.py", *sys.argv[1:]])
        write_docs(section(rows, notes, load, command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
