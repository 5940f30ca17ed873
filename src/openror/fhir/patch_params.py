"""Read a FHIRPath Patch ``Parameters`` into checked operations, before anything is applied.

Every error names the offending spot of the Parameters in its ``expression``
(``Parameters.parameter[2].part[1]``) and says what to write instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openror.errors import InvalidInput, error
from openror.fhir.jsonio import copy_json
from openror.fhir.patch_elements import element_key, repeats

JSON = dict[str, Any]

_TEXT_KEYS = ("valueCode", "valueString")
_REQUIRED = {
    "add": ("path", "name", "value"),
    "insert": ("path", "value", "index"),
    "delete": ("path",),
    "replace": ("path", "value"),
    "move": ("path", "source", "destination"),
}
_PART_NAMES = frozenset({"type", "path", "name", "value", "index", "source", "destination"})


def invalid(message: str, expression: str, code: str = "invalid") -> InvalidInput:
    return InvalidInput([error(code, message, expression)])


@dataclass(frozen=True)
class Operation:
    expr: str  # Parameters.parameter[i]
    parts: dict[str, tuple[int, JSON]]

    def where(self, name: str) -> str:
        return f"{self.expr}.part[{self.parts[name][0]}]" if name in self.parts else self.expr

    def text(self, name: str) -> str:
        part = self.parts[name][1]
        found = next((part[k] for k in _TEXT_KEYS if k in part), None)
        if not isinstance(found, str) or not found.strip():
            kind = "valueCode" if name == "type" else "valueString"
            raise invalid(f"part '{name}' needs a non-empty {kind}", self.where(name))
        return found

    def integer(self, name: str) -> int:
        found = self.parts[name][1].get("valueInteger")
        if not isinstance(found, int) or isinstance(found, bool):
            raise invalid(f"part '{name}' needs a valueInteger", self.where(name))
        return found

    @property
    def type(self) -> str:
        return self.text("type")

    @property
    def path(self) -> str:
        return self.text("path")

    def value(self, context: str) -> tuple[Any, str | None]:
        return _value_of(self.parts["value"][1], self.where("value"), context)


def _value_of(part: JSON, expr: str, context: str) -> tuple[Any, str | None]:
    """(value, type suffix) of a part: value[x], resource, or a complex value built from parts."""
    for key, found in part.items():
        if key.startswith("value") and key[5:6].isupper():
            return copy_json(found), key[5:]
    if "resource" in part:
        return copy_json(part["resource"]), None
    if isinstance(part.get("part"), list) and part["part"]:
        return _build(part["part"], expr, context), None
    raise invalid(f"part '{part.get('name')}' has no value: give a value[x] or nested parts",
                   expr, "required")


def _build(parts: list[Any], expr: str, context: str) -> JSON:
    """A complex value: each sub-part's name is an element, its value[x]/parts the content."""
    built: JSON = {}
    for k, sub in enumerate(parts):
        where = f"{expr}.part[{k}]"
        name = sub.get("name") if isinstance(sub, dict) else None
        if not isinstance(name, str) or not name:
            raise invalid("each part of a complex value needs a name (the element name)", where)
        value, value_type = _value_of(sub, where, name)
        key = element_key(name, value_type)
        if key in built:  # the same name twice means a list, whatever the table says
            held = built[key]
            built[key] = [*held, value] if isinstance(held, list) else [held, value]
        else:
            built[key] = [value] if repeats(context, name) else value
    return built


def read_operations(parameters: Any) -> list[Operation]:
    """Read and check every operation before anything is applied."""
    if not isinstance(parameters, dict) or parameters.get("resourceType") != "Parameters":
        raise invalid("A FHIRPath Patch body must be a Parameters resource", "Parameters")
    params = parameters.get("parameter")
    if not isinstance(params, list) or not params:
        raise invalid("Parameters has no parameter named 'operation'", "Parameters", "required")
    return [_operation(i, p) for i, p in enumerate(params)]


def _operation(i: int, param: Any) -> Operation:
    expr = f"Parameters.parameter[{i}]"
    if not isinstance(param, dict) or param.get("name") != "operation":
        raise invalid("Each parameter of a FHIRPath Patch must be named 'operation'",
                      f"{expr}.name")
    parts: dict[str, tuple[int, JSON]] = {}
    for j, part in enumerate(param.get("part") or []):
        name = part.get("name") if isinstance(part, dict) else None
        if name not in _PART_NAMES or name in parts:
            problem = "is repeated" if name in parts else "is not a FHIRPath Patch part"
            raise invalid(f"part name '{name}' {problem}; parts are {sorted(_PART_NAMES)}",
                          f"{expr}.part[{j}]")
        parts[name] = (j, part)
    op = Operation(expr, parts)
    if "type" not in parts:
        raise invalid("operation needs a 'type' part (add|insert|delete|replace|move)", expr,
                      "required")
    if op.type not in _REQUIRED:
        raise invalid(f"unknown operation type '{op.type}': use add, insert, delete, replace "
                      "or move", op.where("type"), "code-invalid")
    for needed in _REQUIRED[op.type]:
        if needed not in parts:
            raise invalid(f"a '{op.type}' operation needs a '{needed}' part", expr, "required")
    op.path  # noqa: B018 - checked now so a bad path fails before any operation runs
    return op
