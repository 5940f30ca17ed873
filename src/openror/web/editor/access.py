"""Who may open the editor's pages: a person who may edit the object — by the write path's
own rule (services.ownership: a referent for their legal entity or site and what is under
it, an operator for their region, an administrator). The editor reads the stored version,
unredacted: whoever may rewrite an object sees all of it."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa

from openror.access.caller import Caller
from openror.access.roles import OPERATOR, REFERENT
from openror.errors import Forbidden, NotFound, OpenRORError, Unauthorized, error
from openror.services.ownership import OWNERSHIP
from openror.store.feed import LogEntry
from openror.store.resources import StoredResource, read_current

WHAT = {"HealthcareService": "Cette offre", "Location": "Ce lieu",
        "Organization": "Cette structure"}


def stored(conn: sa.Connection, rtype: str, rid: str) -> StoredResource:
    found = read_current(conn, rtype, rid)
    if found is None or found.deleted or found.content is None:
        raise NotFound([error("not-found", f"{WHAT.get(rtype, 'Cet objet')} n'existe pas.")])
    return found


def require_edit(conn: sa.Connection, caller: Caller, rtype: str, rid: str
                 ) -> tuple[StoredResource, dict[str, Any]]:
    """The current version, once ``caller`` may edit it; a French 403/404 otherwise."""
    found = stored(conn, rtype, rid)
    try:
        OWNERSHIP.authorise_edit(conn, caller, rtype, rid)
    except (Forbidden, Unauthorized) as exc:
        raise refused(rtype, exc) from None
    assert found.content is not None
    return found, dict(orjson.loads(found.content))


def may_edit(conn: sa.Connection, caller: Caller, rtype: str, rid: str) -> bool:
    try:
        OWNERSHIP.authorise_edit(conn, caller, rtype, rid)
    except OpenRORError:
        return False
    return True


def refused(rtype: str, exc: OpenRORError) -> OpenRORError:
    """A refusal of the rights, told in French (the write path says it in English)."""
    what = WHAT.get(rtype, "Cet objet")
    it = "le" if what.startswith("Ce ") else "la"
    return Forbidden([error("forbidden", f"{what} ne relève pas de vos droits (référent d'un "
                            "autre établissement, ou hors de votre région) : vous ne pouvez "
                            f"pas {it} modifier. (détail : {exc.message})")])


def log(caller: Caller, reason: str) -> LogEntry:
    """The change log entry of an edit: the person, why, and the source of the fields."""
    roles = {g.role for g in caller.grants}
    source = "referent" if REFERENT in roles else "operator" if OPERATOR in roles else None
    return LogEntry(actor=caller.actor, reason=reason, provenance=source)
