"""« Valider » (step 6): write the draft through the write path as the professional, all
or nothing. Refused: each error next to its field, on the step it belongs to, and a
summary by step. Written: the draft is done with; what changed is listed with its link to
the API, and the offers are marked as confirmed today (« tout est à jour »)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from openror.errors import OpenRORError
from openror.quality.freshness import Freshness
from openror.services.ownership import OWNERSHIP
from openror.store.resources import utcnow
from openror.web import field_notes
from openror.web.entry import choices, labels, merge, report, session, template_use
from openror.web.entry.draft import Data
from openror.web.entry.practice import read_practice
from openror.web.entry.session import Entry, entry_of
from openror.web.entry.steps import render
from openror.web.forms import checked_form
from openror.web.pages import logged_in
from openror.web.render import page, redirect


@logged_in
async def validate(request: Request) -> Response:
    await checked_form(request)
    entry = await entry_of(request)
    if entry.draft is None:
        return redirect(session.HOME)
    data = entry.data
    required = template_use.missing(data)  # the form's own check: publish nothing then
    outcome = await run_in_threadpool(merge.attempt, entry.services, entry.caller, data,
                                      commit=not required)
    outcome.errors.update(required)
    if outcome.errors:
        data["errors"] = outcome.errors
        await session.save(entry, data, session.LAST)
        return await render(request, entry, session.LAST, 400, outcome=outcome)
    proposals = await run_in_threadpool(_after, entry, data)
    await session.forget(entry)
    titles = {f"HealthcareService/{o['id']}": o["title"] for o in data["offers"]}
    titles.update({f"Location/{p['id']}": f"Lieu : {p['title']}" for p in data["places"]})
    notices = [(labels.describe(data, field_id) if field_id else "", text)
               for field_id, text in field_notes.joined(outcome.notices).items()]
    return page(request, "saisie/terminee.html", outcome=outcome, proposals=proposals,
                titles=titles, notices=notices)


def _after(entry: Entry, data: Data) -> int:
    """What follows a validation: the accessibility proposals for the operator, and the
    offers confirmed as up to date. Returns the number of proposals."""
    services, caller = entry.services, entry.caller
    practice = read_practice(services, caller)
    lists = {c.code: c.label for c in choices.lists(services.terminology).accessibility}
    proposed = 0
    for place in data["places"]:
        wanted = data["values"][f"p:{place['id']}"]["accessibility"]
        if wanted and wanted != data["base"][f"p:{place['id']}"]["accessibility"] \
                and place.get("provider"):
            report.propose_accessibility(services, caller, practice.practitioner,
                                         place["provider"], wanted, lists.get(wanted, wanted),
                                         utcnow())
            proposed += 1
    freshness = Freshness(services.db, OWNERSHIP)
    for offer in data["offers"]:
        try:
            freshness.confirm(f"HealthcareService/{offer['id']}", caller)
        except OpenRORError:
            continue  # an offer the person may no longer confirm: the write said so already
    return proposed
