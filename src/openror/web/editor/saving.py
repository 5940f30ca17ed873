"""Saving an edited form through the write path, as the person.

An edit carries the version its form was read at and is sent with it as ``If-Match``: the
write path refuses it (412) when someone saved meanwhile, in the same transaction that would
store it. The person then sees who changed what since (from the versions), and the form
again, on the current version, with their own changes reapplied — to check and send again.
A refusal of validation or of the quality rules comes back as French messages next to the
fields; nothing is stored."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from openror.access.caller import Caller
from openror.errors import (
    Forbidden,
    InvalidInput,
    Issue,
    OpenRORError,
    PreconditionFailed,
    Unauthorized,
    error,
)
from openror.fhir.validate import validate_resource
from openror.services.container import Services
from openror.services.writes import WriteResult
from openror.store import object_history
from openror.web.editor import access, history, messages, model
from openror.web.editor.model import Field, Form, Values

Json = dict[str, Any]
#: how the write path says that a link takes a resource outside the writer's scope
_LINK = re.compile(r"may not link to (\w+)/([A-Za-z0-9\-.]+)")


@dataclass(frozen=True)
class Kind:
    """One editable resource type: its form, how it is written back, where errors go."""

    spec: history.Spec
    apply: Callable[[Json, Values], tuple[Json, dict[str, str]]]
    locate: Callable[[Json], list[tuple[str, str]]]
    hints: Sequence[tuple[str, str]]
    #: the field that links to other resources (a refused link is told there)
    link_field: str | None = None
    #: fields of the parts of rows (equipment), by id, for messages and the summary
    parts: Callable[[Values], dict[str, Field]] = lambda values: {}

    @property
    def rtype(self) -> str:
        return self.spec.rtype

    def fields(self, values: Values) -> dict[str, Field]:
        return {**{f.name: f for f in self.spec.fields}, **self.parts(values)}


@dataclass(frozen=True)
class Meanwhile:
    """What others changed since the version the form was read at."""

    entries: list[history.Entry]  # newest first
    version: int  # the current version, which the form now carries
    theirs: dict[str, str]  # field -> its current value in words (fields we both changed)

    @property
    def actors(self) -> str:
        return ", ".join(dict.fromkeys(e.actor for e in self.entries)) or "quelqu'un"

    @property
    def when(self) -> str:
        return self.entries[0].when if self.entries else ""


@dataclass
class Outcome:
    form: Form
    version: int
    saved: WriteResult | None = None
    meanwhile: Meanwhile | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def status(self) -> int:
        """The page's HTTP status: saved, changed meanwhile (409) or refused (400)."""
        return 200 if self.saved else 409 if self.meanwhile else 400


def posted_version(form: dict[str, str]) -> int:
    """The version the form was read at (its hidden field ``version``)."""
    text = form.get("version", "")
    if not text.isdigit():
        raise InvalidInput([error("invalid", "Le formulaire ne dit pas quelle version il "
                                  "modifie : rechargez la page.")])
    return int(text)


def update(services: Services, caller: Caller, kind: Kind, rid: str, version: int,
           mine: Values, reason: str) -> Outcome:
    # the primary: the person's changes apply to this content, written back under the
    # form's version; an older content from a lagging replica would undo others' changes
    with services.db.read_primary() as conn:
        _, body = access.require_edit(conn, caller, kind.rtype, rid)
    new_body, errors = kind.apply(body, mine)
    form = Form(mine, dict(errors))
    if errors:  # something cannot be written at all: tell it with the rest, store nothing
        _place(form, kind, validate_resource(new_body, services.terminology), new_body, mine)
        return Outcome(form, version)
    try:
        result = services.writes.update(kind.rtype, rid, new_body,
                                        access.log(caller, reason), f'W/"{version}"',
                                        caller=caller)
    except PreconditionFailed:
        return _conflict(services, kind, rid, version, mine)
    except (Forbidden, Unauthorized) as exc:
        return _refused(services, kind, exc, form, version)
    except InvalidInput as exc:
        _place(form, kind, exc.issues, new_body, mine)
        return Outcome(form, version)
    return _saved(kind, result)


def create(services: Services, caller: Caller, kind: Kind, base: Json, mine: Values,
           reason: str) -> Outcome:
    new_body, errors = kind.apply(base, mine)
    form = Form(mine, dict(errors))
    if errors:
        _place(form, kind, validate_resource(new_body, services.terminology), new_body, mine)
        return Outcome(form, 0)
    try:
        result = services.writes.create(new_body, access.log(caller, reason), caller=caller)
    except (Forbidden, Unauthorized) as exc:
        return _refused(services, kind, exc, form, 0)
    except InvalidInput as exc:
        _place(form, kind, exc.issues, new_body, mine)
        return Outcome(form, 0)
    return _saved(kind, result)


def _saved(kind: Kind, result: WriteResult) -> Outcome:
    """The form as saved, with the quality rules' warnings next to their fields."""
    body = result.body
    notes, general = messages.place_warnings(result.warnings, kind.locate(body), kind.hints)
    return Outcome(Form(kind.spec.values_of(body), notes=notes), result.stored.version,
                   result, warnings=general)


def _place(form: Form, kind: Kind, issues: Sequence[Issue], body: Json, mine: Values) -> None:
    messages.place_issues(form, issues, kind.fields(mine), kind.locate(body), kind.hints)


def _refused(services: Services, kind: Kind, exc: OpenRORError, form: Form, version: int
             ) -> Outcome:
    """A link to a resource outside the person's scope is told at the link's field; any
    other refusal of the rights is the French error page."""
    linked = _LINK.search(exc.message)
    if kind.link_field and linked:
        with services.db.read() as conn:
            name = history.names_of(conn, linked.group(1), {linked.group(2)})
        form.errors[kind.link_field] = (
            f"Vous ne pouvez pas rattacher « {name.get(linked.group(2), linked.group(2))} » : "
            "ce lieu sert aussi à des offres d'un établissement dont vous n'êtes pas "
            "référent. Décochez-le.")
        return Outcome(form, version)
    raise access.refused(kind.rtype, exc)


def _conflict(services: Services, kind: Kind, rid: str, version: int, mine: Values
              ) -> Outcome:
    spec, terminology = kind.spec, services.terminology
    with services.db.read_primary() as conn:  # what won: the version the next save needs
        current = access.stored(conn, kind.rtype, rid)
        old = object_history.version_content(conn, kind.rtype, rid, version)
        entries = history.entries(conn, spec, rid, terminology, after_version=version)
        names = history.names_of(conn, "Location", set(_linked(mine)))
    assert current.content is not None
    theirs = spec.values_of(orjson.loads(current.content))
    base = spec.values_of(orjson.loads(old)) if old else theirs
    merged, clashes = model.merge(spec.fields, base, theirs, mine)
    told = {name: spec.shown(name, theirs.get(name, ""), terminology, names)
            for name in clashes}
    form = Form(merged, clashes=clashes)
    return Outcome(form, current.version, meanwhile=Meanwhile(entries, current.version, told))


def _linked(values: Values) -> tuple[str, ...]:
    found = values.get("lieux", ())
    return found if isinstance(found, tuple) else ()
