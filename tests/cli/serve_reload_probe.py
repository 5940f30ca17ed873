"""Run by tests/cli/test_serve_reload.py, possibly in a network namespace of its own (so that
``net.ipv4.tcp_migrate_req`` can be set without touching the machine's): start
``openror serve --workers 2``, keep a client asking during a SIGHUP, print what happened as
one JSON object.

    python serve_reload_probe.py OPENROR DATABASE_URL LOG_FILE [--own-network]
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.processes import free_port, server_workers

MIGRATE = Path("/proc/sys/net/ipv4/tcp_migrate_req")


def workers(pid: int) -> set[int]:
    return set(server_workers(pid))


def wait_for(condition: object, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/-/health").status_code == 200
    except httpx.HTTPError:
        return False


class Client(threading.Thread):
    """Asks on a new connection each time, as a browser or a pool after a reset would."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.ok, self.failed = base, 0, 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                answer = httpx.get(f"{self.base}/fhir/metadata", timeout=30)
                if answer.status_code == 200:
                    self.ok += 1
                else:
                    self.failed += 1
            except httpx.HTTPError:
                self.failed += 1


def main() -> None:
    openror, url, log_file = sys.argv[1:4]
    if "--own-network" in sys.argv:
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        MIGRATE.write_text("1\n")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "OPENROR_LOG_LEVEL": "INFO"}
    with open(log_file, "wb") as log:
        server = subprocess.Popen([openror, "serve", "--database", url, "--port", str(port),
                                   "--workers", "2"], env=env, stderr=log)
    result: dict[str, object] = {"migrate_req": MIGRATE.read_text().strip()
                                 if MIGRATE.exists() else None}
    try:
        started = wait_for(lambda: up(base) and len(workers(server.pid)) == 2)
        old = workers(server.pid)
        client = Client(base)
        client.start()
        time.sleep(1.0)
        server.send_signal(signal.SIGHUP)
        replaced = started and wait_for(
            lambda: len(workers(server.pid)) == 2 and not workers(server.pid) & old)
        time.sleep(1.0)
        client.stop.set()
        client.join()
        result.update(started=started, replaced=replaced, ok=client.ok, failed=client.failed,
                      old=sorted(old), new=sorted(workers(server.pid)), answers=up(base))
    finally:
        server.send_signal(signal.SIGTERM)
        result["exit"] = server.wait(60)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
