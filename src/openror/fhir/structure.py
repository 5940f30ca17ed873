"""Base FHIR R4 structural validation of a JSON resource (no profile, no terminology).

One recursive walk over the JSON checks, against the compiled R4 table (r4model): unknown
properties, `_x` primitive twins, JSON kinds, arrays vs single values, minimum cardinality, one
choice variant at most, primitive formats, empty strings/objects/arrays and nulls, Extension and
Reference shapes, and contained resources. Paths are only formatted for containers and for
errors, which keeps the walk cheap (the 13 kB HealthcareService example takes ~0.1 ms).

The same walk can collect every Coding with its location and enclosing extension URL, so that
terminology checks do not need a second pass (see :func:`walk`).

Given the stored version an update replaces, the walk leaves out the top-level values (and
items of top-level arrays) equal to one of that version's: they were checked when it was
stored. An update is checked on what it changes: a feeder's capacity count is neither refused
for an older problem elsewhere in the place nor slowed by re-reading the rest of it.
"""

from __future__ import annotations

import re
from typing import Any, Final

from openror.errors import Issue, error
from openror.fhir.r4model import (
    BACKBONE,
    ELEMENT_OWNER,
    PRIM,
    RESOURCE,
    Elem,
    Owner,
    R4Model,
    r4_model,
)

# (expression of the Coding, the Coding object, URL chain of the enclosing extension or "")
CodingSite = tuple[str, dict[str, Any], str]

_REFERENCE_RE: Final = re.compile(
    r"#[A-Za-z0-9\-.]{1,64}"
    r"|[A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64}(/_history/[A-Za-z0-9\-.]{1,64})?"
    r"|[a-z][a-z0-9+.\-]*://\S+|urn:(uuid|oid):\S+"
).fullmatch
_INT32: Final = (-2147483648, 2147483647)
_INT_MIN: Final = {"positiveInt": 1, "unsignedInt": 0}


def validate_structure(resource: dict[str, Any]) -> list[Issue]:
    """Check a resource against the base R4 structure; returns the issues (all errors)."""
    return walk(resource, None)


def walk(resource: Any, codings: list[CodingSite] | None,
         previous: dict[str, Any] | None = None) -> list[Issue]:
    """Validate; when ``codings`` is a list, append every Coding met to it. With
    ``previous`` (the stored version this one replaces), values unchanged at the top level
    are neither checked nor searched for codings."""
    out: list[Issue] = []
    model = r4_model()
    if not isinstance(resource, dict):
        return [error("structure", "a resource must be a JSON object")]
    rtype = resource.get("resourceType")
    if not isinstance(rtype, str) or rtype not in model.resources:
        supported = ", ".join(sorted(model.resources))
        return [error("not-supported", f"resourceType {rtype!r} is not supported; "
                      f"expected one of: {supported}", "resourceType")]
    _Walker(model, out, codings).obj(resource, model.owners[rtype], rtype, "", True,
                                     previous)
    return out


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


class _Walker:
    __slots__ = ("codings", "model", "out", "owners", "prims")

    def __init__(self, model: R4Model, out: list[Issue], codings: list[CodingSite] | None):
        self.model = model
        self.owners = model.owners
        self.prims = model.primitives
        self.out = out
        self.codings = codings

    def obj(self, obj: dict[str, Any], owner: Owner, path: str, ctx: str, root: bool,
            previous: dict[str, Any] | None = None) -> None:
        """Validate the properties of one JSON object described by ``owner``; those equal
        in ``previous`` are taken as checked."""
        elements = owner.elements
        choices: set[str] | None = None
        for key, value in obj.items():
            el = elements.get(key)
            if el is None:
                if key[0] == "_":
                    self.twin(obj, owner, key, value, path)
                elif not (root and key == "resourceType"):
                    self.err("structure", f"{path}: unknown element '{key}': remove it or "
                             "check its spelling", f"{path}.{key}")
                continue
            if el.choice is not None:
                if choices is None:
                    choices = set()
                elif el.choice in choices:
                    self.err("structure", f"{path}: only one {el.choice} variant is allowed, "
                             f"found another one '{key}'", f"{path}.{key}")
                choices.add(el.choice)
            self.element(el, value, obj, key, path, ctx,
                         previous.get(key) if previous is not None else None)
        for shown, keys in owner.required:
            if not any(k in obj for k in keys):
                self.err("required", f"{path}.{shown}: missing required element "
                         f"(minimum cardinality 1)", f"{path}.{shown}")

    def element(self, el: Elem, value: Any, obj: dict[str, Any], key: str, path: str,
                ctx: str, before: Any) -> None:
        """One property's value; ``before``: the stored version's (None: nothing to spare)."""
        if el.many:
            self.array(el, value, obj, key, path, ctx, before if type(before) is list else None)
        elif type(value) is list:
            self.err("structure", f"{path}.{key}: expected a single {el.type}, got an "
                     "array (the element does not repeat)", f"{path}.{key}")
        elif before is None or type(value) is not dict or value != before:
            self.value(el, value, key, -1, path, obj=obj, ctx=ctx)

    def array(self, el: Elem, value: Any, obj: dict[str, Any], key: str, path: str,
              ctx: str, checked: list[Any] | None = None) -> None:
        if type(value) is not list:
            self.err("structure", f"{path}.{key}: expected an array ({el.type} repeats), got "
                     f"{_kind(value)}", f"{path}.{key}")
        elif not value:
            self.err("structure", f"{path}.{key}: empty arrays are not allowed: omit the "
                     "element", f"{path}.{key}")
        else:
            for i, item in enumerate(value):
                if checked is not None and type(item) is dict and item in checked:
                    continue  # an object the stored version has: checked then
                self.value(el, item, key, i, path, obj=obj, ctx=ctx)

    def value(self, el: Elem, value: Any, key: str, i: int, path: str, *,
              obj: dict[str, Any], ctx: str) -> None:
        """Validate one value (an array item when i >= 0) of element ``el``."""
        if el.kind == PRIM:
            if value is None and i >= 0 and _twin_item(obj, key, i) is not None:
                return  # primitive array: the value lives in the aligned `_key` twin
            problem = self.prim(el.type, value)
            if problem:
                where = f"{path}.{key}[{i}]" if i >= 0 else f"{path}.{key}"
                self.err("value", f"{where}: {problem}", where)
            return
        where = f"{path}.{key}[{i}]" if i >= 0 else f"{path}.{key}"
        if type(value) is not dict:
            self.err("structure", f"{where}: expected an object ({el.type}), got "
                     f"{_kind(value)}", where)
        elif not value:
            self.err("structure", f"{where}: empty objects are not allowed: omit the "
                     "element", where)
        elif el.kind == RESOURCE:
            self.resource(value, where)
        elif el.kind == BACKBONE:
            self.obj(value, self.owners[el.owner], where, ctx, False)
        else:
            self.complex(el.type, value, where, ctx)

    def complex(self, ftype: str, value: dict[str, Any], where: str, ctx: str) -> None:
        owner = self.owners.get(ftype)
        if ftype == "Extension":
            url = value.get("url")
            if isinstance(url, str):
                ctx = f"{ctx}#{url}" if ctx and "/" not in url else url
            self.extension_shape(value, where)
        elif ftype == "Reference":
            self.reference_shape(value, where)
        elif ftype == "Coding" and self.codings is not None:
            self.codings.append((where, value, ctx))
        if owner is not None:
            self.obj(value, owner, where, ctx, False)

    def resource(self, value: dict[str, Any], where: str) -> None:
        rtype = value.get("resourceType")
        if not isinstance(rtype, str) or rtype not in self.model.resources:
            self.err("not-supported", f"{where}: resourceType {rtype!r} is missing or not "
                     "supported", where)
            return
        self.obj(value, self.owners[rtype], where, "", True)

    def prim(self, ptype: str, value: Any) -> str | None:
        """None when ``value`` is a valid JSON representation of primitive ``ptype``."""
        spec = self.prims[ptype]
        if spec.json == "string":
            if type(value) is not str:
                return f"expected a string ({ptype}), got {_kind(value)}"
            if not value:
                return "empty strings are not allowed: omit the element"
            if spec.match is not None and spec.match(value) is None:
                return f"{value!r} is not a valid {ptype}"
            return None
        if spec.json == "boolean":
            return None if type(value) is bool else f"expected true or false, got {_kind(value)}"
        return _number_problem(ptype, value)

    def twin(self, obj: dict[str, Any], owner: Owner, key: str, value: Any, path: str) -> None:
        """`_name`: id/extension of primitive `name`, array-aligned when `name` repeats."""
        el = owner.elements.get(key[1:])
        where = f"{path}.{key}"
        if el is None or el.kind != PRIM:
            self.err("structure", f"{path}: unknown element '{key}': '_' properties are only "
                     "allowed next to primitive elements", where)
            return
        element_owner = self.owners[ELEMENT_OWNER]
        if not el.many:
            self.twin_item(value, element_owner, where)
            return
        if type(value) is not list:
            self.err("structure", f"{where}: expected an array aligned with '{el.name}'", where)
            return
        base = obj.get(el.name)
        if isinstance(base, list) and len(base) != len(value):
            self.err("structure", f"{where}: must have as many items as '{el.name}' "
                     f"({len(base)}), found {len(value)}", where)
        for i, item in enumerate(value):
            if item is None:
                if not (isinstance(base, list) and i < len(base)):  # else reported on `name`
                    self.err("structure", f"{where}[{i}]: null without a matching value in "
                             f"'{el.name}': remove the item", f"{where}[{i}]")
                continue
            self.twin_item(item, element_owner, f"{where}[{i}]")

    def twin_item(self, value: Any, element_owner: Owner, where: str) -> None:
        if type(value) is not dict or not value:
            self.err("structure", f"{where}: expected an object with 'id' and/or "
                     f"'extension', got {_kind(value) if value != {} else 'an empty object'}",
                     where)
            return
        self.obj(value, element_owner, where, "", False)

    def extension_shape(self, ext: dict[str, Any], where: str) -> None:
        has_value = any(k.startswith("value") for k in ext)
        if "extension" in ext and has_value:
            self.err("structure", f"{where}: an extension has either a value[x] or nested "
                     "extensions, not both", where)
        elif "extension" not in ext and not has_value:
            self.err("structure", f"{where}: extension {ext.get('url', '')!r} needs a "
                     "value[x] or nested extensions", where)

    def reference_shape(self, ref: dict[str, Any], where: str) -> None:
        target = ref.get("reference")
        if isinstance(target, str) and _REFERENCE_RE(target) is None:
            self.err("value", f"{where}.reference: {target!r} is not a valid reference: use "
                     "'Type/id', '#contained-id' or an absolute URL", f"{where}.reference")
        if not any(k in ref for k in ("reference", "identifier", "display", "extension")):
            self.err("structure", f"{where}: a Reference needs 'reference', 'identifier' or "
                     "'display'", where)

    def err(self, code: str, diagnostics: str, expression: str) -> None:
        self.out.append(error(code, diagnostics, expression))


def _twin_item(obj: dict[str, Any], key: str, i: int) -> Any:
    twin = obj.get("_" + key)
    return twin[i] if isinstance(twin, list) and i < len(twin) else None


def _number_problem(ptype: str, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"expected a number ({ptype}), got {_kind(value)}"
    if ptype == "decimal":
        return None
    if not isinstance(value, int):
        return f"expected a whole number ({ptype}), got {value!r}"
    low = _INT_MIN.get(ptype, _INT32[0])
    if not low <= value <= _INT32[1]:
        return f"{value} is out of range for {ptype} ({low}..{_INT32[1]})"
    return None
