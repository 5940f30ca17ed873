"""``openror serve --workers N``: N server processes, each listening on the same port with its
own socket (``SO_REUSEPORT``), so that the kernel spreads the connections between them.

With one listener shared by every worker (uvicorn's ``Multiprocess``), the worker that wakes
first accepts a whole burst of connections at once: 16 connections opened together all went
to one worker, which did 97 % of the work while the other did none (bench/capacity_feed.py).

The supervisor restarts a worker that dies, and stops everything on SIGINT or SIGTERM. A
worker that dies within ``EARLY_DEATH_S`` of its start (a bad setting, a database that is
not there) stops the server instead of being restarted in a loop.

Metrics: a scrape of ``/-/metrics`` reaches one worker, which must report them all. The
workers run in prometheus_client's multiprocess mode, in a fresh directory named by
``PROMETHEUS_MULTIPROC_DIR`` (``metrics_directory``) where each writes its values and any
reads them all; a dead worker's live gauges are dropped there, the directory removed at stop.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.process import BaseProcess
from typing import Any

#: a worker that dies this soon after its start is not restarted: the server stops
EARLY_DEATH_S = 5.0
STOP_TIMEOUT_S = 30.0
#: where prometheus_client's multiprocess mode keeps the workers' metric values
METRICS_ENV = "PROMETHEUS_MULTIPROC_DIR"
log = logging.getLogger("openror.workers")


class WorkersFailed(RuntimeError):
    """A worker died right after its start: the same would happen to its replacement."""


def can_share_port() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def listener(host: str, port: int, share: bool) -> socket.socket:
    """A TCP listener. IPPROTO_TCP rather than 0: asyncio then sets TCP_NODELAY on the
    accepted connections (otherwise keep-alive answers wait ~40 ms for a delayed ACK,
    uvicorn issue #3149)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if share:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


@contextmanager
def metrics_directory() -> Iterator[str]:
    """A fresh metrics directory in the environment the workers are started with (each
    start of the server begins from zero), removed at the end."""
    directory = tempfile.mkdtemp(prefix="openror-metrics-")
    previous = os.environ.get(METRICS_ENV)
    os.environ[METRICS_ENV] = directory
    try:
        yield directory
    finally:
        if previous is None:
            os.environ.pop(METRICS_ENV, None)
        else:
            os.environ[METRICS_ENV] = previous
        shutil.rmtree(directory, ignore_errors=True)


def _worker(host: str, port: int, config: dict[str, Any]) -> None:
    import uvicorn

    sock = listener(host, port, share=True)
    server = uvicorn.Server(uvicorn.Config("openror.app:create_app", factory=True,
                                           host=host, port=port, **config))
    server.run(sockets=[sock])


class Supervisor:
    def __init__(self, host: str, port: int, workers: int, config: dict[str, Any]) -> None:
        self.args = (host, port, config)
        self.count = workers
        self.stop = threading.Event()
        self.context = multiprocessing.get_context("spawn")
        self.processes: list[tuple[BaseProcess, float]] = []
        self.metrics = ""  # the workers' metrics directory, while they run

    def _start(self) -> tuple[BaseProcess, float]:
        process = self.context.Process(target=_worker, args=self.args, daemon=False)
        process.start()
        return process, time.monotonic()

    def run(self) -> None:
        host, port, _ = self.args
        listener(host, port, share=True).close()  # a port in use: one clear error, now
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stop.set())
        with metrics_directory() as directory:
            self.metrics = directory
            self.processes = [self._start() for _ in range(self.count)]
            try:
                while not self.stop.wait(0.5):
                    self._replace_dead()
            finally:
                self._stop_all()

    def _replace_dead(self) -> None:
        for i, (process, started) in enumerate(self.processes):
            if process.is_alive():
                continue
            if time.monotonic() - started < EARLY_DEATH_S:
                raise WorkersFailed(f"a server worker stopped right after its start (exit "
                                    f"code {process.exitcode}): see its messages above")
            log.warning("server worker %s died (exit code %s): starting another",
                        process.pid, process.exitcode)
            _metrics_of_dead(process.pid, self.metrics)
            self.processes[i] = self._start()

    def _stop_all(self) -> None:
        for process, _ in self.processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests under way
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for process, _ in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()


def _metrics_of_dead(pid: int | None, directory: str) -> None:
    """Its requests still count (histograms), its pools no longer do (live gauges)."""
    from prometheus_client.multiprocess import mark_process_dead

    if pid is not None:
        mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
