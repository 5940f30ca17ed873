"""The outermost middleware: request id, access log line and request metrics, and the last
line of defence against bugs (a 500 OperationOutcome with the request id, the trace only in
the log)."""

from __future__ import annotations

import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openror.access.caller import Caller
from openror.api.errors import unexpected_error
from openror.api.http import REQUEST_ID_HEADER
from openror.api.metrics.instruments import observe_request
from openror.api.metrics.routes import method_of, route_template
from openror.logs import request_id_var

access_log = logging.getLogger("openror.access")


class RequestIdMiddleware:
    """Give every request an id (the client's X-Request-Id if sane), echo it back, write one
    access log line with it, and count the request in the latency histogram by route
    template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _client_request_id(scope) or uuid.uuid4().hex
        token = request_id_var.set(rid)
        root_path = scope.get("root_path", "")  # before routing adds the mounts' paths

        started = time.perf_counter()
        status = [0]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      (REQUEST_ID_HEADER.encode(), rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:  # a bug: answer 500 with the request id, log the trace
            if status[0]:
                raise  # the response has started: nothing sane can be sent any more
            await unexpected_error(exc)(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope, root_path)
            observe_request(route, method_of(scope), status[0], seconds)
            if access_log.isEnabledFor(logging.INFO):
                caller: Caller | None = scope.get("state", {}).get("caller")
                access_log.info("%s %s %s", scope["method"], scope["path"], status[0], extra={
                    "fields": {"status": status[0], "ms": round(seconds * 1000, 2),
                               "route": route,
                               "caller": caller.actor if caller is not None else None}})
            request_id_var.reset(token)


def _client_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER.encode():
            text: str = value.decode("latin-1")
            if 0 < len(text) <= 100 and text.replace("-", "").replace("_", "").isalnum():
                return text
    return None
