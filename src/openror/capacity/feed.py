"""The bed-management feed: ``PATCH …/ws-synchro-dispo-lits-fhir/Location?identifier=…``.

A feeder addresses a place by ``<IdNatStruct of the site>/<external code>`` (the place's
``idExterneSynchro``, type 26) or by its functional identifier, and sends operations on its
capacity records (capacity.operations). Everything then goes through the one write path, so
an accepted update makes a new version, a change-feed entry and a change-log row naming the
feeder; an update that changes nothing makes none.

Who may feed a place: a client with the write scope ``all``, ``region:<its region>``, or
``capacity:<IdNatStruct>`` when the identifier it addresses the place by starts with that
site. The last writes through the write path *as* a writer of that one region, for that one
place, having changed nothing but capacity records.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
import sqlalchemy as sa

from openror.access.caller import ANONYMOUS, CAPACITY_SCOPE, WRITE_ALL, Caller
from openror.capacity.operations import Applied, apply, read_feed
from openror.errors import Forbidden, Issue, NotFound, PreconditionFailed, Unauthorized, error
from openror.fhir.patch_params import Operation
from openror.services.authorise import REGION_SCOPE
from openror.services.writes import NeedsLock, WritePath, WriteResult, resource_type
from openror.store import derived
from openror.store.deadlocks import retried
from openror.store.feed import LogEntry
from openror.store.resources import StoredResource, utcnow


def establishment_of(identifier: str) -> str:
    """The site part of a feed identifier (``1350054680/SSR38888`` -> ``1350054680``)."""
    return identifier.split("/", 1)[0] if "/" in identifier else ""


#: how many times an update is prepared without the write lock before it is made under it
#: (another writer changed the place between the preparation and the lock each time)
OPTIMISTIC_TRIES = 3


class CapacityFeed:
    """Each update is prepared — read, applied, validated, its search rows derived — on a
    read connection, and only stored under the write lock, if the place did not change
    meanwhile: the preparation is most of an update's work, and on SQLite the lock admits
    one writer at a time, so the workers' preparations now run side by side."""

    def __init__(self, writes: WritePath) -> None:
        self.writes = writes

    @retried  # store.deadlocks
    def update(self, identifier: str, parameters: Any, log: LogEntry, *,
               caller: Caller) -> WriteResult:
        _may_address(caller, identifier)  # first: a caller without rights learns nothing
        operations = read_feed(parameters)
        rt = resource_type("Location", "patch")
        try:
            for _ in range(OPTIMISTIC_TRIES):
                with self.writes.db.read_primary(fixed_shape=True) as conn:
                    current = self.writes.live(conn, "Location", _place(conn, identifier),
                                               for_update=False)
                    writer, applied = self._applied(current, identifier, operations, caller)
                    prepared = self.writes.prepare_unlocked(conn, rt, current, applied.body,
                                                            "patch", log, caller=writer)
                if isinstance(prepared, WriteResult):
                    return _warned(prepared, applied.warnings)
                with self.writes.db.write(fixed_shape=True) as conn:
                    result = self.writes.store_if_current(conn, rt, prepared, log)
                if result is not None:
                    return _warned(result, applied.warnings)
        except NeedsLock:
            pass
        with self.writes.db.write() as conn:  # as any other write
            current = self.writes.live(conn, "Location", _place(conn, identifier))
            writer, applied = self._applied(current, identifier, operations, caller)
            result = self.writes.commit_version(conn, rt, current.id, current, applied.body,
                                                "patch", log, caller=writer)
        return _warned(result, applied.warnings)

    def _applied(self, current: StoredResource, identifier: str, operations: list[Operation],
                 caller: Caller) -> tuple[Caller, Applied]:
        """The caller to write as, and the operations applied to the current version."""
        assert current.content is not None
        body = orjson.loads(current.content)  # parsed once: apply changes it in place
        writer = _writer(caller, identifier, self.writes.region_of(body))
        return writer, apply(body, operations, utcnow())


def _warned(result: WriteResult, warnings: list[Issue]) -> WriteResult:
    return dataclasses.replace(result, warnings=[*warnings, *result.warnings])


def _place(conn: sa.Connection, identifier: str) -> str:
    ids = derived.find_by_identifier(conn, "Location", None, identifier)
    if not ids:
        raise NotFound([error(
            "not-found", f"no place has the external synchronisation identifier or the "
            f"functional identifier '{identifier}': ask the regional operator to give the "
            "code to a place of care", "Location")])
    if len(ids) > 1:
        raise PreconditionFailed([error(
            "multiple-matches", f"the place is not unique: {len(ids)} places have the "
            f"identifier '{identifier}'; the regional operator must remove the duplicates",
            "Location")])
    return ids[0]


def _feeds(caller: Caller, identifier: str) -> bool:
    site = establishment_of(identifier)
    return bool(site) and f"{CAPACITY_SCOPE}{site}" in caller.writes


def _may_address(caller: Caller, identifier: str) -> None:
    """Refuse before looking the place up, so that a feeder learns nothing of other sites."""
    if WRITE_ALL in caller.writes or _feeds(caller, identifier) \
            or any(s.startswith(REGION_SCOPE) for s in caller.writes):
        return
    if caller == ANONYMOUS:
        raise Unauthorized([error("login", "the capacity feed needs an access token: get one "
                                  "from POST /auth/token")])
    site = establishment_of(identifier) or "?"
    raise Forbidden([error("forbidden", f"{caller.actor} may not feed the capacities of site "
                           f"{site}: it needs the write scope '{CAPACITY_SCOPE}{site}'")])


def _writer(caller: Caller, identifier: str, region: str) -> Caller:
    """The caller the write path authorises: feeders write as writers of the place's region."""
    if WRITE_ALL in caller.writes or f"{REGION_SCOPE}{region}" in caller.writes \
            or not _feeds(caller, identifier):
        return caller  # the write path decides (403 outside the caller's regions)
    return dataclasses.replace(caller, writes=frozenset({f"{REGION_SCOPE}{region}"}),
                               grants=())
