"""A thread that writes the pages the export reads, so that reading the next page (the
database driver releases the GIL while it reads) and writing the last (so does the file
system call) overlap on two cores. In order; the first error is raised to the reader."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType

#: pages read ahead of the writer, at most (each about 7 MB)
DEPTH = 4


class Pipe:
    def __init__(self) -> None:
        self._jobs: queue.Queue[Callable[[], object] | None] = queue.Queue(maxsize=DEPTH)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="export-writer", daemon=True)
        self._thread.start()

    def __enter__(self) -> Pipe:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._jobs.put(None)
        self._thread.join()
        if kind is None and self._error is not None:
            raise self._error

    def submit(self, job: Callable[[], object]) -> None:
        if self._error is not None:
            raise self._error
        self._jobs.put(job)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._error is None:
                try:
                    job()
                except BaseException as exc:  # handed to the reader's thread
                    self._error = exc
