"""What every page of the entry shares: the person's services and draft, saving it, and the
context of the step templates (progress, errors of the step, lists, id helpers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from openror.access.caller import Caller
from openror.services.container import Services
from openror.store import entry_drafts
from openror.store.resources import utcnow
from openror.web.entry import choices, fields, ids, labels, rows, template_use
from openror.web.entry.draft import Data
from openror.web.entry.practice import practitioner_of
from openror.web.moments import paris
from openror.web.render import caller_of, page

STEPS: Final = ("Vérifier vos données", "Décrire vos offres", "Modalités et lieux", "Contacts",
                "Horaires", "Relire et valider")
LAST: Final = len(STEPS)
HOME: Final = "/saisie"


def step_path(n: int) -> str:
    return f"{HOME}/etape-{n}"


@dataclass
class Entry:
    """The request's person, services and draft (None: none yet)."""

    services: Services
    caller: Caller
    practitioner: str
    draft: entry_drafts.Draft | None

    @property
    def data(self) -> Data:
        assert self.draft is not None
        return self.draft.data

    @property
    def reached(self) -> int:
        return self.draft.step if self.draft is not None else 0


def _load(services: Services, person: str) -> entry_drafts.Draft | None:
    with services.db.read() as conn:
        return entry_drafts.load(conn, person)


async def entry_of(request: Request) -> Entry:
    """403 for a person who is not a professional linked to their Practitioner."""
    services: Services = request.app.state.services
    caller = caller_of(request)
    practitioner = practitioner_of(caller)
    found = await run_in_threadpool(_load, services, caller.actor)
    if found is not None and found.practitioner_id != practitioner:
        found = None  # the account was linked to another Practitioner since: start again
    return Entry(services, caller, practitioner, found)


def _save(services: Services, person: str, practitioner: str, step: int, data: Data) -> None:
    with services.db.write() as conn:
        entry_drafts.save(conn, person, practitioner, step, data, utcnow())


async def save(entry: Entry, data: Data, reached: int) -> None:
    await run_in_threadpool(_save, entry.services, entry.caller.actor, entry.practitioner,
                            max(1, min(reached, LAST)), data)
    entry.draft = await run_in_threadpool(_load, entry.services, entry.caller.actor)


def _forget(services: Services, person: str) -> None:
    with services.db.write() as conn:
        entry_drafts.delete(conn, person)


async def forget(entry: Entry) -> None:
    await run_in_threadpool(_forget, entry.services, entry.caller.actor)
    entry.draft = None


def step_errors(data: Data, step: int) -> list[tuple[str, str]]:
    """(field id, message) of the step's fields, in the order they were found."""
    return [(field_id, text) for field_id, text in data.get("errors", {}).items()
            if ids.step_of(field_id) == step]


def step_notices(data: Data, step: int) -> list[tuple[str, str]]:
    """(field id, text) of the quality warnings on the step's fields (« à vérifier »)."""
    return [(field_id, text) for field_id, text in data.get("notices", {}).items()
            if field_id and ids.step_of(field_id) == step]


def _checked(data: Data, query: Any) -> tuple[int, list[tuple[str, str]]]:
    """After a step was saved (``?verifier=N``): that step and its warnings."""
    raw = str(query.get("verifier", "")) if query is not None else ""
    n = int(raw) if raw.isdigit() and 1 <= int(raw) <= LAST else 0
    return n, step_notices(data, n) if n and data else []


def show(request: Request, entry: Entry, step: int, template: str, status: int = 200,
         **context: Any) -> Response:
    """A step's page: progress, the step's errors and warnings, the templates it follows,
    and what its template needs."""
    data = entry.data if entry.draft is not None else {}
    checked, checked_notes = _checked(data, context.get("query"))
    return page(request, f"saisie/{template}", status, steps=STEPS, step=step,
                reached=max(entry.reached, step), last=LAST, step_path=step_path,
                errors=dict(step_errors(data, step)) if data else {},
                summary=step_errors(data, step) if data else [],
                notes=dict(step_notices(data, step)) if data else {},
                checked=checked, checked_notes=checked_notes,
                forms=template_use.forms(data) if data else None,
                alert=status == 400, data=data, fields=fields, ids=ids, rows=rows,
                choices=choices, lists=choices.lists(entry.services.terminology),
                saved_at=paris(entry.draft.updated_at) if entry.draft else "",
                label_of=lambda field_id: labels.describe(data, field_id),
                **context)
