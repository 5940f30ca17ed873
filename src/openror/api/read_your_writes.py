"""Which requests PostgreSQL streaming replicas may serve, and whose writes their reads must
see (docs/admin/replicas.md).

After authentication, each request runs in a read context (``store.read_context``) for
its caller: its reads go to a replica only if that replica has replayed the caller's last
write, recorded on the primary by whichever worker process served it. Anonymous callers
write nothing: any healthy replica serves them. Logging in, tokens and the system pages
read the primary only (credentials and sessions must be current).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from openror.access.caller import ANONYMOUS, Caller
from openror.store.database import Database
from openror.store.read_context import replica_reads

#: paths whose reads stay on the primary
PRIMARY_PREFIXES = ("/auth/", "/-/")


class ReadYourWritesMiddleware:
    def __init__(self, app: ASGIApp, db: Database) -> None:
        self.app = app
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        caller = scope.get("state", {}).get("caller")
        if (scope["type"] != "http" or self.db.replicas is None or caller is None
                or str(scope["path"]).startswith(PRIMARY_PREFIXES)):
            await self.app(scope, receive, send)
            return
        with replica_reads(writer_key(caller)):
            await self.app(scope, receive, send)


def writer_key(caller: Caller) -> str | None:
    """The key of the caller's last write position: its actor ("client:<id>",
    "user:<login>"); None for an anonymous caller, who writes nothing."""
    return None if caller.actor == ANONYMOUS.actor else caller.actor
