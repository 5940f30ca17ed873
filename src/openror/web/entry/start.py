"""``/saisie``: start the entry from what the directory holds, or resume the draft
(« Reprendre ma saisie »), or start again."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from openror.web.entry import additions, draft, session, template_use
from openror.web.entry.practice import read_practice
from openror.web.entry.session import entry_of
from openror.web.forms import checked_form
from openror.web.moments import paris
from openror.web.pages import logged_in
from openror.web.render import page, redirect


@logged_in
async def home(request: Request) -> Response:
    entry = await entry_of(request)
    practice = await run_in_threadpool(read_practice, entry.services, entry.caller)
    mine = [o for o in practice.offers if o.editable]
    return page(request, "saisie/accueil.html", found=entry.draft,
                step_name=session.STEPS[entry.reached - 1] if entry.draft else "",
                resume=session.step_path(entry.reached) if entry.draft else "",
                saved_at=paris(entry.draft.updated_at) if entry.draft else "",
                offers=len(mine), places=len({p.rid for p in practice.places}),
                last=session.LAST, steps=session.STEPS)


@logged_in
async def begin(request: Request) -> Response:
    """Start (or start again): a new draft from the directory as it is now."""
    await checked_form(request)
    entry = await entry_of(request)
    practice = await run_in_threadpool(read_practice, entry.services, entry.caller)
    data = draft.start(practice, entry.services.terminology)
    data["practices"] = additions.practices(practice)
    await run_in_threadpool(template_use.choose_all, entry.services, practice, data)
    template_use.prefill(data)
    await session.save(entry, data, 1)
    return redirect(session.step_path(1))
