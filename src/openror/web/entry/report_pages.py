"""Step 1's forms: « Signaler une erreur » on an item of the registries, and « Déclarer une
appartenance » to a maison de santé or a centre de santé (web.entry.report)."""

from __future__ import annotations

from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from openror.errors import InvalidInput, error
from openror.store.resources import utcnow
from openror.web.entry import report, session, step_registry
from openror.web.entry.practice import read_practice
from openror.web.entry.session import Entry, entry_of
from openror.web.entry.steps import render
from openror.web.forms import checked_form
from openror.web.pages import logged_in
from openror.web.render import redirect

KINDS = {"maison": "maison de santé", "centre": "centre de santé"}


async def _noted(entry: Entry, what: str, task: str, now: datetime) -> None:
    if entry.draft is not None:
        data = entry.data
        data.setdefault("reported", []).append({"item": what, "task": task,
                                                "at": now.isoformat()})
        await session.save(entry, data, entry.reached)


@logged_in
async def signal(request: Request) -> Response:
    form = await checked_form(request)
    entry = await entry_of(request)
    key, comment = form.get("element", ""), form.get("commentaire", "").strip()
    practice = await run_in_threadpool(read_practice, entry.services, entry.caller)
    items = {i.key: i for i in step_registry.items(practice, entry.services.terminology)}
    item = items.get(key)
    if item is None:
        raise InvalidInput([error("invalid", "Cet élément n'est pas l'une de vos données.")])
    if not comment or len(comment) > 2000:
        return await render(request, entry, 1, 400, opened=key, form_errors={
            f"commentaire-{key}": "Dites en quelques mots ce qui est faux et, si vous le "
                                  "savez, la bonne valeur (2 000 caractères au plus)."})
    now = utcnow()
    task = await run_in_threadpool(report.report, entry.services, entry.caller,
                                   practice.practitioner, item, comment, now)
    await _noted(entry, key, task, now)
    return redirect(f"{session.step_path(1)}?signale={key}#element-{key}")


@logged_in
async def declare(request: Request) -> Response:
    form = await checked_form(request)
    entry = await entry_of(request)
    kind, name = form.get("type", ""), form.get("nom", "").strip()
    errors = {}
    if kind not in KINDS:
        errors["appartenance-type"] = "Choisissez maison de santé ou centre de santé."
    if not name or len(name) > 200:
        errors["appartenance-nom"] = "Indiquez le nom de la structure."
    if errors:
        return await render(request, entry, 1, 400, opened="appartenance",
                            form_errors=errors, typed=form)
    practice = await run_in_threadpool(read_practice, entry.services, entry.caller)
    now = utcnow()
    task = await run_in_threadpool(
        report.declare_membership, entry.services, entry.caller, practice.practitioner,
        KINDS[kind], name, form.get("commune", "").strip()[:200],
        form.get("commentaire", "").strip()[:2000], now)
    await _noted(entry, "appartenance", task, now)
    return redirect(f"{session.step_path(1)}?declare=1#appartenance")
