"""Who owns a resource as it stands: who may edit it (the write path's authorise step, for
an edit that changes nothing) and whose role governs it (services.scopes).

The quality package (confirmations, reminders) sits beside services and may not import it:
the app, the API, the pages and the CLI hand it an ``Ownership``.
"""

from __future__ import annotations

import orjson
import sqlalchemy as sa

from openror.access.caller import Caller, Grant
from openror.errors import NotFound, error
from openror.services.authorise import Change, authorise_change
from openror.services.scopes import View, governs
from openror.store.hierarchy import Graph
from openror.store.resources import read_current


class Ownership:
    def authorise_edit(self, conn: sa.Connection, caller: Caller, rtype: str,
                       rid: str) -> None:
        """Refuse (401/403) unless ``caller`` may edit ``rtype/rid``; 404 when it is not a
        live resource."""
        body = _body(conn, rtype, rid)
        region = Graph(conn).region(rtype, rid)
        authorise_change(caller, Change(rtype, rid, body, body, region, region), conn)

    def governs(self, conn: sa.Connection, grant: Grant, rtype: str, rid: str) -> bool:
        """Whether a professional's or a referent's role covers ``rtype/rid``."""
        body = _body(conn, rtype, rid)
        return governs(grant, View(Graph(conn), rtype, rid, body), rtype, rid)


def _body(conn: sa.Connection, rtype: str, rid: str) -> dict[str, object]:
    found = read_current(conn, rtype, rid)
    if found is None or found.deleted or found.content is None:
        raise NotFound([error("not-found", f"{rtype}/{rid} does not exist")])
    body: dict[str, object] = orjson.loads(found.content)
    return body


OWNERSHIP = Ownership()
