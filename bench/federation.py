"""Federation catch-up: a follower applying 100,000 changes of a source's feed.

The source: a fresh SQLite database holding ``openror generate national`` limited to enough
establishments for ~100,000 resources, loaded with ``openror import bundle`` (timed: the
*import* reference, the same resources through the same write path from files), served by a
real ``openror serve`` (one worker) on 127.0.0.1. For each back-end of the follower (SQLite;
PostgreSQL when reachable): a fresh database, ``openror federate add`` with a profile-1
client of the source, then ``openror federate run --once`` in its own process, timed from
the first change to "caught up" (pages of 1,000 changes, each applied in one transaction
through the bulk write path), with its peak memory; then ``openror federate verify``, timed,
which must find every region × type equal. The *fetch* reference, measured in the same run
against the same server: the bare time to GET every page of the feed (no parsing, no
writing) — the floor set by the source and HTTP.

    .venv/bin/python bench/federation.py [--limit N] [--seed S] [--postgres URL |
                                          --no-postgres] [--work DIR] [--write-docs | --profile]

``--work DIR`` keeps the dataset and the imported source there, and reuses them next time
(the import of ~100,000 resources takes a minute or more).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.docs_section import write_section
from bench.http_core import HOST, SERVER_ENV, free_port, openror_cmd, running
from bench.import_national import drop_pg, generate, pg_database, timed_import, upgrade

OPENROR = str(Path(sys.executable).with_name("openror"))
BEGIN, END = "<!-- bench:federation -->", "<!-- /bench:federation -->"
TARGET_S, TARGET_CHANGES = 60.0, 100_000
PAGE = 1000
TABLE_HEAD = ("| Follower | Changes | Catch-up s | Changes/s | Follower CPU s | Load | Peak MB | "
              "Fetch s | Import s | Verify s | Target |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|")


@dataclass(frozen=True)
class Point:
    backend: str
    changes: int
    catch_up_s: float
    peak_mb: float
    verify_s: float
    equal: bool
    summary: str
    cpu_s: float  # the follower process's user + system CPU time
    load: float  # the machine's 1-minute load average at the end of the catch-up

    @property
    def rate(self) -> float:
        return self.changes / self.catch_up_s


def _client(url: str, env: dict[str, str], secret: Path) -> str:
    added = subprocess.run([OPENROR, "clients", "add", f"federation-{time.time_ns()}",
                            "--profile", "1", "--json",
                            "--database", url], check=True, capture_output=True, text=True,
                           env={**os.environ, **env})
    made = json.loads(added.stdout)
    secret.write_text(made["client_secret"])
    return str(made["client_id"])


def bare_fetch(base: str, client_id: str, secret: Path) -> tuple[int, int, float]:
    """(changes, pages, seconds) to GET every page of the feed, nothing else done."""
    with httpx.Client(base_url=base, timeout=120) as http:
        token = http.post("/auth/token", data={"grant_type": "client_credentials"},
                          auth=(client_id, secret.read_text())).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        after, changes, pages, start = 0, 0, 0, time.perf_counter()
        while True:
            answer = http.get("/fhir/_history", params={"_after": after, "_count": PAGE},
                              headers=headers)
            answer.raise_for_status()
            text = answer.text
            found = text.count('change-sequence"')
            moved = re.search(r'_after=(\d+)', text.rsplit('"next"', 1)[-1])
            nxt = int(moved.group(1)) if moved else after
            if not found and nxt <= after:
                return changes, pages, time.perf_counter() - start
            changes, pages, after = changes + found, pages + 1, nxt


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str, float]:
    """(seconds, peak MB, output, CPU seconds) of ``cmd`` in its own process."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *cmd], check=False, capture_output=True,
                          text=True,
                          env={**os.environ, **env})
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[:3])} failed: {done.stderr[-2000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)",
                                           done.stderr))
    return elapsed, (int(peak.group(1)) if peak else 0) / 1024, done.stdout.strip(), cpu


def follow(backend: str, url: str, base: str, client_id: str, secret: Path, work: Path,
           changes: int, profile: bool = False) -> Point:
    env = {"OPENROR_DATA_DIR": str(work), "OPENROR_LOG_LEVEL": "WARNING"}
    upgrade(url)
    subprocess.run([OPENROR, "federate", "add", base, "--client", client_id, "--secret-file",
                    str(secret), "--name", "source", "--database", url], check=True,
                   env={**os.environ, **env}, stdout=subprocess.DEVNULL)
    profiled = work / f"follower-{backend}.prof"
    run = [OPENROR, "federate", "run", "source", "--once", "--page-size", str(PAGE),
           "--database", url]
    if profile:  # cProfile slows the follower: its figures are then for reading, not for docs
        run = [sys.executable, "-m", "cProfile", "-o", str(profiled), *run]
    seconds, peak, summary, cpu = _timed(run, env)
    load = os.getloadavg()[0]
    verify_s, _, verified, _ = _timed([OPENROR, "federate", "verify", "source", "--database",
                                       url], env)
    equal = "different" not in verified and "equal" in verified
    print(f"{backend}: {summary}\n  catch-up {seconds:.1f} s ({changes / seconds:,.0f}/s, "
          f"peak {peak:,.0f} MB, {cpu:.1f} CPU s, load {load:.1f}); verify {verify_s:.1f} s: "
          f"{'equal' if equal else 'DIFFERENT'}", flush=True)
    if not equal:
        print(verified)
    if profile:
        pstats.Stats(str(profiled)).sort_stats("cumulative").print_stats(40)
        pstats.Stats(str(profiled)).sort_stats("tottime").print_stats(25)
    return Point(backend, changes, seconds, peak, verify_s, equal, summary, cpu, load)


def section(points: list[Point], args: argparse.Namespace, resources: int, import_s: float,
            fetch: tuple[int, int, float]) -> str:
    changes, pages, fetch_s = fetch
    rows = "\n".join(
        f"| {p.backend} | {p.changes:,} | {p.catch_up_s:.1f} | {p.rate:,.0f} | "
        f"{p.cpu_s:.1f} | {p.load:.1f} | {p.peak_mb:,.0f} | {fetch_s:.1f} | {import_s:.1f} | "
        f"{p.verify_s:.1f} "
        f"({'equal' if p.equal else 'DIFFERENT'}) | "
        f"{'met' if p.catch_up_s * TARGET_CHANGES / p.changes <= TARGET_S else 'MISSED'} |"
        for p in points)
    return f"""{BEGIN}
## Federation: catch-up of a source's change feed

Measured on {datetime.now(UTC):%Y-%m-%d} by `bench/federation.py` (generated section).

- **Machine**: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()};
  source server, follower and database share them.
- **Data**: `openror generate national --seed {args.seed} --limit {args.limit}`: {resources:,}
  resources imported into the source, whose feed then holds {changes:,} changes
  ({pages:,} pages of {PAGE:,}).
- **Method**: the source is a real `openror serve` (SQLite, 1 worker) on 127.0.0.1; the
  follower runs `openror federate run --once` in its own process against a fresh database:
  token, pages of {PAGE:,} changes, each applied in one transaction through the bulk write path
  with the cursor, ids, region tags and functional identifiers kept. *Fetch* is the reference
  measured in the same run: the bare time to GET every page from the same server (no parsing,
  no writing). *Import* is the time the source took to import the same resources with
  `openror import bundle` (all its phases). *Verify* is `openror federate verify` afterwards
  (digests of both sides per region and type). *Follower CPU s* is the user + system time
  of the `federate run` process; *Load* the machine's 1-minute load average when the catch-up
  ended (other work on the same 2 CPUs slows every figure but the CPU time).
- **Target** (issue): 100,000 changes caught up in ≤ {TARGET_S:.0f} s (scaled to the
  changes measured).

{TABLE_HEAD}
{rows}
{END}
"""


def prepare_source(work: Path, args: argparse.Namespace) -> tuple[int, float]:
    """The source database, imported (and timed) once per work directory."""
    done = work / "source.json"
    if done.exists():
        kept = json.loads(done.read_text())
        print(f"source: reused from {work} ({kept['resources']:,} resources)", flush=True)
        return int(kept["resources"]), float(kept["import_s"])
    files = generate(work / "dataset", args.seed, args.limit)
    source = f"sqlite:///{work / 'source.sqlite'}"
    upgrade(source)
    import_s, _, imported = timed_import(source, files, work)
    resources = sum(int(n) for n in re.findall(r"(\d+) created", imported))
    print(f"source: {imported} in {import_s:.1f} s", flush=True)
    done.write_text(json.dumps({"resources": resources, "import_s": import_s}))
    return resources, import_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--limit", type=int, default=4100,
                        help="establishments of the national generator (4,100: ~100,000 "
                        "resources)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--profile", action="store_true",
                        help="run each follower under cProfile and print where its time went "
                        "(slower: not with --write-docs)")
    parser.add_argument("--work", type=Path,
                        help="keep the dataset and the source database in this directory and "
                        "reuse them in later runs (default: a temporary directory)")
    args = parser.parse_args()
    if args.profile and args.write_docs:
        parser.error("--profile slows the follower: its figures do not go in the docs")
    with tempfile.TemporaryDirectory(prefix="openror-bench-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        resources, import_s = prepare_source(work, args)
        source = f"sqlite:///{work / 'source.sqlite'}"
        for stale in work.glob("follower.sqlite*"):
            stale.unlink()
        secret = work / "secret"
        client_id = _client(source, SERVER_ENV, secret)
        port = free_port()
        base = f"http://{HOST}:{port}"
        with running(openror_cmd(port, 1, source), {**SERVER_ENV,
                     "OPENROR_DATA_DIR": str(work)}, port, "/fhir/metadata", quiet=True):
            fetch = bare_fetch(base, client_id, secret)
            print(f"fetch: {fetch[0]:,} changes in {fetch[1]} pages, {fetch[2]:.1f} s",
                  flush=True)
            points = [follow("SQLite", f"sqlite:///{work / 'follower.sqlite'}", base,
                             client_id, secret, work, fetch[0], args.profile)]
            pg = None if args.no_postgres else pg_database(args.postgres,
                                                            "openror_bench_federation")
            if pg is not None:
                try:
                    points.append(follow("PostgreSQL", pg, base, client_id, secret, work,
                                         fetch[0], args.profile))
                finally:
                    drop_pg(args.postgres, "openror_bench_federation")
        if args.write_docs:
            write_section(BEGIN, END, section(points, args, resources, import_s, fetch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
