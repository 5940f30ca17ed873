"""FHIRPath Patch (FHIR R4): apply a ``Parameters`` of add/insert/delete/replace/move operations.

The input resource is never mutated: operations run in order on a copy, so a failing
operation leaves nothing half-applied. Paths are resolved to JSON positions by
:mod:`openror.fhir.fhirpath_locate`; errors point into the Parameters (``expression``) so the
caller knows which part to fix. A path that selects nothing raises :class:`PatchTargetMissing`
(404) whose expression is the path as sent: capacity feeders retry with ``add`` on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openror.errors import NotFound, error
from openror.fhir.fhirpath_locate import (
    ROOT_KEY,
    PathError,
    Slot,
    Step,
    choice_key,
    locate,
    parse_path,
    root_slot,
)
from openror.fhir.jsonio import copy_json
from openror.fhir.patch_elements import element_key, is_choice, repeats
from openror.fhir.patch_params import Operation, invalid, read_operations

JSON = dict[str, Any]


class PatchTargetMissing(NotFound):
    """404 ``not-found``: the patch path selects no element (expression = the path as sent)."""

    @classmethod
    def for_path(cls, path: str) -> PatchTargetMissing:
        return cls([error("not-found", f"No element matches the patch path {path}", path)])


# ---------------------------------------------------------------- locating targets


def _steps(resource: JSON, op: Operation) -> tuple[Step, ...]:
    """Parsed path, without its leading resource type (which must be the resource's)."""
    try:
        steps = parse_path(op.path)
    except PathError as exc:
        raise invalid(str(exc), op.where("path"), exc.code) from exc
    head = steps[0]
    if head.op == "child" and head.arg[:1].isupper():
        if head.arg != resource.get("resourceType"):
            raise invalid(f"path starts with '{head.arg}' but the resource is a "
                          f"{resource.get('resourceType')}", op.where("path"))
        return steps[1:]
    return steps


def _select(resource: JSON, op: Operation, steps: tuple[Step, ...]) -> list[Slot]:
    try:
        return locate(root_slot(resource), steps)
    except PathError as exc:
        raise invalid(str(exc), op.where("path"), exc.code) from exc


def _at_most_one(resource: JSON, op: Operation, steps: tuple[Step, ...]) -> Slot | None:
    slots = _select(resource, op, steps)
    if len(slots) > 1:
        raise invalid(f"path selects {len(slots)} elements but '{op.type}' works on exactly "
                      "one: narrow it with where(), first() or [n]", op.where("path"),
                      "multiple-matches")
    return slots[0] if slots else None


def _one(resource: JSON, op: Operation, steps: tuple[Step, ...]) -> Slot:
    slot = _at_most_one(resource, op, steps)
    if slot is None:
        raise PatchTargetMissing.for_path(op.path)
    return slot


def _context(resource: JSON, slot: Slot) -> str:
    return str(resource["resourceType"]) if slot.key == ROOT_KEY else slot.key


def _list_at(resource: JSON, op: Operation) -> tuple[JSON, str, list[Any] | None, str]:
    """For insert/move: (owner, list name, the list or None if absent, context of owner)."""
    steps = _steps(resource, op)
    if not steps or steps[-1].op != "child":
        raise invalid(f"a '{op.type}' path must end with the name of the list, "
                      "e.g. Organization.telecom", op.where("path"))
    owner_slot = _one(resource, op, steps[:-1])
    owner, name = owner_slot.value, steps[-1].arg
    held = owner.get(name) if isinstance(owner, dict) else "primitive"
    if held is not None and not isinstance(held, list):
        raise invalid(f"'{name}' is not a list: '{op.type}' needs a repeating element",
                      op.where("path"))
    return owner, name, held, _context(resource, owner_slot)


# ---------------------------------------------------------------- operations


def _add(resource: JSON, op: Operation) -> None:
    slot = _one(resource, op, _steps(resource, op))
    owner, name = slot.value, op.text("name")
    if not isinstance(owner, dict):
        raise invalid(f"path selects a primitive value: '{name}' cannot be added to it",
                      op.where("path"))
    context = _context(resource, slot)
    value, value_type = op.value(name)
    key = element_key(name, value_type)
    present = key if key in owner else name if name in owner else None
    if present is None and is_choice(name):
        present = choice_key(owner, name)  # valueString present, valueInteger added
    if present is None:
        owner[key] = [value] if repeats(context, name) else value
    elif isinstance(owner[present], list):
        owner[present].append(value)
    else:
        raise invalid(f"'{name}' is already present and does not repeat: use replace",
                      op.where("name"))


def _insert(resource: JSON, op: Operation) -> None:
    owner, name, held, context = _list_at(resource, op)
    if held is None and not repeats(context, name):
        raise invalid(f"'{name}' does not repeat: use add", op.where("path"))
    items = owner.setdefault(name, []) if held is None else held
    index = op.integer("index")
    if not 0 <= index <= len(items):
        raise invalid(f"index {index} is out of range: '{name}' has {len(items)} elements, "
                      f"so use 0 to {len(items)}", op.where("index"))
    items.insert(index, op.value(name)[0])
    if isinstance(shadow := owner.get("_" + name), list):
        shadow.insert(index, None)  # keep primitive extensions aligned with their values


def _delete(resource: JSON, op: Operation) -> None:
    found = _at_most_one(resource, op, _steps(resource, op))
    if found is None:
        return  # R4: deleting an element that is not there is not an error
    slot = _not_root(found, op)
    shadow = slot.parent.get("_" + slot.key)
    if slot.index is None:
        del slot.parent[slot.key]
        slot.parent.pop("_" + slot.key, None)
    else:
        del slot.parent[slot.key][slot.index]
        if isinstance(shadow, list) and slot.index < len(shadow):
            del shadow[slot.index]


def _replace(resource: JSON, op: Operation) -> None:
    slot = _not_root(_one(resource, op, _steps(resource, op)), op)
    value, value_type = op.value(slot.choice or slot.key)
    if slot.choice and value_type and slot.key != slot.choice + value_type:
        # a choice element may change type: valueString replaced by valueInteger
        del slot.parent[slot.key]
        slot.parent.pop("_" + slot.key, None)
        slot.parent[slot.choice + value_type] = value
    elif slot.index is None:
        slot.parent[slot.key] = value
    else:
        slot.parent[slot.key][slot.index] = value


def _move(resource: JSON, op: Operation) -> None:
    owner, name, held, _ = _list_at(resource, op)
    items = held or []
    for part in ("source", "destination"):
        index = op.integer(part)
        if not 0 <= index < len(items):
            raise invalid(f"{part} {index} is out of range: '{name}' has {len(items)} elements",
                          op.where(part))
    source, destination = op.integer("source"), op.integer("destination")
    items.insert(destination, items.pop(source))
    if isinstance(shadow := owner.get("_" + name), list) and len(shadow) == len(items):
        shadow.insert(destination, shadow.pop(source))


def _not_root(slot: Slot, op: Operation) -> Slot:
    if slot.key == ROOT_KEY:
        raise invalid(f"'{op.type}' cannot target the resource itself: name an element",
                      op.where("path"))
    return slot


_APPLY: dict[str, Callable[[JSON, Operation], None]] = {
    "add": _add, "insert": _insert, "delete": _delete, "replace": _replace, "move": _move,
}


# ---------------------------------------------------------------- entry point


def apply_patch(resource: dict[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
    """Return a patched copy of ``resource``; raise InvalidInput or PatchTargetMissing."""
    operations = read_operations(parameters)
    patched: JSON = copy_json(resource)
    for op in operations:
        _APPLY[op.type](patched, op)
    if any(op.type == "delete" for op in operations):
        _prune(patched)  # only deletes leave empty containers behind
    return patched


def _prune(node: Any) -> None:
    """Drop the empty arrays/objects (and all-null shadow arrays) deletes leave behind."""
    if isinstance(node, dict):
        for key in list(node):
            _prune(node[key])
            if _empty(node[key]):
                del node[key]
    elif isinstance(node, list):
        for item in node:
            _prune(item)
        node[:] = [item for item in node if item is None or not _empty(item)]


def _empty(value: Any) -> bool:
    if isinstance(value, dict):
        return not value
    return isinstance(value, list) and all(item is None for item in value)
