"""OpenROR next to the peer FHIR server sekmet-fhir, on the searches both support.

Same data, same machine, same client loop: the resources of one region taken from the national
dataset (``--national DIR``, the output of ``openror generate national``), loaded into a fresh
OpenROR (SQLite, ``openror import bundle``) and into a fresh sekmet-fhir (its own SQLite,
transaction Bundles of PUTs; request logging and inbound validation off, as its documentation
suggests for loads). sekmet-fhir is installed by ``bash bench/setup.sh`` in its own virtual
environment (.cache/sekmet). Queries are limited to what sekmet-fhir answers correctly
(token, string, _id, _lastUpdated, references, simple chains, _has, includes); each is sent to
both with ``Prefer: handling=strict`` and must give the same total on both, or the run fails.

    .venv/bin/python bench/search_peer.py --national DIR [--region 28] [--runs 40] [--write-docs]
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.http_core import (  # noqa: E402
    HOST,
    SERVER_ENV,
    bench_token,
    free_port,
    openror_cmd,
    running,
)
from bench.search_national import Result  # noqa: E402

pct = Result.pct

SEKMET = ROOT / ".cache" / "sekmet" / "bin" / "sekmet"
DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:search_peer -->", "<!-- /bench:search_peer -->"
TYPES = ("Organization", "Location", "HealthcareService", "Practitioner", "PractitionerRole")
STRICT = {"Prefer": "handling=strict"}


@dataclass(frozen=True)
class Query:
    name: str
    rtype: str
    variants: list[list[tuple[str, str]]]


@dataclass(frozen=True)
class Row:
    query: Query
    ours_ms: list[float]
    peer_ms: list[float]
    totals: list[int]
    same_totals: bool


def region_subset(national: Path, region: str, out: Path) -> dict[str, int]:
    """The resources tagged with ``region``, one ndjson file per type."""
    counts = {}
    for rtype in TYPES:
        kept = 0
        with (national / f"{rtype}.ndjson").open("rb") as src, \
                (out / f"{rtype}.ndjson").open("wb") as dst:
            for line in src:
                body = orjson.loads(line)
                if any(t.get("code") == region for t in body.get("meta", {}).get("tag", [])):
                    dst.write(line)
                    kept += 1
        counts[rtype] = kept
    return counts


def resources(folder: Path, only: set[tuple[str, str]] | None = None
              ) -> Iterator[dict[str, Any]]:
    for rtype in TYPES:
        with (folder / f"{rtype}.ndjson").open("rb") as f:
            for line in f:
                body = orjson.loads(line)
                if only is None or (rtype, body["id"]) in only:
                    yield body


def stored(sqlite_file: Path) -> set[tuple[str, str]]:
    """What OpenROR accepted: the peer gets exactly the same resources."""
    with sqlite3.connect(f"file:{sqlite_file}?mode=ro", uri=True) as conn:
        return {(t, i) for t, i in conn.execute(
            "SELECT type, id FROM resource WHERE deleted = 0")}


def load_sekmet(base: str, folder: Path, only: set[tuple[str, str]], size: int = 500) -> float:
    start = time.perf_counter()
    batch: list[dict[str, Any]] = []
    with httpx.Client(timeout=600) as client:
        for body in [*resources(folder, only), None]:
            if body is not None:
                batch.append(body)
            if batch and (body is None or len(batch) == size):
                bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
                    {"resource": r, "request": {"method": "PUT",
                                                "url": f"{r['resourceType']}/{r['id']}"}}
                    for r in batch]}
                answer = client.post(f"{base}/", content=orjson.dumps(bundle), headers={
                    "Content-Type": "application/fhir+json", "Prefer": "return=minimal"})
                if answer.status_code != 200:
                    raise RuntimeError(f"sekmet load: {answer.status_code} {answer.text[:300]}")
                batch = []
    return time.perf_counter() - start


def values(folder: Path, only: set[tuple[str, str]], k: int) -> dict[str, list[Any]]:
    """Identifiers, activities and names present in the subset."""
    found: dict[str, list[Any]] = {"specialty": [], "hs_id": [], "hs_ident": [], "prac": [],
                                   "org": [], "name": [], "loc_ident": []}
    for body in resources(folder, only):
        rtype = body["resourceType"]
        if rtype == "HealthcareService":
            coding = (body.get("specialty") or [{}])[0].get("coding", [{}])[0]
            found["specialty"].append(f"{coding.get('system')}|{coding.get('code')}")
            found["hs_id"].append(body["id"])
            found["hs_ident"].append(body["identifier"][0]["value"])
            found["name"].append(body.get("name", "")[:6])
        elif rtype == "Practitioner":
            found["prac"].append(body["identifier"][0]["value"])
        elif rtype == "Organization":
            found["org"].append(body["id"])
        elif rtype == "Location" and body.get("identifier"):
            found["loc_ident"].append(body["identifier"][0]["value"])
    common = sorted(set(found["specialty"]), key=found["specialty"].count, reverse=True)
    found["specialty"] = common[:k]
    for key in ("hs_id", "hs_ident", "prac", "org", "name", "loc_ident"):
        step = max(1, len(found[key]) // k)
        found[key] = found[key][::step][:k]
    return found


def queries(v: dict[str, list[Any]]) -> list[Query]:
    return [
        Query("Offers by activity (token)", "HealthcareService",
              [[("specialty", s)] for s in v["specialty"]]),
        Query("Offer by identifier", "HealthcareService",
              [[("identifier", i)] for i in v["hs_ident"]]),
        Query("Offers by name prefix", "HealthcareService",
              [[("name", n)] for n in v["name"] if n]),
        Query("Offers of an organization (reference)", "HealthcareService",
              [[("organization", f"Organization/{o}")] for o in v["org"]]),
        Query("Offers at a place (chain location.identifier)", "HealthcareService",
              [[("location.identifier", i)] for i in v["loc_ident"]]),
        Query("Offers of a professional (_has)", "HealthcareService",
              [[("_has:PractitionerRole:service:practitioner.identifier", p)]
               for p in v["prac"]]),
        Query("Activity + roles and professionals (_revinclude, _include)",
              "HealthcareService",
              [[("specialty", s), ("_revinclude", "PractitionerRole:service"),
                ("_include", "PractitionerRole:practitioner")] for s in v["specialty"]]),
        Query("Offers by _id (3 ids)", "HealthcareService",
              [[("_id", ",".join(v["hs_id"][i:i + 3]))] for i in range(0, len(v["hs_id"]), 3)]),
    ]


def timed(client: httpx.Client, q: Query, runs: int) -> tuple[list[float], list[int]]:
    times, totals = [], []
    for i in range(runs + 5):
        pairs = q.variants[i % len(q.variants)]
        url = f"/fhir/{q.rtype}?{urlencode([*pairs, ('_count', '20')])}"
        start = time.perf_counter()
        answer = client.get(url, headers=STRICT)
        bundle = answer.json()
        elapsed = (time.perf_counter() - start) * 1000
        if answer.status_code != 200:
            raise RuntimeError(f"{client.base_url}{url}: {answer.status_code} "
                               f"{answer.text[:300]}")
        if i >= 5:
            times.append(elapsed)
            totals.append(int(bundle.get("total", -1)))
    return times, totals


def sekmet_config(folder: Path, port: int) -> Path:
    config = folder / "sekmet.yaml"
    config.write_text(f"host: {HOST}\nport: {port}\nbase_url: http://{HOST}:{port}/fhir\n"
                      f"db_path: {folder / 'sekmet.db'}\nlog_inbound: false\n"
                      "validation:\n  inbound: \"off\"\nsimulator:\n  enabled: false\n")
    return config


def run(args: argparse.Namespace, work: Path) -> tuple[list[Row], str]:
    subset = work / "subset"
    subset.mkdir()
    counts = region_subset(args.national, args.region, subset)
    url = f"sqlite:///{work / 'openror.sqlite'}"
    subprocess.run([str(Path(sys.executable).with_name("openror")), "db", "upgrade",
                    "--database", url], check=True, stdout=subprocess.DEVNULL)
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("openror")), "import", "bundle",
                    *[str(subset / f"{t}.ndjson") for t in TYPES], "--database", url,
                    "--no-progress"], check=True, stdout=subprocess.DEVNULL)
    openror_load = time.perf_counter() - start
    chosen = queries(values(subset, stored(work / "openror.sqlite"), args.values))
    port, peer_port = free_port(), free_port()
    rows = []
    with running(openror_cmd(port, 1, url), SERVER_ENV, port, "/fhir/metadata", quiet=True), \
            running([str(SEKMET), "serve", "-c", str(sekmet_config(work, peer_port))],
                    {}, peer_port, "/fhir/metadata", quiet=True), \
            httpx.Client(base_url=f"http://{HOST}:{port}", timeout=120) as ours, \
            httpx.Client(base_url=f"http://{HOST}:{peer_port}", timeout=120) as peer:
        ours.headers["Authorization"] = f"Bearer {bench_token(url, port)}"
        accepted = stored(work / "openror.sqlite")
        peer_load = load_sekmet(f"http://{HOST}:{peer_port}/fhir", subset, accepted)
        for q in chosen:
            our_ms, our_totals = timed(ours, q, args.runs)
            peer_ms, peer_totals = timed(peer, q, args.runs)
            rows.append(Row(q, our_ms, peer_ms, our_totals, our_totals == peer_totals))
            print(f"  {q.name}: OpenROR p95 {pct(our_ms, .95):.1f} ms, sekmet "
                  f"{pct(peer_ms, .95):.1f} ms, totals {our_totals[:3]} / {peer_totals[:3]}",
                  flush=True)
    sizes = ", ".join(f"{n:,} {t}" for t, n in counts.items())
    sizes += (f" in the region, {len(accepted):,} accepted by OpenROR's validation and "
              "loaded in both")
    return rows, (f"{sizes} (region {args.region}); loaded in {openror_load:.0f} s by OpenROR "
                  f"(import with full validation) and {peer_load:.0f} s by sekmet-fhir")


def section(rows: list[Row], data: str, args: argparse.Namespace) -> str:
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    lines = ["| Search | Matches | OpenROR p50 / p95 (ms) | sekmet-fhir p50 / p95 (ms) | "
             "Same totals |", "| --- | --- | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| {r.query.name} | {min(r.totals):,}–{max(r.totals):,} | "
                     f"{pct(r.ours_ms, .5):.1f} / {pct(r.ours_ms, .95):.1f} | "
                     f"{pct(r.peer_ms, .5):.1f} / {pct(r.peer_ms, .95):.1f} | "
                     f"{'yes' if r.same_totals else '**no**'} |")
    table = "\n".join(lines)
    return f"""{BEGIN}
## Search next to a peer server (sekmet-fhir)

Measured on {date} by `bench/search_peer.py` (generated section: rerun, don't edit).

- **Data**: {data}.
- **Method**: both servers on 127.0.0.1, one process each, their own SQLite database; the
  same {args.runs} sequential requests per search after 5 warm-up ones, values rotated over
  {args.values} variants drawn from the data, `_count=20`, `Prefer: handling=strict`; *Same
  totals* says whether both found the same number of matches for every request. Only
  searches sekmet-fhir 0.1.1 answers correctly are compared: it has no `near`, no
  extension-based parameters (capacity, equipment…), no `service-category` or
  `characteristic` on offers and no address parameters on places (its chained
  `location.address-postalcode` silently finds nothing).

{table}
{END}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--national", type=Path, required=True)
    parser.add_argument("--region", default="28")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--values", type=int, default=10)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    if not SEKMET.exists():
        print("sekmet-fhir is not installed: run bash bench/setup.sh", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="openror-peer-") as tmp:
        rows, data = run(args, Path(tmp))
    text = section(rows, data, args)
    print(text)
    if args.write_docs:
        old = DOCS.read_text()
        pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n?", re.DOTALL)
        DOCS.write_text(pattern.sub(lambda _m: text, old, count=1) if pattern.search(old)
                        else old.rstrip("\n") + "\n\n" + text)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
