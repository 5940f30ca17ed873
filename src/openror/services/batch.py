"""Many writes in one transaction, for importers: upsert by natural key with reconciliation,
and closing what vanished from a registry. Each record runs in a savepoint, so one bad record is
refused alone while the batch stays one all-or-nothing transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from openror.access.caller import Caller
from openror.errors import InvalidInput, error
from openror.services.reconcile import reconcile
from openror.services.writes import WritePath, WriteResult, resource_type
from openror.store import derived, rawsql
from openror.store.derived import KEY_TAG_PREFIX
from openror.store.feed import LogEntry
from openror.store.resources import read_current

#: key system meaning "the resource id itself" (bundles and ndjson keep their ids)
ID_KEY = "urn:openror:id"


@dataclass(frozen=True)
class Upsert:
    resource: dict[str, Any]  # no id; logical references by identifier
    key_system: str
    key_value: str
    owned: frozenset[str]
    owned_extensions: frozenset[str] = frozenset()
    checked: bool = False  # validated by an import's check phase (see commit_version)
    #: the resource replaces the current version whole, meta tags included (federation: the
    #: source's version as it is), instead of being reconciled and its references resolved
    replace: bool = False


class Batch:
    def __init__(self, writes: WritePath, conn: sa.Connection, log: LogEntry, *,
                 caller: Caller) -> None:
        self.writes, self.conn, self.log, self.caller = writes, conn, log, caller

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undo one record's writes if it fails, keeping the batch's transaction going.

        Plain SQL rather than ``begin_nested()``: SQLAlchemy compiles a savepoint clause per
        call, which cost more than the record's own inserts (profiled on imports)."""
        rawsql.run(self.conn, "SAVEPOINT record", {})
        try:
            yield
        except BaseException:
            rawsql.run(self.conn, "ROLLBACK TO SAVEPOINT record", {})
            rawsql.run(self.conn, "RELEASE SAVEPOINT record", {})
            raise
        rawsql.run(self.conn, "RELEASE SAVEPOINT record", {})

    def upsert(self, item: Upsert) -> WriteResult:
        rtype = item.resource["resourceType"]
        rt = resource_type(rtype, "create")
        incoming = resolve_references(orjson.loads(orjson.dumps(item.resource)),
                                      lambda rtype, ident, path: _resolve(self.conn, rtype,
                                                                          ident, path))
        tag_key(incoming, item)
        rid = self._existing_id(rtype, item)
        current = read_current(self.conn, rtype, rid, for_update=True) if rid else None
        owned = frozenset(e for e in item.owned if e in incoming)
        if current is None or current.content is None:
            return self.writes.commit_version(self.conn, rt, rid or str(uuid.uuid4()), current,
                                              incoming, "create", self.log, owned, item.checked,
                                              caller=self.caller)
        merged = reconcile(orjson.loads(current.content), incoming, item.owned,
                           item.owned_extensions)
        return self.writes.commit_version(self.conn, rt, current.id, current, merged, "update",
                                          self.log, owned, caller=self.caller)

    def _existing_id(self, rtype: str, item: Upsert) -> str | None:
        """The id the record's key names: the key itself for ids, else the one resource that
        carries the key (None if none; several is an error)."""
        if item.key_system == ID_KEY:
            return item.key_value
        ids = derived.find_by_identifier(self.conn, rtype, item.key_system, item.key_value)
        if len(ids) > 1:
            raise InvalidInput([error("multiple-matches", f"several {rtype} carry "
                                      f"{item.key_system}|{item.key_value}", rtype)])
        return ids[0] if ids else None

    def close(self, rtype: str, rid: str, closed: dict[str, Any]) -> WriteResult:
        rt = resource_type(rtype, "update")
        current = read_current(self.conn, rtype, rid, for_update=True)
        assert current is not None
        return self.writes.commit_version(self.conn, rt, rid, current, closed, "update", self.log,
                                          caller=self.caller)


def tag_key(body: dict[str, Any], item: Upsert) -> None:
    """Keep the natural key on the resource: as an identifier when it is one, else as a tag
    (``urn:openror:…`` tags are indexed like identifiers; see store.derived)."""
    if item.key_system == ID_KEY or any(
        i.get("system") == item.key_system and i.get("value") == item.key_value
        for i in body.get("identifier") or [] if isinstance(i, dict)
    ):
        return
    if not item.key_system.startswith(KEY_TAG_PREFIX):
        raise InvalidInput([error("invalid", f"key {item.key_system} must be an identifier of "
                                  f"the resource or start with {KEY_TAG_PREFIX}")])
    meta = body.setdefault("meta", {})
    tag = {"system": item.key_system, "code": item.key_value}
    meta["tag"] = [*(t for t in meta.get("tag") or [] if t.get("system") != item.key_system),
                   tag]


#: finds the id a logical reference names: (type, identifier, path for errors) -> id
Lookup = Callable[[str, dict[str, Any], str], str]


def resolve_references(node: Any, lookup: Lookup, path: str = "") -> Any:
    """Logical references ``{type, identifier}`` → ``{"reference": "Type/id"}``, in place."""
    if type(node) is list:
        for i, value in enumerate(node):
            if type(value) in (dict, list):
                node[i] = resolve_references(value, lookup, f"{path}[{i}]")
        return node
    if type(node) is not dict:
        return node
    ident, rtype = node.get("identifier"), node.get("type")
    if type(ident) is dict and type(rtype) is str and "reference" not in node \
            and set(node) <= {"type", "identifier", "display"}:
        return {"reference": f"{rtype}/{lookup(rtype, ident, path)}"}
    for key, value in node.items():
        if type(value) in (dict, list):
            node[key] = resolve_references(value, lookup, f"{path}.{key}" if path else key)
    return node


def _resolve(conn: sa.Connection, rtype: str, ident: dict[str, Any], path: str) -> str:
    ids = derived.find_by_identifier(conn, rtype, ident.get("system"), str(ident.get("value")))
    if len(ids) != 1:
        found = "no" if not ids else "several"
        raise InvalidInput([error("not-found", f"{found} {rtype} with identifier "
                                  f"{ident.get('system')}|{ident.get('value')}", path)])
    return ids[0]
