"""Run export jobs in a server process (or the command line): claim, run with the lease kept
alive, record the result. One export at a time per process; the others wait queued for this
process's next turn or for another process."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from datetime import timedelta
from pathlib import Path

from openror.config import Settings
from openror.fhir.resource_types import REGISTRY
from openror.store.database import Database
from openror.sync.export import engine, jobs
from openror.sync.export.engine import Cancelled

_log = logging.getLogger("openror.sync")


def exports_dir(settings: Settings) -> Path:
    return Path(settings.export_dir) if settings.export_dir else settings.data_dir / "exports"


def base_of(request_url: str) -> str:
    """The FHIR base of a kick-off URL (for the fullUrl of the JSON variant's entries)."""
    path = request_url.split("?", 1)[0].split("/$export", 1)[0]
    head, _, last = path.rpartition("/")
    return head if last in REGISTRY else path


class Runner:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings = db, settings
        self.exports = exports_dir(settings)
        self._busy = threading.Lock()
        self._stopping = threading.Event()
        self._asked = threading.Event()

    def stop(self) -> None:
        """Stop the export under way at its next progress (its job goes back to the queue)."""
        self._stopping.set()

    def run_pending(self, job_id: str | None = None) -> int:
        """Run ``job_id`` (or any claimable job), then any other claimable one, unless this
        process is already running one; how many were run."""
        self._asked.set()
        done = 0
        # a call that finds the process busy leaves ``_asked`` set: the busy one looks again
        # before it stops, so a job kicked off meanwhile is not left waiting
        while self._asked.is_set() and not self._stopping.is_set():
            if not self._busy.acquire(blocking=False):
                return done
            try:
                self._asked.clear()
                while not self._stopping.is_set():
                    claim = jobs.claim(self.db, job_id, self.settings.export_lease_seconds)
                    job_id = None
                    if claim is None:
                        break
                    self._run(claim)
                    done += 1
            finally:
                self._busy.release()
        return done

    def _run(self, claim: jobs.Claim) -> None:
        directory = self.exports / claim.directory
        shutil.rmtree(directory, ignore_errors=True)
        try:
            result = engine.run(
                self.db, claim.job.caller, claim.job.request, directory,
                base=self.settings.base_url.rstrip("/") or base_of(claim.job.request_url),
                max_per_file=self.settings.export_file_max_resources,
                progress=self._heartbeat(claim))
        except Cancelled:
            shutil.rmtree(directory, ignore_errors=True)
            if self._stopping.is_set():
                jobs.release(self.db, claim)
            return
        except Exception as exc:  # the job fails, the server goes on
            _log.exception("export %s failed", claim.job.id)
            shutil.rmtree(directory, ignore_errors=True)
            jobs.fail(self.db, claim, f"the export failed: {exc.__class__.__name__}")
            return
        retention = timedelta(hours=self.settings.export_retention_hours)
        if not jobs.finish(self.db, claim, result, retention):  # deleted meanwhile
            shutil.rmtree(directory, ignore_errors=True)

    def _heartbeat(self, claim: jobs.Claim) -> engine.Progress:
        lease = self.settings.export_lease_seconds
        last = [0.0]

        def progress(message: str) -> None:
            if self._stopping.is_set():
                raise Cancelled
            now = time.monotonic()
            if now - last[0] < min(2.0, lease / 4):
                return
            last[0] = now
            if not jobs.renew(self.db, claim, lease, message):
                raise Cancelled

        return progress
