"""Load templates into the store through the write path: each template keeps its logical id, so a
changed template becomes a new version of the same resource and an unchanged one writes
nothing (the write path compares the bodies)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from openror.access.caller import SYSTEM
from openror.config import Settings
from openror.errors import InvalidInput, error
from openror.services.container import Services
from openror.services.writes import WritePath
from openror.store.feed import LogEntry
from openror.templates.bundled import bundled_templates

ACTOR = "templates"


@dataclass
class Loaded:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{len(self.created)} created, {len(self.updated)} updated, "
                f"{len(self.unchanged)} unchanged")


def load(writes: WritePath, templates: Iterable[dict[str, Any]],
         reason: str = "entry templates") -> Loaded:
    """Create or update each template under its own id; one transaction per template."""
    out = Loaded()
    for body in templates:
        rid = _checked_id(body)
        try:
            result = writes.update("Questionnaire", rid, body,
                                   LogEntry(actor=ACTOR, reason=reason), caller=SYSTEM)
        except InvalidInput as exc:  # say which template: a load has several
            raise InvalidInput([replace(i, diagnostics=f"Questionnaire/{rid}: {i.diagnostics}")
                                for i in exc.issues]) from None
        bucket = out.unchanged if result.unchanged else (
            out.created if result.created else out.updated)
        bucket.append(rid)
    return out


def load_bundled(writes: WritePath) -> Loaded:
    return load(writes, bundled_templates(), "bundled entry templates")


def load_bundled_into(settings: Settings) -> Loaded:
    """``load_bundled`` on the database of ``settings`` (the demo, the CLI)."""
    services = Services.open(settings)
    try:
        return load_bundled(services.writes)
    finally:
        services.close()


def read_files(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Questionnaires from JSON files: a Questionnaire, or a Bundle whose entries are; a
    directory stands for its ``*.json`` files, in name order."""
    out: list[dict[str, Any]] = []
    for path in paths:
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        for file in files:
            try:
                body = orjson.loads(file.read_bytes())
            except orjson.JSONDecodeError as exc:
                raise InvalidInput([error("invalid", f"{file}: not JSON ({exc})")]) from None
            out += _questionnaires(file, body)
    return out


def _questionnaires(file: Path, body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict) and body.get("resourceType") == "Bundle":
        entries = [e.get("resource") for e in body.get("entry") or [] if isinstance(e, dict)]
        return [r for e in entries for r in _questionnaires(file, e)]
    if isinstance(body, dict) and body.get("resourceType") == "Questionnaire":
        return [body]
    raise InvalidInput([error("invalid", f"{file}: expected a Questionnaire or a Bundle of "
                              "Questionnaires", "resourceType")])


def _checked_id(body: dict[str, Any]) -> str:
    rid = body.get("id")
    if not isinstance(rid, str) or not rid:
        raise InvalidInput([error("required", f"template {body.get('url') or body.get('name')!r}"
                                  " has no id: a template keeps its id from one load to the next, "
                                  "so that a change makes a new version", "Questionnaire.id")])
    return rid
