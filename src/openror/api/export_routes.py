"""FHIR Bulk Data 2.0 export (docs/api/export.md): kick-off at ``/$export`` and
``/[type]/$export`` (GET, or POST with a Parameters body), the status URL
``/$export-poll-status?_jobId=…`` (GET polls, DELETE cancels or deletes), and the files.

Only the caller that kicked an export off may poll it and fetch its files; anybody else gets
404, as for a job that does not exist. ``Prefer: respond-async`` is accepted and, as on the
ROR server, not required: every export is asynchronous.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from openror.api.http import (
    base_url,
    caller_of,
    http_date,
    info_outcome,
    json_response,
    read_resource,
)
from openror.errors import InvalidInput, NotFound, error, operation_outcome
from openror.search.scope import searching_as
from openror.services.container import Services
from openror.services.metadata import fhir_instant
from openror.services.writes import resource_type
from openror.sync.export import engine, jobs, select
from openror.sync.export.request import NDJSON, pairs_of_parameters, parse
from openror.sync.export.runner import Runner, exports_dir

RETRY_AFTER_S = 2
_log = logging.getLogger("openror.sync")
_FILE = re.compile(r"^[A-Za-z]+-\d{3}\.(?:ndjson|json)$")


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def runner_of(request: Request) -> Runner:
    runner: Runner = request.app.state.export_runner
    return runner


async def kick_off(request: Request) -> Response:
    services = _services(request)
    rtype = request.path_params.get("type")
    if rtype is not None:
        resource_type(rtype, "search-type")
    pairs = parse_qsl(request.url.query, keep_blank_values=True)
    if request.method == "POST":
        pairs += pairs_of_parameters(await read_resource(request, services.settings.max_body_bytes))
    pairs = [(k, v) for k, v in pairs if k != "_format"]
    export = parse(pairs, rtype)
    caller = caller_of(request)
    with searching_as(caller):
        select.check(export)  # 403 for a filter on a field the caller may not search
    job_id = await run_in_threadpool(jobs.submit, services.db, caller, export, str(request.url))
    base = base_url(request, services.settings.base_url)
    # run now, in this process (the others look for queued jobs every few seconds)
    running: set[asyncio.Future[int]] = request.app.state.export_tasks
    future = asyncio.get_running_loop().run_in_executor(None, runner_of(request).run_pending,
                                                        job_id)
    running.add(future)
    future.add_done_callback(running.discard)
    future.add_done_callback(_finished)
    body = info_outcome(f"export {job_id} accepted: poll the Content-Location URL")
    return json_response(body, 202, {
        "Content-Location": f"{base}/$export-poll-status?_jobId={job_id}"})


def _finished(future: asyncio.Future[int]) -> None:
    if not future.cancelled() and future.exception() is not None:  # the job stays queued
        _log.error("export runner failed", exc_info=future.exception())


def _job_id(request: Request) -> str:
    job_id = request.query_params.get("_jobId")
    if not job_id:
        raise InvalidInput([error("required", "the status URL names its job: "
                                  "$export-poll-status?_jobId=…", "_jobId")])
    return job_id


async def poll(request: Request) -> Response:
    services = _services(request)
    job = await run_in_threadpool(jobs.find, services.db, _job_id(request),
                                  caller_of(request).actor)
    if job.status in ("queued", "running"):
        progress = "queued" if job.status == "queued" else (job.progress or "running")
        return Response(status_code=202, headers={
            "X-Progress": progress.encode("ascii", "replace").decode()[:200],
            "Retry-After": str(RETRY_AFTER_S)})
    if job.status == "failed":
        body = operation_outcome([error("exception", job.error or "the export failed")])
        return json_response(body, 500)
    if job.status == "expired":
        raise _expired(job)
    return json_response(_manifest(request, services, job), 200,
                         {"Expires": http_date(job.expires_at)} if job.expires_at else None)


def _expired(job: jobs.Job) -> NotFound:
    return NotFound([error("not-found", f"export {job.id} expired: its files were deleted "
                           f"{_when(job)}; kick off a new export", "_jobId")])


def _when(job: jobs.Job) -> str:
    return "after the retention period" if job.expires_at is None else \
        f"(kept until {job.expires_at.replace(tzinfo=UTC).isoformat()})"


def _manifest(request: Request, services: Services, job: jobs.Job) -> dict[str, object]:
    base = base_url(request, services.settings.base_url)
    assert job.transaction_time is not None
    return {
        "transactionTime": fhir_instant(job.transaction_time),
        "request": job.request_url,
        "requiresAccessToken": job.owner != "anonymous",
        "output": [{"type": f.type, "url": f"{base}/$export-file/{job.id}/{f.name}",
                    "count": f.count} for f in job.files],
        "error": [],
        **({} if job.feed_position is None else
           {"extension": engine.feed_extension(job.feed_position)}),
    }


async def cancel(request: Request) -> Response:
    services = _services(request)
    await run_in_threadpool(jobs.delete, services.db, _job_id(request),
                            caller_of(request).actor, exports_dir(services.settings))
    return json_response(info_outcome("export deleted, with its files"), 202)


async def file(request: Request) -> Response:
    services = _services(request)
    job_id, name = request.path_params["job"], request.path_params["name"]
    job = await run_in_threadpool(jobs.find, services.db, job_id, caller_of(request).actor)
    if job.status == "expired":
        raise _expired(job)
    listed = next((f for f in job.files if f.name == name), None)
    if job.status != "done" or listed is None or not _FILE.match(name) or not job.directory:
        raise NotFound([error("not-found", f"export {job_id} has no file {name!r}")])
    path = exports_dir(services.settings) / job.directory / name
    if not path.is_file():
        raise _expired(job)
    media = NDJSON if name.endswith(".ndjson") else "application/fhir+json"
    return FileResponse(path, media_type=media)


ROUTES = [
    Route("/$export", kick_off, methods=["GET", "POST"]),
    Route("/$export-poll-status", poll, methods=["GET"]),
    Route("/$export-poll-status", cancel, methods=["DELETE"]),
    Route("/$export-file/{job}/{name}", file, methods=["GET"]),
    Route("/{type}/$export", kick_off, methods=["GET", "POST"]),
]
