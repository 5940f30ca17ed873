"""The change log of an object as its page shows it — who, when, why, and what changed
field by field (old → new), read from the stored versions — and the changes made since a
given version (the « modifié entre-temps par … » message)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

from openror.store import object_history
from openror.store.resources import read_current
from openror.terminology import Terminology
from openror.web.editor import bits, offer_form, org_view, place_form
from openror.web.editor.model import Field, Value, Values
from openror.web.moments import paris

Json = dict[str, Any]
#: how many changes an object's page lists
SHOWN = 50
_ACTIONS = {"create": "création", "update": "modification", "patch": "modification",
            "delete": "suppression"}


@dataclass(frozen=True)
class Spec:
    """What the log compares of one resource type: the form's fields and the rest."""

    rtype: str
    fields: tuple[Field, ...]
    values_of: Callable[[Json], Values]
    shown: Callable[[str, Value, Terminology, dict[str, str]], str]
    unmanaged: Callable[[Json], Json]
    others: dict[str, str]


OFFER = Spec("HealthcareService", offer_form.FIELDS, offer_form.values_of, offer_form.shown,
             offer_form.unmanaged, offer_form.OTHER_ELEMENTS)
PLACE = Spec("Location", place_form.FIELDS, place_form.values_of, place_form.shown,
             place_form.unmanaged, place_form.OTHER_ELEMENTS)
ORGANIZATION = Spec("Organization", org_view.FIELDS, org_view.values_of, org_view.shown,
                    org_view.unmanaged, org_view.OTHER_ELEMENTS)


@dataclass(frozen=True)
class Line:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Entry:
    version: int
    at: datetime
    actor: str  # the name to show
    reason: str
    action: str  # « création », « modification », « suppression »
    lines: list[Line]
    others: list[str]  # elements the form does not show that changed

    @property
    def when(self) -> str:
        return paris(self.at)


def diff(spec: Spec, before: Json | None, after: Json | None, terminology: Terminology,
         names: dict[str, str]) -> tuple[list[Line], list[str]]:
    """What changed between two versions (None: absent), field by field, and the names of
    the other elements that changed."""
    old = spec.values_of(before) if before is not None else {}
    new = spec.values_of(after) if after is not None else {}
    lines = [Line(f.label, spec.shown(f.name, old.get(f.name) or "", terminology, names),
                  spec.shown(f.name, new.get(f.name) or "", terminology, names))
             for f in spec.fields if (old.get(f.name) or "") != (new.get(f.name) or "")]
    rest_old = spec.unmanaged(before) if before is not None else {}
    rest_new = spec.unmanaged(after) if after is not None else {}
    others = [spec.others.get(key, key) for key in _changed_keys(rest_old, rest_new)]
    return lines, sorted(set(others))


def _changed_keys(old: Json, new: Json) -> list[str]:
    """Top-level elements that differ; extensions by URL."""
    keys = [k for k in sorted(set(old) | set(new)) if k != "extension"
            and old.get(k) != new.get(k) and not (_empty(old.get(k)) and _empty(new.get(k)))]
    by_url_old, by_url_new = _by_url(old), _by_url(new)
    keys += [url for url in sorted(set(by_url_old) | set(by_url_new))
             if by_url_old.get(url) != by_url_new.get(url)]
    return keys


def _empty(value: Any) -> bool:
    return value in (None, [], {}, "")


def _by_url(body: Json) -> dict[str, list[Json]]:
    found: dict[str, list[Json]] = {}
    for ext in bits.dicts(body.get("extension")):
        found.setdefault(str(ext.get("url")), []).append(ext)
    return found


def _body(content: bytes | None) -> Json | None:
    return None if content is None else dict(orjson.loads(content))


def entries(conn: sa.Connection, spec: Spec, rid: str, terminology: Terminology, *,
            after_version: int = 0, limit: int = SHOWN) -> list[Entry]:
    """The latest changes of ``rid`` above ``after_version``, newest first."""
    found = object_history.changes(conn, spec.rtype, rid, after_version=after_version,
                                   limit=limit)
    actors = object_history.actor_names(conn, (c.actor for c in found))
    bodies = [(_body(c.before), _body(c.after)) for c in found]
    names = _names(conn, spec, [b for pair in bodies for b in pair if b is not None])
    out = []
    for change, (before, after) in zip(found, bodies, strict=True):
        lines, others = diff(spec, before, after, terminology, names)
        out.append(Entry(change.version, change.at, actors.get(change.actor, change.actor),
                         change.reason or "", _ACTIONS.get(change.action, change.action),
                         lines, others))
    return out


def _names(conn: sa.Connection, spec: Spec, bodies: list[Json]) -> dict[str, str]:
    """Names of the places (offers) or parents (organisations) the versions point to."""
    if spec is OFFER:
        wanted = {rid for b in bodies for rid in bits.reference_ids(b.get("location"),
                                                                    "Location")}
        return names_of(conn, "Location", wanted)
    if spec is ORGANIZATION:
        wanted = {rid for b in bodies for rid in bits.reference_ids(b.get("partOf"),
                                                                    "Organization")}
        return names_of(conn, "Organization", wanted)
    return {}


def names_of(conn: sa.Connection, rtype: str, ids: set[str]) -> dict[str, str]:
    found = {}
    for rid in sorted(ids):
        stored = read_current(conn, rtype, rid)
        if stored is not None and stored.content is not None:
            found[rid] = str(orjson.loads(stored.content).get("name") or rid)
    return found
