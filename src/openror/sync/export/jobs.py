"""Export jobs shared by every server process (``store.export_tables``).

A job is ``queued`` at kick-off. A process claims it (``running``) with a lease it renews as
it writes; a claim succeeds only on a queued job or on one whose lease ran out, in one
conditional UPDATE, so two processes never run a job at once. When the lease runs out (the
process was killed), another process takes the job and runs it again from the start, into a
directory of its own attempt; after ``MAX_ATTEMPTS`` the job fails. A finished job is ``done``
until ``expires_at``, when its files are deleted and it is ``expired`` (polling it says so),
and the row goes ``KEEP_EXPIRED`` later.
"""

from __future__ import annotations

import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from openror.access.caller import Caller, Grant
from openror.errors import NotFound, TooManyRequests, error
from openror.store.database import Database
from openror.store.export_tables import export_job
from openror.store.resources import utcnow
from openror.sync.export.engine import ExportResult
from openror.sync.export.files import OutputFile
from openror.sync.export.request import ExportRequest

MAX_ATTEMPTS = 3
#: exports one caller may have queued or running at once
MAX_ACTIVE = 3
KEEP_EXPIRED = timedelta(days=7)
#: a directory no job owns is deleted once this old (seconds): not one being made
ORPHAN_AFTER_S = 3600


@dataclass(frozen=True)
class Job:
    id: str
    owner: str
    caller: Caller
    request_url: str
    request: ExportRequest
    status: str
    progress: str | None
    transaction_time: datetime | None
    feed_position: int | None
    directory: str | None
    files: list[OutputFile]
    error: str | None
    expires_at: datetime | None


@dataclass(frozen=True)
class Claim:
    job: Job
    token: str  # this attempt's lease token
    directory: str  # where this attempt writes, under the exports directory


def submit(db: Database, caller: Caller, request: ExportRequest, request_url: str) -> str:
    """A new queued job; 429 when the caller already has ``MAX_ACTIVE`` under way (each
    holds a long read transaction and a process: one client must not take them all)."""
    job_id = str(uuid.uuid4())
    now = utcnow()
    with db.write() as conn:
        active = conn.execute(sa.select(sa.func.count()).select_from(export_job).where(
            export_job.c.owner == caller.actor,
            export_job.c.status.in_(("queued", "running")))).scalar_one()
        if active >= MAX_ACTIVE:
            raise TooManyRequests([error(
                "throttled", f"{active} of your exports are under way: poll them, or DELETE "
                "one, before you kick off another")], retry_after_s=30)
        conn.execute(export_job.insert().values(
            id=job_id, owner=caller.actor, caller=_caller_json(caller), request=request_url[:4000],
            params=orjson.dumps(request.to_json()).decode(), status="queued", created_at=now,
            updated_at=now, attempts=0))
    return job_id


def find(db: Database, job_id: str, owner: str) -> Job:
    """The caller's job; NotFound for any other (another caller cannot tell it exists)."""
    with db.read_primary() as conn:
        row = conn.execute(export_job.select().where(export_job.c.id == job_id)).mappings() \
            .first()
    if row is None or row["owner"] != owner:
        raise NotFound([error("not-found", f"no export job {job_id!r}: it was deleted, or "
                              "was never made by you", "_jobId")])
    return _job(row)


def claim(db: Database, job_id: str | None, lease_s: int) -> Claim | None:
    """Take a job to run: ``job_id``, or any queued or abandoned one; None if there is none
    (or another process took it first)."""
    now = utcnow()
    with db.read_primary() as conn:
        ids = [job_id] if job_id else [r[0] for r in conn.execute(
            sa.select(export_job.c.id).where(_claimable(now)).order_by(export_job.c.created_at)
            .limit(10))]
    for candidate in ids:
        token = uuid.uuid4().hex
        with db.write() as conn:
            taken = conn.execute(export_job.update().where(
                export_job.c.id == candidate, _claimable(now)).values(
                status="running", lease_owner=token, lease_until=now + timedelta(seconds=lease_s),
                attempts=export_job.c.attempts + 1, updated_at=now,
                progress="started")).rowcount
            if taken:
                row = conn.execute(export_job.select().where(export_job.c.id == candidate)) \
                    .mappings().one()
        if taken:
            job = _job(row)
            if int(row["attempts"]) > MAX_ATTEMPTS:
                fail(db, Claim(job, token, ""), f"the export was interrupted {MAX_ATTEMPTS} "
                     "times (its server process stopped); kick it off again")
                continue
            return Claim(job, token, f"{candidate}/{row['attempts']}")
    return None


def _claimable(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(export_job.c.status == "queued", sa.and_(
        export_job.c.status == "running", export_job.c.lease_until < now))


def renew(db: Database, claim: Claim, lease_s: int, progress: str) -> bool:
    """Extend the lease and note the progress; False when the job is no longer this
    attempt's (deleted, or taken by another process after the lease ran out)."""
    now = utcnow()
    with db.write() as conn:
        return bool(conn.execute(export_job.update().where(
            export_job.c.id == claim.job.id, export_job.c.lease_owner == claim.token,
            export_job.c.status == "running").values(
            lease_until=now + timedelta(seconds=lease_s), progress=progress[:500],
            updated_at=now)).rowcount)


def finish(db: Database, claim: Claim, result: ExportResult, retention: timedelta) -> bool:
    now = utcnow()
    output = [{"type": f.type, "name": f.name, "count": f.count} for f in result.files]
    with db.write() as conn:
        return bool(conn.execute(export_job.update().where(
            export_job.c.id == claim.job.id, export_job.c.lease_owner == claim.token).values(
            status="done", lease_until=None, updated_at=now, progress="done",
            transaction_time=result.transaction_time, feed_position=result.feed_position,
            directory=claim.directory,
            output=orjson.dumps(output).decode(), expires_at=now + retention)).rowcount)


def fail(db: Database, claim: Claim, message: str) -> None:
    now = utcnow()
    with db.write() as conn:
        conn.execute(export_job.update().where(
            export_job.c.id == claim.job.id, export_job.c.lease_owner == claim.token).values(
            status="failed", lease_until=None, updated_at=now, error=message[:1000],
            expires_at=now + KEEP_EXPIRED))


def release(db: Database, claim: Claim) -> None:
    """Give a job back (this process is stopping): another process takes it at once."""
    with db.write() as conn:
        conn.execute(export_job.update().where(
            export_job.c.id == claim.job.id, export_job.c.lease_owner == claim.token).values(
            status="queued", lease_owner=None, lease_until=None, updated_at=utcnow(),
            attempts=export_job.c.attempts - 1))


def delete(db: Database, job_id: str, owner: str, exports: Path) -> None:
    """Cancel a job or delete a finished one, with its files."""
    find(db, job_id, owner)
    with db.write() as conn:
        conn.execute(export_job.delete().where(export_job.c.id == job_id))
    shutil.rmtree(exports / job_id, ignore_errors=True)


def sweep(db: Database, exports: Path, now: datetime | None = None) -> int:
    """Delete the files of the jobs past their expiry (the job is then ``expired``), the rows
    of jobs expired long ago, and directories no job owns; how many jobs expired."""
    now = now or utcnow()
    with db.read_primary() as conn:  # most of the time there is nothing to do: no write
        known = {r[0] for r in conn.execute(sa.select(export_job.c.id).where(
            export_job.c.status != "expired"))}
        work = conn.execute(sa.select(export_job.c.id).where(
            export_job.c.status.in_(("done", "failed", "expired")),
            export_job.c.expires_at <= now).limit(1)).first()
    due: list[str] = []
    if work is not None:
        due = _expire(db, now)
        for job_id in due:
            shutil.rmtree(exports / job_id, ignore_errors=True)
    if exports.is_dir():  # left by a deleted job whose process was still writing
        for path in exports.iterdir():
            if path.is_dir() and path.name not in known \
                    and time.time() - path.stat().st_mtime > ORPHAN_AFTER_S:
                shutil.rmtree(path, ignore_errors=True)
    return len(due)


def _expire(db: Database, now: datetime) -> list[str]:
    with db.write() as conn:
        due = [r[0] for r in conn.execute(sa.select(export_job.c.id).where(
            export_job.c.status.in_(("done", "failed")), export_job.c.expires_at <= now))]
        if due:
            conn.execute(export_job.update().where(export_job.c.id.in_(due)).values(
                status="expired", updated_at=now, expires_at=now + KEEP_EXPIRED))
        conn.execute(export_job.delete().where(export_job.c.status == "expired",
                                               export_job.c.expires_at <= now))
    return due


def _caller_json(caller: Caller) -> str:
    return orjson.dumps({"actor": caller.actor, "profile": caller.profile,
                         "regions": sorted(caller.regions), "client_id": caller.client_id,
                         "grants": [[g.role, g.scope] for g in caller.grants]}).decode()


def _job(row: Any) -> Job:
    c = orjson.loads(row["caller"])
    caller = Caller(c["actor"], c["profile"], frozenset(c["regions"]),
                    client_id=c["client_id"], grants=tuple(Grant(r, s) for r, s in c["grants"]))
    files = [OutputFile(f["type"], f["name"], f["count"])
             for f in orjson.loads(row["output"] or "[]")]
    return Job(row["id"], row["owner"], caller, row["request"],
               ExportRequest.from_json(orjson.loads(row["params"])), row["status"],
               row["progress"], row["transaction_time"], row["feed_position"], row["directory"],
               files, row["error"], row["expires_at"])
