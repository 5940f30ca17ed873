"""What the read policy costs: the same searches and reads over HTTP as profile 1 (the stored
bytes, no policy SQL) and as profiles 0, 2 and 5 (hidden resources filtered in SQL, fields
redacted), on the demo sample, in the same run.

    .venv/bin/python bench/read_policy.py [--runs N] [--write-docs]

Profile 1 is the reference: the ratio is what the policy adds for the restricted profiles.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.docs_section import write_section  # noqa: E402
from bench.http_core import BIN, HOST, SERVER_ENV, free_port, openror_cmd, running  # noqa: E402
from bench.search_national import Result  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:read_policy -->", "<!-- /bench:read_policy -->"
SAMPLE = ROOT / "src" / "openror" / "importers" / "data" / "sample.ndjson.gz"
PROFILES = (1, 0, 2, 5)
#: (name, path, parameters): what consumers of the demo data ask most
REQUESTS = [
    ("offers by activity + graph", "/fhir/HealthcareService",
     {"specialty": "437", "_revinclude": "PractitionerRole:service",
      "_include": "PractitionerRole:practitioner"}),
    ("offers near a commune", "/fhir/HealthcareService",
     {"location.near-insee-code": "02408|20|km"}),
    ("places of a commune", "/fhir/Location", {"commune-cog": "02408"}),
    ("roles + practitioners", "/fhir/PractitionerRole",
     {"_include": "PractitionerRole:practitioner", "_count": "100"}),
    ("full text", "/fhir/HealthcareService", {"_content": "medecine"}),
    ("one offer", "/fhir/HealthcareService/demo-gp-office-437", {}),
    ("history page", "/fhir/_history", {"_count": "100"}),
]


def load(url: str) -> None:
    openror = str(BIN / "openror")
    subprocess.run([openror, "db", "upgrade", "--database", url], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([openror, "import", "bundle", str(SAMPLE), "--database", url,
                    "--no-progress"], check=True, stdout=subprocess.DEVNULL)


def token(url: str, port: int, profile: int) -> str:
    added = subprocess.run([str(BIN / "openror"), "clients", "add", f"bench p{profile}",
                            "--profile", str(profile), "--json", "--database", url],
                           check=True, capture_output=True, text=True,
                           env={**os.environ, **SERVER_ENV})
    made = json.loads(added.stdout)
    answer = httpx.post(f"http://{HOST}:{port}/auth/token", data={
        "grant_type": "client_credentials", "client_id": made["client_id"],
        "client_secret": made["client_secret"]})
    answer.raise_for_status()
    value: str = answer.json()["access_token"]
    return value


def timed(client: httpx.Client, path: str, params: dict[str, str], runs: int
          ) -> tuple[list[float], int]:
    times, entries = [], 0
    for n in range(runs + 3):  # three warm-up requests
        start = time.perf_counter()
        response = client.get(path, params=params)
        elapsed = (time.perf_counter() - start) * 1000
        response.raise_for_status()
        if n >= 3:
            times.append(elapsed)
        entries = len(response.json().get("entry", [])) if "entry" in response.text else 1
    return times, entries


def measure(runs: int) -> list[tuple[str, dict[int, tuple[list[float], int]]]]:
    with tempfile.TemporaryDirectory() as work:
        url = f"sqlite:///{Path(work) / 'openror.sqlite'}"
        load(url)
        port = free_port()
        rows = []
        with running(openror_cmd(port, 1, url), SERVER_ENV, port, "/fhir/metadata", quiet=True):
            clients = {p: httpx.Client(base_url=f"http://{HOST}:{port}", timeout=60, headers={
                "Authorization": f"Bearer {token(url, port, p)}"}) for p in PROFILES}
            for name, path, params in REQUESTS:
                found = {p: timed(clients[p], path, params, runs) for p in PROFILES}
                rows.append((name, found))
                print(f"  {name}: " + ", ".join(
                    f"p{p} {Result.pct(ms, .95):.1f} ms ({n})" for p, (ms, n) in found.items()),
                    flush=True)
    return rows


def section(rows: list[tuple[str, dict[int, tuple[list[float], int]]]], runs: int) -> str:
    head = "| request | " + " | ".join(f"profile {p} p50 / p95 (entries)" for p in PROFILES)
    lines = [head + " | worst ratio to profile 1 (p95) |",
             "| --- " * (len(PROFILES) + 2) + "|"]
    for name, found in rows:
        reference = Result.pct(found[1][0], .95)
        cells = [f"{Result.pct(ms, .5):.1f} / {Result.pct(ms, .95):.1f} ({n})"
                 for ms, n in found.values()]
        worst = max(Result.pct(found[p][0], .95) / reference for p in PROFILES if p != 1)
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {worst:.2f}× |")
    table = "\n".join(lines)
    return f"""{BEGIN}
## The read policy's cost (bench/read_policy.py)

The demo sample (12,048 resources) on SQLite, one worker, HTTP on loopback, {runs} runs per
request and profile after three warm-up requests, sequential. Profile 1 gets the stored bytes
with no policy SQL; profiles 0, 2 and 5 get hidden resources filtered in the SQL and fields
redacted. Entries differ: each profile sees less.

{table}
{END}
"""


def write_docs(text: str) -> None:
    write_section(BEGIN, END, text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    text = section(measure(args.runs), args.runs)
    print(text)
    if args.write_docs:
        write_docs(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
