"""openror serve --workers N: each worker listens on the port with its own socket, so that a
burst of connections is spread between them; SIGTERM stops them all; a worker that cannot
start stops the server with one line instead of being restarted forever."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from openror.cli import main
from tests.processes import children, free_port

pytestmark = pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"),
                                reason="SO_REUSEPORT: Linux and the BSDs only")
OPENROR = Path(sys.executable).with_name("openror")


def _established(pids: list[int], port: int) -> dict[int, int]:
    """How many connections to ``port`` each process holds (from /proc: its socket inodes
    in the table of established TCP connections)."""
    inodes: dict[str, int] = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":
            inodes[fields[9]] = 1
    counts = {}
    for pid in pids:
        held = 0
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                held += 1
        counts[pid] = held
    return counts


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'serve.sqlite'}"
    assert CliRunner().invoke(main, ["db", "upgrade", "--database", url]).exit_code == 0
    return url


def test_a_burst_of_connections_reaches_every_worker_and_sigterm_stops_them(
        url: str) -> None:
    port = free_port()
    env = {**os.environ, "OPENROR_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen([str(OPENROR), "serve", "--database", url, "--port", str(port),
                               "--workers", "2"], env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/-/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        time.sleep(1)  # both workers up
        workers = [w for w in children(server.pid)
                   if b"spawn_main" in Path(f"/proc/{w}/cmdline").read_bytes()]
        assert len(workers) == 2
        burst = [socket.create_connection(("127.0.0.1", port)) for _ in range(32)]
        time.sleep(0.5)  # accepted
        counts = _established(workers, port)
        assert sum(counts.values()) == 32
        # a hash of each connection picks the socket: all 32 on one side has odds of 1 in 2^31
        assert all(count > 0 for count in counts.values()), counts
        for conn in burst:
            conn.close()
        server.send_signal(signal.SIGTERM)
        assert server.wait(40) == 0
        assert not any(Path(f"/proc/{w}").exists() for w in workers)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_a_worker_that_cannot_start_stops_the_server(url: str) -> None:
    env = {**os.environ, "OPENROR_CAPACITY_STALE_AFTER": "icu=forever"}  # read by workers
    result = subprocess.run([str(OPENROR), "serve", "--database", url, "--port",
                             str(free_port()), "--workers", "2"], capture_output=True,
                            text=True, timeout=60, check=False, env=env)
    assert result.returncode == 1
    assert result.stderr.rstrip().splitlines()[-1].startswith(
        "openror: error: a server worker stopped right after its start")
