"""The read audit trail over HTTP: a middleware that records each read of an audited
caller with the status it was answered, and ``GET /-/audit`` for national administrators."""

from __future__ import annotations

from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openror.access.caller import Caller
from openror.api.http import caller_of
from openror.errors import InvalidInput, error
from openror.logs import request_id_var
from openror.services.read_audit import ReadAudit, audited, check_may_query
from openror.store import audit
from openror.store.audit import ReadRecord
from openror.store.resources import parse_moment, utcnow

MAX_COUNT = 1000


class ReadAuditMiddleware:
    """After authentication: GET and HEAD requests, and POST searches (``_search``,
    ``$orientation``)."""

    def __init__(self, app: ASGIApp, trail: ReadAudit) -> None:
        self.app = app
        self.trail = trail

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        caller: Caller | None = scope.get("state", {}).get("caller")
        if scope["type"] != "http" or caller is None or not audited(caller) \
                or not _is_read(scope):
            await self.app(scope, receive, send)
            return
        recorded = [False]

        def record(status: int) -> None:
            assert caller is not None and caller.client_id is not None
            recorded[0] = True
            self.trail.add(ReadRecord(
                utcnow(), caller.client_id, caller.profile, scope["method"], scope["path"],
                scope.get("query_string", b"").decode("latin-1"), status,
                request_id_var.get() or ""))

        async def record_at_start(message: Message) -> None:
            # recorded before the client can see the answer: a read it has seen is in the trail
            if message["type"] == "http.response.start":
                record(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_at_start)
        finally:
            if not recorded[0]:  # failed before answering (the error handler answers 500)
                record(500)


def _is_read(scope: Scope) -> bool:
    method = scope["method"]
    return method in ("GET", "HEAD") or (method == "POST" and scope["path"].endswith(
        ("/_search", "/$orientation")))


async def audit_trail(request: Request) -> Response:
    check_may_query(caller_of(request))
    q = request.query_params
    count = _int(q.get("_count"), "_count")
    found = await run_in_threadpool(
        _find, request, q.get("client"), _when(q.get("since"), "since"),
        _when(q.get("until"), "until"), min(count or MAX_COUNT, MAX_COUNT))
    return JSONResponse({"entries": [
        {**r.__dict__, "at": r.at.isoformat() + "Z"} for r in found]})


def _find(request: Request, client: str | None, since: datetime | None,
          until: datetime | None, limit: int) -> list[ReadRecord]:
    trail: ReadAudit = request.app.state.read_audit
    trail.flush()  # what was read a moment ago is in the answer
    with trail.db.read() as conn:
        return audit.find(conn, client_id=client, since=since, until=until, limit=limit)


def _when(raw: str | None, name: str) -> datetime | None:
    return parse_moment(raw, name) if raw else None


def _int(raw: str | None, name: str) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise InvalidInput([error("invalid", f"{name} must be a positive number", name)])
    return int(raw)
