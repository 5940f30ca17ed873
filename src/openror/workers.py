"""``openror serve --workers N``: N server processes, each listening on the same port with its
own socket (``SO_REUSEPORT``), so that the kernel spreads the connections between them.

With one listener shared by every worker (uvicorn's ``Multiprocess``), the worker that wakes
first accepts a whole burst of connections at once: 16 connections opened together all went
to one worker, which did 97 % of the work while the other did none (bench/capacity_feed.py).

The supervisor restarts a worker that dies, and stops everything on SIGINT or SIGTERM. A
worker that dies before it listens (a bad setting, a database that is not there) stops the
server instead of being restarted in a loop. (A time since its start told them apart before:
on a loaded machine a worker took longer than that to fail, and was restarted forever.)

SIGHUP replaces the workers one at a time (after an upgrade: the new ones run the installed
code): a new worker first, the old one stopped only once the new one listens, so that the
port always has listeners. A new worker that does not start leaves the old ones serving.
The connections an old worker's socket had queued but not accepted when it closes are reset,
unless the kernel hands them to the other listeners (``net.ipv4.tcp_migrate_req = 1``,
Linux 5.14 and later; docs/admin/deployment.md).

Metrics: a scrape of ``/-/metrics`` reaches one worker, which must report them all. The
workers run in prometheus_client's multiprocess mode, in a fresh directory named by
``PROMETHEUS_MULTIPROC_DIR`` (``metrics_directory``) where each writes its values and any
reads them all; a dead worker's live gauges are dropped there, the directory removed at stop.
"""

from __future__ import annotations

import asyncio
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
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any

STOP_TIMEOUT_S = 30.0
#: how long a new worker of a SIGHUP replacement may take to listen
READY_TIMEOUT_S = 120.0
#: how long a stopping worker still reads the requests of connections it accepted already
ACCEPTED_GRACE_S = 0.5
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


def _worker(host: str, port: int, config: dict[str, Any], ready: Any) -> None:
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                ready.set()  # listening: the supervisor may stop the worker it replaces

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            # uvicorn closes the listener, then at once every connection without a request
            # under way, one accepted just before whose request is still in flight
            # included: its client got a reset during a reload (1 request in 241, under
            # load). Stop accepting first, and give such requests time to arrive.
            for server in self.servers:
                server.close()
            await asyncio.sleep(ACCEPTED_GRACE_S)
            await super().shutdown(sockets)

    sock = listener(host, port, share=True)
    server = Server(uvicorn.Config("openror.app:create_app", factory=True,
                                   host=host, port=port, **config))
    server.run(sockets=[sock])


@dataclass
class Worker:
    process: BaseProcess
    ready: Any  # a multiprocessing Event, set once it listens


class Supervisor:
    def __init__(self, host: str, port: int, workers: int, config: dict[str, Any]) -> None:
        self.args = (host, port, config)
        self.count = workers
        self.stop = threading.Event()
        self.context = multiprocessing.get_context("spawn")
        self.reload = threading.Event()
        self.workers: list[Worker] = []
        self.metrics = ""  # the workers' metrics directory, while they run

    def _start(self) -> Worker:
        ready = self.context.Event()
        process = self.context.Process(target=_worker, args=(*self.args, ready), daemon=False)
        process.start()
        return Worker(process, ready)

    def run(self) -> None:
        host, port, _ = self.args
        listener(host, port, share=True).close()  # a port in use: one clear error, now
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stop.set())
        signal.signal(signal.SIGHUP, lambda *_: self.reload.set())
        with metrics_directory() as directory:
            self.metrics = directory
            self.workers = [self._start() for _ in range(self.count)]
            try:
                while not self.stop.wait(0.5):
                    self._replace_dead()
                    if self.reload.is_set():
                        self.reload.clear()
                        self._replace_all()
            finally:
                self._stop_all()

    def _replace_dead(self) -> None:
        for i, worker in enumerate(self.workers):
            process = worker.process
            if process.is_alive():
                continue
            if not worker.ready.is_set():  # its replacement would fail the same way
                raise WorkersFailed(f"a server worker stopped right after its start (exit "
                                    f"code {process.exitcode}): see its messages above")
            log.warning("server worker %s died (exit code %s): starting another",
                        process.pid, process.exitcode)
            _metrics_of_dead(process.pid, self.metrics)
            self.workers[i] = self._start()

    def _replace_all(self) -> None:
        """SIGHUP: each worker in turn gives way to a new one that listens already."""
        log.info("replacing the %d server workers one at a time", len(self.workers))
        for i, old in enumerate(list(self.workers)):
            new = self._start()
            if not self._listening(new):
                log.error("a new server worker did not start (exit code %s): the others "
                          "keep serving; see its messages above", new.process.exitcode)
                _stop([new])
                return
            _stop([old])
            _metrics_of_dead(old.process.pid, self.metrics)
            self.workers[i] = new
        log.info("every server worker replaced")

    def _listening(self, worker: Worker) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not worker.ready.wait(0.2):
            if not worker.process.is_alive() or self.stop.is_set():
                return False
            if time.monotonic() > deadline:
                return False
        return True

    def _stop_all(self) -> None:
        _stop(self.workers)


def _stop(workers: list[Worker]) -> None:
    for worker in workers:
        if worker.process.is_alive():
            worker.process.terminate()  # SIGTERM: uvicorn finishes the requests under way
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for worker in workers:
        worker.process.join(max(0.0, deadline - time.monotonic()))
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()


def _metrics_of_dead(pid: int | None, directory: str) -> None:
    """Its requests still count (histograms), its pools no longer do (live gauges)."""
    from prometheus_client.multiprocess import mark_process_dead

    if pid is not None:
        mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
