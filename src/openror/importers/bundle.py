"""``openror import bundle PATH…``: FHIR Bundles (JSON) and ndjson files.

Resources keep their ids (an id is the natural key: PUT semantics); a resource without id is
found again by its first identifier. A ``transaction`` Bundle is applied all or nothing;
``urn:uuid:`` references between its entries become references to the entries' ids or keys.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from openror.fhir import resource_types
from openror.importers.base import ID_KEY, Key, Record, Reject, logical_reference

_SERVER = frozenset({"resourceType", "id", "meta"})


def _lines(path: Path) -> Iterator[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="strict") as handle:
        yield from handle


def _key(resource: dict[str, Any]) -> Key | None:
    if isinstance(resource.get("id"), str) and resource["id"]:
        return Key(ID_KEY, resource["id"])
    for ident in resource.get("identifier") or []:
        if isinstance(ident, dict) and ident.get("system") and ident.get("value"):
            return Key(str(ident["system"]), str(ident["value"]))
    return None


def _record(resource: Any, line: int, group: int = 0) -> Record | Reject:
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        return Reject(line, "resourceType", "not a FHIR resource (no resourceType)")
    rtype = resource["resourceType"]
    if resource_types.get(rtype) is None or not resource_types.REGISTRY[rtype].allows("create"):
        return Reject(line, "resourceType", f"{rtype} cannot be imported")
    key = _key(resource)
    if key is None:
        return Reject(line, "id", "the resource has neither an id nor an identifier with "
                      "system and value: give it one so that a re-import finds it again")
    owned = frozenset(resource) - _SERVER
    urls = frozenset(e.get("url") for e in resource.get("extension") or [] if isinstance(e, dict))
    body = {k: v for k, v in resource.items() if k != "meta"}
    # Tags (the region a resource comes from) and profiles travel with it; version and time are
    # the server's.
    meta = {k: v for k, v in (resource.get("meta") or {}).items() if k in ("tag", "profile")}
    if meta:
        body["meta"] = meta
    return Record(line, body, key, owned, frozenset(u for u in urls if isinstance(u, str)),
                  group=group)


def _rewrite_uuids(node: Any, targets: dict[str, dict[str, Any]]) -> Any:
    if isinstance(node, list):
        return [_rewrite_uuids(v, targets) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("reference")
    if isinstance(ref, str) and ref in targets:
        return targets[ref]
    return {k: _rewrite_uuids(v, targets) for k, v in node.items()}


def _uuid_targets(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """fullUrl urn:uuid:… → the reference that names the same resource once applied."""
    targets: dict[str, dict[str, Any]] = {}
    for entry in entries:
        resource, full = entry.get("resource"), entry.get("fullUrl")
        if not (isinstance(resource, dict) and isinstance(full, str)):
            continue
        key = _key(resource)
        if key is None:
            continue
        rtype = str(resource.get("resourceType"))
        targets[full] = ({"reference": f"{rtype}/{key.value}"} if key.system == ID_KEY
                         else logical_reference(rtype, key))
    return targets


class BundleSource:
    name = "bundle"
    provenance = "import"

    def __init__(self) -> None:
        self._groups = 0

    def parse(self, paths: Sequence[Path]) -> Iterator[Record | Reject]:
        for path in paths:
            if ".ndjson" in path.name:
                yield from self._ndjson(path)
            else:
                yield from self._json(path)

    def _ndjson(self, path: Path) -> Iterator[Record | Reject]:
        try:
            for number, text in enumerate(_lines(path), start=1):
                if text.strip():
                    yield self._parse_line(text, number)
        except UnicodeDecodeError as exc:
            yield Reject(0, "file", f"{path.name} is not UTF-8 ({exc.reason}): convert it")

    def _parse_line(self, text: str, number: int) -> Record | Reject:
        try:
            return _record(orjson.loads(text), number)
        except orjson.JSONDecodeError as exc:
            return Reject(number, "json", f"not valid JSON: {exc}")

    def _json(self, path: Path) -> Iterator[Record | Reject]:
        try:
            data = orjson.loads(path.read_bytes())
        except (orjson.JSONDecodeError, UnicodeDecodeError) as exc:
            yield Reject(1, "json", f"{path.name} is not valid JSON: {exc}")
            return
        if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
            yield _record(data, 1)
            return
        entries = [e for e in data.get("entry") or [] if isinstance(e, dict)]
        group = 0
        if data.get("type") == "transaction":
            self._groups += 1
            group = self._groups
        targets = _uuid_targets(entries)
        for number, entry in enumerate(entries, start=1):
            yield _record(_rewrite_uuids(entry.get("resource"), targets), number, group)

    def close(self, resource: dict[str, Any]) -> dict[str, Any] | None:
        return None  # a bundle is not a registry: nothing is closed when it no longer lists it

    def key_systems(self) -> frozenset[str]:
        return frozenset()

    def scope_of_key(self, key: Key) -> str:
        return ""
