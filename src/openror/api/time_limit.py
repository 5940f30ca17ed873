"""Give each HTTP request its deadline (``store.deadline``): its database reads stop there.

The limit covers the whole request, a streamed answer included; the reads of what runs on
after the answer (an export job a kick-off started) are not the request's and have none.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from openror.store import deadline


class TimeLimitMiddleware:
    def __init__(self, app: ASGIApp, limit_s: float) -> None:
        self.app = app
        self.limit_s = limit_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with deadline.within(self.limit_s):
            await self.app(scope, receive, send)
