"""The one write path: every change — API, web form, importer, capacity feed, federation —
goes validate → authorise → store new version → derived rows → change feed and change log,
in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

import orjson
import sqlalchemy as sa

from openror.access.caller import SYSTEM, Caller
from openror.errors import (
    Conflict,
    Gone,
    InvalidInput,
    Issue,
    MethodNotAllowed,
    NotFound,
    PreconditionFailed,
    error,
    raise_if_errors,
)
from openror.fhir import jsonio, resource_types
from openror.fhir.patch import apply_patch
from openror.fhir.profiles import region_of
from openror.fhir.references import literal_references, reference_targets
from openror.fhir.resource_types import ResourceType
from openror.fhir.validate import validate_resource
from openror.services import metadata
from openror.services import provenance as provenance_of
from openror.services.authorise import Authority, Change, authorise_change
from openror.services.conditions import Criteria
from openror.store import capacity_history, counters, derived, feed_order
from openror.store.database import Database
from openror.store.deadlocks import retried
from openror.store.feed import LogEntry
from openror.store.resources import (
    NewVersion,
    StoredResource,
    number,
    read_current,
    restamp_currents,
    utcnow,
    write_current,
)
from openror.terminology import Terminology

AfterWrite = Callable[[sa.Connection, str, str, dict[str, Any] | None], None]


class WriteRule(Protocol):
    """A rule of one resource type that ``prepare`` runs in the writer's transaction: the
    anomaly workflow (quality.task_writes), which the app registers (this layer may not
    import quality)."""

    rtype: str

    def route(self, conn: sa.Connection, body: dict[str, Any]) -> None:
        """A creation, before stamping: settle what decides the region (e.g. its tag)."""

    def check(self, conn: sa.Connection, caller: Caller, previous: dict[str, Any] | None,
              body: dict[str, Any], now: datetime, authority: Authority) -> None:
        """After authorising, before validating: refuse the write (raise) or complete the
        body with what the server maintains."""


class WriteCheck(Protocol):
    """Checks of one resource type run after validation: the quality rules checked on write
    (quality.on_write), which the app registers. Error issues refuse the write (400); the
    others come back as the write's warnings."""

    rtype: str

    def __call__(self, conn: sa.Connection, rid: str, body: dict[str, Any]) -> list[Issue]:
        ...


@dataclass(frozen=True)
class WriteResult:
    stored: StoredResource
    created: bool
    warnings: list[Issue] = field(default_factory=list)
    unchanged: bool = False  # the write would change nothing: no new version was made
    #: the stored body as the write path held it (None: parsed from the content when asked)
    parsed: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def body(self) -> dict[str, Any]:
        """The stored body; the one the write path held when it has it (read, don't change:
        a federation page's hooks read 1,000 of them, parsing each again cost 2 %)."""
        if self.parsed is not None:
            return self.parsed
        assert self.stored.content is not None
        return dict(orjson.loads(self.stored.content))


@dataclass(frozen=True)
class Prepared:
    """A write ready to be stored: the new version and what the store needs besides."""

    new: NewVersion
    body: dict[str, Any]
    targets: frozenset[tuple[str, str]]  # (type, id) the body refers to
    current: StoredResource | None
    result: WriteResult
    previous: dict[str, Any] | None  # the current version's body, parsed once for all
    #: its derived rows, when computed before the transaction (``prepare_unlocked``)
    rows: derived.RowChange | None = None


class NeedsLock(Exception):
    """A write prepared without the write lock met a step that writes (a new functional
    identifier's number): it must be prepared again under the lock."""


def resource_type(name: str, interaction: str, caller: Caller | None = None) -> ResourceType:
    """The registered type, or the error a client should see for an unknown type/interaction.
    A write the server makes itself on a read-only type (``server_writes``) passes for the
    system caller only: no request carries that caller."""
    rt = resource_types.get(name)
    if rt is None:
        raise NotFound([error("not-supported", f"unknown resource type '{name}'; this server "
                              f"serves {', '.join(resource_types.REGISTRY)}")])
    if caller is SYSTEM and interaction in rt.server_writes:
        return rt
    if not rt.allows(interaction):
        raise MethodNotAllowed([error(
            "not-supported", f"{interaction} is not allowed on {name} (read-only here)")])
    return rt


def _same(previous: dict[str, Any], body: dict[str, Any]) -> bool:
    """Equal apart from what every write changes (version and time)."""
    volatile = ("versionId", "lastUpdated")
    old_meta = {k: v for k, v in (previous.get("meta") or {}).items() if k not in volatile}
    new_meta = {k: v for k, v in (body.get("meta") or {}).items() if k not in volatile}
    if old_meta != new_meta:
        return False
    return {k: v for k, v in previous.items() if k != "meta"} == {
        k: v for k, v in body.items() if k != "meta"}


def raise_missing_references(body: dict[str, Any], missing: Iterable[tuple[str, str]]) -> None:
    """Refuse a body whose references name absent resources, saying where each one is."""
    absent = set(missing)
    sites = [s for s in literal_references(body) if (s.target_type, s.target_id) in absent]
    raise InvalidInput([error(
        "not-found", f"{s.target_type}/{s.target_id} does not exist: create it first "
        "or correct the reference", s.expression) for s in sites])


def settle(conn: sa.Connection, prepared: Prepared) -> Prepared:
    """Take the change feed's turn (``store.feed_order``, held until commit) and settle the
    version's time under it."""
    return restamp(prepared, feed_order.take_turn(conn))


def restamp(prepared: Prepared, floor: datetime | None) -> Prepared:
    """``prepared`` with its time later than ``floor``: a version stamped before a change
    that committed meanwhile takes a time just after that change's (times increase along
    the feed, so ``_lastUpdated=ge`` deltas miss nothing). Only a writer overtaken between
    its stamp and its turn pays a second serialisation of its body."""
    at = feed_order.settled_time(prepared.new.last_updated, floor)
    if at == prepared.new.last_updated or prepared.new.content is None:
        return prepared
    prepared.body["meta"]["lastUpdated"] = metadata.fhir_instant(at)
    content = jsonio.dumps(prepared.body)
    stored = replace(prepared.result.stored, last_updated=at, content=content)
    return replace(prepared, new=replace(prepared.new, last_updated=at, content=content),
                   result=replace(prepared.result, stored=stored))


def _copy(body: dict[str, Any]) -> dict[str, Any]:
    """A private copy of a JSON body."""
    copied: dict[str, Any] = jsonio.copy_json(body)
    return copied


def _not_found(rtype: str, rid: str) -> NotFound:
    return NotFound([error("not-found", f"{rtype}/{rid} does not exist")])


def _gone(rtype: str, rid: str) -> Gone:
    return Gone([error("deleted", f"{rtype}/{rid} was deleted")])


def check_if_match(current: StoredResource | None, if_match: str | None) -> None:
    """If-Match carries the version the client read (ETag W/"n"); anything else is stale."""
    if if_match is None:
        return
    wanted = if_match.strip().removeprefix("W/").strip('"')
    have = str(current.version) if current is not None else None
    if wanted != have:
        raise PreconditionFailed([error(
            "conflict", f"version {wanted} is not the current one ({have or 'none'}): "
            "read the resource again, reapply your change and send its new ETag")])


class WritePath:
    def __init__(self, db: Database, terminology: Terminology, region: str) -> None:
        self.db = db
        self.terminology = terminology
        self.region = region
        #: called in the writer's transaction after each write (None: a deletion), e.g.
        #: capacity alerts, which the app registers (this layer may not import them)
        self.after_write: list[AfterWrite] = []
        #: rules of a resource type run by ``prepare`` (the anomaly workflow)
        self.rules: list[WriteRule] = []
        #: checks of a resource type run by ``prepare`` after validation (quality on write)
        self.checks: list[WriteCheck] = []

    # -- public operations -------------------------------------------------------------

    @retried  # a victim of a deadlock with a writer of several resources
    def create(self, body: dict[str, Any], log: LogEntry,
               if_none_exist: Criteria | None = None, *, caller: Caller) -> WriteResult:
        rt = resource_type(body["resourceType"], "create")
        with self.db.write() as conn:
            if if_none_exist is not None:
                found = if_none_exist.matches(conn, rt.name)
                if found:
                    current = read_current(conn, rt.name, found)
                    assert current is not None
                    return WriteResult(current, created=False)
            rid = str(uuid.uuid4())
            return self.commit_version(conn, rt, rid, None, _copy(body), "create", log,
                                       caller=caller)

    @retried
    def update(self, rtype: str, rid: str, body: dict[str, Any], log: LogEntry,
               if_match: str | None = None, *, caller: Caller) -> WriteResult:
        rt = resource_type(rtype, "update", caller)
        if body.get("resourceType") != rtype:
            raise InvalidInput([error("invalid", f"the body is a {body.get('resourceType')}, "
                                      f"the URL names a {rtype}", "resourceType")])
        if body.get("id") != rid:
            raise InvalidInput([error("invalid", f"the body's id ({body.get('id')!r}) must "
                                      f"equal the id in the URL ({rid!r})", f"{rtype}.id")])
        with self.db.write() as conn:
            current = read_current(conn, rtype, rid, for_update=True)
            check_if_match(current, if_match)
            action = "update" if current is not None and not current.deleted else "create"
            return self.commit_version(conn, rt, rid, current, _copy(body), action, log,
                                       caller=caller)

    @retried
    def conditional_update(self, rtype: str, criteria: Criteria, body: dict[str, Any],
                           log: LogEntry, *, caller: Caller) -> WriteResult:
        rt = resource_type(rtype, "update")
        with self.db.write() as conn:
            rid = criteria.matches(conn, rtype)
            if rid is None:
                if body.get("id"):
                    raise InvalidInput([error("invalid", "no resource matches: a conditional "
                                              "create must not carry an id", f"{rtype}.id")])
                return self.commit_version(conn, rt, str(uuid.uuid4()), None, _copy(body),
                                           "create", log, caller=caller)
            if body.get("id") not in (None, rid):
                raise InvalidInput([error("invalid", f"the body's id must be {rid!r}, the "
                                          "resource matched by the criteria", f"{rtype}.id")])
            current = read_current(conn, rtype, rid, for_update=True)
            new = _copy(body)
            new["id"] = rid
            return self.commit_version(conn, rt, rid, current, new, "update", log,
                                       caller=caller)

    @retried
    def patch(self, rtype: str, rid: str, parameters: dict[str, Any], log: LogEntry,
              if_match: str | None = None, *, caller: Caller) -> WriteResult:
        rt = resource_type(rtype, "patch")
        with self.db.write() as conn:
            current = self.live(conn, rtype, rid)
            check_if_match(current, if_match)
            return self._patch(conn, rt, current, parameters, log, caller)

    @retried
    def conditional_patch(self, rtype: str, criteria: Criteria, parameters: dict[str, Any],
                          log: LogEntry, *, caller: Caller) -> WriteResult:
        rt = resource_type(rtype, "patch")
        with self.db.write() as conn:
            rid = criteria.matches(conn, rtype)
            if rid is None:
                raise NotFound([error("not-found", f"no {rtype} matches {criteria}", rtype)])
            return self._patch(conn, rt, self.live(conn, rtype, rid), parameters, log,
                               caller)

    @retried
    def delete(self, rtype: str, rid: str, log: LogEntry, *, caller: Caller) -> StoredResource:
        resource_type(rtype, "delete")
        with self.db.write() as conn:
            return self.delete_in(conn, rtype, rid, log, caller=caller)

    def delete_in(self, conn: sa.Connection, rtype: str, rid: str, log: LogEntry, *,
                  caller: Caller) -> StoredResource:
        """``delete`` inside the caller's transaction (federation applies a page in one)."""
        current = read_current(conn, rtype, rid, for_update=True)
        if current is None:
            raise _not_found(rtype, rid)
        if current.deleted:
            return current
        assert current.content is not None
        before = orjson.loads(current.content)
        region = self.region_of(before)
        authorise_change(caller, Change(rtype, rid, before, None, region, None), conn)
        self._refuse_if_referenced(conn, rtype, rid)
        derived.clear(conn, rtype, rid)
        new = NewVersion(rtype, rid, current.version + 1, utcnow(), None, None, "delete")
        write_current(conn, new)
        for hook in self.after_write:
            hook(conn, rtype, rid, None)
        at = feed_order.settled_time(new.last_updated, feed_order.take_turn(conn))
        if at != new.last_updated:  # the turn, as in commit_version
            new = replace(new, last_updated=at)
            restamp_currents(conn, [new])
        number(conn, new, log)
        if rtype == "Location":
            capacity_history.record_write(conn, rid, new.version, new.last_updated, region,
                                          current.content, None, before)
        return StoredResource(rtype, rid, new.version, new.last_updated, True, None)

    # -- steps -----------------------------------------------------------------------

    def live(self, conn: sa.Connection, rtype: str, rid: str, *,
             for_update: bool = True) -> StoredResource:
        current = read_current(conn, rtype, rid, for_update=for_update)
        if current is None:
            raise _not_found(rtype, rid)
        if current.deleted:
            raise _gone(rtype, rid)
        return current

    def region_of(self, body: dict[str, Any]) -> str:
        """The region a stored body belongs to: its tag, else this server's region."""
        return region_of(body) or self.region

    def _patch(self, conn: sa.Connection, rt: ResourceType, current: StoredResource,
               parameters: dict[str, Any], log: LogEntry, caller: Caller) -> WriteResult:
        assert current.content is not None
        after = apply_patch(orjson.loads(current.content), parameters)
        after["id"], after["resourceType"] = current.id, rt.name
        return self.commit_version(conn, rt, current.id, current, after, "patch", log,
                                   caller=caller)

    def commit_version(self, conn: sa.Connection, rt: ResourceType, rid: str,
                       current: StoredResource | None, body: dict[str, Any], action: str,
                       log: LogEntry, provenance: frozenset[str] | None = None,
                       checked: bool = False, *, caller: Caller) -> WriteResult:
        """Stamp, validate and store ``body`` as the next version of ``rid``.

        ``provenance``: the elements to attribute to ``log.provenance`` (default: those that
        changed). A write that changes nothing makes no version and no feed entry.
        ``checked``: an import's check phase already validated this very body (before server
        metadata and resolved references, which are valid by construction); a creation then
        skips the second validation. An update is always validated: reconciliation merged it.
        """
        prepared = self.prepare(rt, rid, current, body, action, log, provenance, checked,
                                lambda name: counters.next_value(conn, name), caller=caller,
                                conn=conn)
        if isinstance(prepared, WriteResult):
            return prepared
        return self._store(conn, rt, prepared, log)

    def prepare_unlocked(self, conn: sa.Connection, rt: ResourceType, current: StoredResource,
                         body: dict[str, Any], action: str, log: LogEntry, *,
                         caller: Caller) -> Prepared | WriteResult:
        """``prepare`` an update of ``current`` and compute its derived rows, on a read
        connection, without the write lock: for a writer whose updates are many and small
        (the capacity feed), which then stores it with ``store_if_current``. Its CPU work
        runs while another writer holds the lock. Raises NeedsLock when the update needs a
        step that writes."""
        def no_number(name: str) -> int:
            raise NeedsLock(name)

        prepared = self.prepare(rt, current.id, current, body, action, log, None, False,
                                no_number, caller=caller, conn=conn)
        if isinstance(prepared, WriteResult) or current.content is None:
            return prepared
        rows = derived.row_change(rt.name, current.id, current.content, prepared.previous,
                                  prepared.body, prepared.targets)
        return replace(prepared, rows=rows)

    def store_if_current(self, conn: sa.Connection, rt: ResourceType,
                         prepared: Prepared, log: LogEntry) -> WriteResult | None:
        """Store what ``prepare_unlocked`` prepared, in the write transaction ``conn``, if
        the version it was prepared from is still the current one; None if another writer
        changed the resource meanwhile (prepare again)."""
        base = prepared.current
        assert base is not None
        now = read_current(conn, rt.name, base.id, for_update=True)
        if now is None or now.deleted or now.version != base.version:
            return None
        return self._store(conn, rt, prepared, log)

    def _store(self, conn: sa.Connection, rt: ResourceType, prepared: Prepared,
               log: LogEntry) -> WriteResult:
        rid, current = prepared.new.id, prepared.current
        # what the current version refers to exists: a referenced resource is not deleted
        kept = reference_targets(current.content) if current and current.content \
            else frozenset()
        self._check_references(conn, rt.name, rid, prepared.targets - kept, prepared.body)
        if prepared.rows is not None:
            derived.write_change(conn, prepared.rows, prepared.new.content)
        else:
            derived.replace(conn, rt.name, rid, prepared.body, fresh=current is None,
                            targets=prepared.targets,
                            previous=None if current is None or current.deleted
                            else current.content,
                            previous_body=prepared.previous, content=prepared.new.content)
        write_current(conn, prepared.new)
        for hook in self.after_write:
            hook(conn, rt.name, rid, prepared.body)
        # from here to commit, one writer at a time (store.feed_order): what does not
        # depend on the version's number and time was written before
        stamped = prepared.new
        prepared = settle(conn, prepared)
        if prepared.new is not stamped:
            restamp_currents(conn, [prepared.new])
        number(conn, prepared.new, log)
        if rt.name == "Location":
            capacity_history.record_write(
                conn, rid, prepared.new.version, prepared.new.last_updated,
                prepared.new.region, current.content if current else None, prepared.body,
                prepared.previous)
        return prepared.result

    def prepare(self, rt: ResourceType, rid: str, current: StoredResource | None,
                body: dict[str, Any], action: str, log: LogEntry,
                provenance: frozenset[str] | None, checked: bool,
                next_number: Callable[[str], int], *, caller: Caller,
                conn: sa.Connection) -> Prepared | WriteResult:
        """Everything but storing: stamp, authorise, attribute, compare, validate, serialise.
        Returns the unchanged current version when the write would change nothing.
        Authorising comes right after stamping, which settles the region: a caller without
        the right learns nothing about the body's validity. ``conn`` is read only, for the
        links a person's role is decided on (services.scopes)."""
        previous = orjson.loads(current.content) if current and current.content else None
        now = utcnow()
        version = current.version + 1 if current is not None else 1
        rules = [rule for rule in self.rules if rule.rtype == rt.name]
        for rule in rules if previous is None else ():
            rule.route(conn, body)
        region = metadata.stamp(body, rt, rid, version, now, self.region)
        previous_region = None if previous is None else self.region_of(previous)
        authority = authorise_change(
            caller, Change(rt.name, rid, previous, body, previous_region, region), conn)
        for rule in rules:
            rule.check(conn, caller, previous, body, now, authority)
        metadata.ensure_creation_date(body, previous, now)
        metadata.ensure_functional_identifier(body, rt, previous, region, next_number)
        if log.provenance:
            attributed = provenance_of.changed_elements(previous, body)
            provenance_of.record(body, previous, attributed | (provenance or set()),
                                 log.provenance)
        if current is not None and previous is not None and _same(previous, body):
            return WriteResult(current, created=False, unchanged=True)
        creation = current is None or current.deleted
        issues = [] if checked and creation else validate_resource(
            body, self.terminology, None if creation else previous)
        if not any(issue.is_error for issue in issues):  # checks read a valid body only
            issues += [issue for check in self.checks if check.rtype == rt.name
                       for issue in check(conn, rid, body)]
        warnings = raise_if_errors(issues)
        content = jsonio.dumps(body)
        new = NewVersion(rt.name, rid, version, now, content, region, action)
        result = WriteResult(StoredResource(rt.name, rid, version, now, False, content),
                             created=creation, warnings=warnings, parsed=body)
        return Prepared(new, body, reference_targets(content), current, result, previous)

    def _check_references(self, conn: sa.Connection, rtype: str, rid: str,
                          targets: frozenset[tuple[str, str]], body: dict[str, Any]) -> None:
        wanted = targets - {(rtype, rid)}
        missing = wanted - derived.existing(conn, wanted)
        if missing:
            raise_missing_references(body, missing)

    def _refuse_if_referenced(self, conn: sa.Connection, rtype: str, rid: str) -> None:
        found = derived.referrers(conn, rtype, rid)
        if found:
            raise Conflict([error(
                "conflict", f"{rtype}/{rid} is still referenced by {r.type}/{r.id} "
                f"({r.path}): change or delete that resource first", r.path) for r in found])
