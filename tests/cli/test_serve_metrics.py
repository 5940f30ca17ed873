"""openror serve --workers 2: a scrape of /-/metrics reaches one worker, and reports the
requests of both; a worker that dies keeps its requests counted but no longer its pools; the
metrics directory is the server's own, removed when it stops."""

from __future__ import annotations

import glob
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from openror.cli import main
from tests.processes import free_port, server_workers

pytestmark = pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"),
                                reason="SO_REUSEPORT: Linux and the BSDs only")
OPENROR = Path(sys.executable).with_name("openror")
METADATA = {"route": "/fhir/metadata", "method": "GET", "status": "2xx"}
COUNT = "openror_http_request_duration_seconds_count"


def _metrics_dir(worker: int) -> str:
    environ = Path(f"/proc/{worker}/environ").read_bytes().split(b"\0")
    found = [v.split(b"=", 1)[1] for v in environ if v.startswith(b"PROMETHEUS_MULTIPROC_DIR=")]
    assert len(found) == 1
    return found[0].decode()


def _value(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


def _written_by(directory: str, worker: int, kind: str, name: str,
                labels: dict[str, str]) -> float:
    """A value one worker wrote in its own file of ``kind`` (0: none yet)."""
    files = glob.glob(os.path.join(directory, f"{kind}_{worker}.db"))
    for metric in MultiProcessCollector.merge(files):
        for sample in metric.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


def _metadata_requests_of(directory: str, worker: int) -> float:
    """One worker's share of the requests."""
    return _written_by(directory, worker, "histogram", COUNT, METADATA)


def _published_pool(directory: str, worker: int) -> float:
    """The write pool size one worker published (0: not yet)."""
    return _written_by(directory, worker, "gauge_livesum", "openror_db_pool_size",
                       {"engine": "write"})


def _wait_for(condition: object, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    url = f"sqlite:///{tmp_path / 'serve.sqlite'}"
    assert CliRunner().invoke(main, ["db", "upgrade", "--database", url]).exit_code == 0
    port = free_port()
    env = {**os.environ, "OPENROR_LOG_LEVEL": "WARNING"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with (tmp_path / "stderr.log").open("wb") as log:  # read by the test: JSON lines
        process = subprocess.Popen([str(OPENROR), "serve", "--database", url, "--port",
                                    str(port), "--workers", "2"], env=env, stderr=log)
    try:
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/-/health").status_code == 200
    except httpx.HTTPError:
        return False


def test_one_scrape_counts_the_requests_of_every_worker(
        server: tuple[subprocess.Popen[bytes], int], tmp_path: Path) -> None:
    process, port = server
    base = f"http://127.0.0.1:{port}"
    _wait_for(lambda: _up(port), "server did not start")
    _wait_for(lambda: len(server_workers(process.pid)) == 2, "two workers")
    workers = server_workers(process.pid)
    directory = _metrics_dir(workers[0])
    requests = 40
    for _ in range(requests):  # a new connection each: the kernel spreads them
        assert httpx.get(f"{base}/fhir/metadata").status_code == 200
    # a worker counts a request once its answer is sent: the last one may lag a moment
    _wait_for(lambda: sum(_metadata_requests_of(directory, w) for w in workers) == requests,
              "every request counted", seconds=10)
    shares = [_metadata_requests_of(directory, w) for w in workers]
    assert all(share > 0 for share in shares), shares
    for _ in range(6):  # whichever worker answers
        scraped = httpx.get(f"{base}/-/metrics").text
        assert _value(scraped, COUNT, **METADATA) == requests
        assert _value(scraped, "openror_db_pool_size", engine="write") == 2  # 1 per worker

    # a worker that has listened dies: it is replaced, not taken for a bad start
    os.kill(workers[0], signal.SIGKILL)
    _wait_for(lambda: len(set(server_workers(process.pid)) - set(workers)) == 1, "a new worker")
    new = (set(server_workers(process.pid)) - set(workers)).pop()
    _wait_for(lambda: _published_pool(directory, new) == 1, "the new worker's pool gauges")
    scraped = httpx.get(f"{base}/-/metrics").text
    assert _value(scraped, COUNT, **METADATA) == requests  # the dead one's requests count
    assert _value(scraped, "openror_db_pool_size", engine="write") == 2  # its pool does not

    process.send_signal(signal.SIGTERM)
    assert process.wait(40) == 0
    assert not os.path.exists(directory)
    # every line the server wrote, the supervisor's and uvicorn's included, is a JSON line
    lines = [json.loads(line) for line in (tmp_path / "stderr.log").read_text().splitlines()]
    assert any(line["logger"] == "openror.workers" and "died" in line["message"]
               for line in lines), lines
