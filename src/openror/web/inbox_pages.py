"""The inbox of anomalies: ``/qualite/anomalies`` (quality.inbox does the work).

An owner of the data (professional, referent) answers their open anomalies one by one; a
regional operator or an administrator triages the anomalies of their regions with filters
and changes the status of many at once. A change is posted to the same address (with the
filters in its query) and the page comes back with what was done, Task by Task. Under an
owner's anomalies, « À compléter » lists what the last quality run found missing in their
establishments (quality.todo)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.access.caller import Caller
from openror.geo import current_gazetteer
from openror.quality import catalog, inbox, todo
from openror.quality import workflow as w
from openror.quality.model import THEMES
from openror.services.container import Services
from openror.services.ownership import OWNERSHIP
from openror.services.task_changes import PersonTaskChanges
from openror.web import quality_links
from openror.web import quality_views as views
from openror.web.forms import checked_form
from openror.web.moments import paris
from openror.web.pages import logged_in
from openror.web.render import caller_of, page

PATH = "/qualite/anomalies"


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _departements(caller: Caller) -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in current_gazetteer().rows.departements
            if not caller.regions or d.region in caller.regions]


def _list(services: Services, caller: Caller, mode: str, params: dict[str, str]
          ) -> tuple[inbox.Inbox, todo.Todo | None, frozenset[str]]:
    """The anomalies; for an owner, also what their establishments have to complete; and
    the units among them the person may edit (their links open the editor)."""
    if mode == inbox.OWNER:
        found, to_complete = (inbox.owner_inbox(services.db, caller),
                              todo.owner_todo(services.db, caller, OWNERSHIP))
    else:
        found = inbox.triage_inbox(services.db, caller, inbox.parse_filter(params))
        to_complete = None
    units = [item.unit for item in found.items]
    if to_complete is not None:
        units += [e.unit for site in to_complete.sites for rule in site.rules
                  for e in rule.entries]
    return found, to_complete, quality_links.editable(services.db, caller, units)


async def _show(request: Request, status: int = 200, **context: Any) -> Response:
    caller = caller_of(request)
    mode = inbox.may_use_inbox(caller)
    params = dict(request.query_params)
    found, to_complete, editable = await run_in_threadpool(_list, _services(request), caller,
                                                           mode, params)
    defaults: dict[str, Any] = {"errors": {}, "form": {}, "outcomes": []}
    return page(request, "anomalies.html", status, box=found, todo=to_complete, mode=mode,
                params=params, views=views, statuses=w.STATUSES, targets=inbox.TRIAGE_TARGETS,
                needs_reason=w.NEEDS_REASON, themes=THEMES, rules=catalog.rules(),
                departements=_departements(caller), query=request.url.query, paris=paris,
                editable=editable,
                **{**defaults, **context})


@logged_in
async def inbox_page(request: Request) -> Response:
    return await _show(request)


@logged_in
async def change(request: Request) -> Response:
    form = await checked_form(request)
    caller = caller_of(request)
    inbox.may_use_inbox(caller)
    asked, errors = inbox.parse_request(form)
    if asked is None:
        return await _show(request, 400, errors=errors, form=form)
    changes = PersonTaskChanges(_services(request).writes, caller, "corbeille des anomalies")
    outcomes = await run_in_threadpool(inbox.change, changes, asked.tasks, asked.to,
                                       asked.reason)
    return await _show(request, 200, outcomes=outcomes)


ROUTES = [Route(PATH, inbox_page, methods=["GET"]),
          Route(PATH, change, methods=["POST"])]
