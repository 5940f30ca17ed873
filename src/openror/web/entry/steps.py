"""The pages of steps 1 to 6 (``/saisie/etape-N``): show a step from the draft; save what
was posted, check it with the write path (a rolled-back write), and go on — or stay and
show what to correct, next to each field."""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from openror.errors import InvalidInput, error
from openror.web import field_notes
from openror.web.entry import (
    additions,
    choices,
    ids,
    merge,
    review,
    rows,
    session,
    step_contacts,
    step_hours,
    step_offers,
    step_places,
    step_registry,
    template_use,
)
from openror.web.entry.practice import read_practice
from openror.web.entry.session import Entry, entry_of, show, step_path
from openror.web.forms import checked_form
from openror.web.pages import logged_in
from openror.web.render import redirect

PARSERS: dict[int, ModuleType] = {2: step_offers, 3: step_places, 4: step_contacts,
                                  5: step_hours}
TEMPLATES = {n: f"etape{n}.html" for n in range(1, session.LAST + 1)}


def _step(request: Request) -> int:
    raw = str(request.path_params["n"])
    if not raw.isdigit() or not 1 <= int(raw) <= session.LAST:
        raise InvalidInput([error("invalid", "Cette étape n'existe pas.")])
    return int(raw)


async def render(request: Request, entry: Entry, n: int, status: int = 200,
                 **context: Any) -> Response:
    """Step ``n`` as the draft holds it (and, for step 1, the registries say)."""
    if n == 1:
        practice = await run_in_threadpool(read_practice, entry.services, entry.caller)
        terminology = entry.services.terminology
        context = {"items": step_registry.items(practice, terminology),
                   "memberships": step_registry.memberships(practice), "opened": "",
                   "form_errors": {}, **context}
    if n in (2, 3):
        context = {**_choices(entry), **context}
    if n == 5:
        context = {"french_date": step_hours.french_date, **context}
    if n == 3:
        context["communes"] = choices.communes_of(step_places.departements(entry.data))
    if n == 6:
        context = {**await _review(entry, context.get("outcome")), **context}
    return show(request, entry, n, TEMPLATES[n], status, query=request.query_params,
                **context)


def _choices(entry: Entry) -> dict[str, Any]:
    """Helpers of steps 2 and 3: rows of codes shown as labels, and the checkboxes."""
    data, lists = entry.data, choices.lists(entry.services.terminology)

    def shown_codes(known: list[choices.Choice], codes: list[str], group: str) -> list[str]:
        return rows.shown([choices.label_of(known, code) for code in codes], data, group, "")

    def offered(found: list[str], known: list[choices.Choice]) -> list[choices.Choice]:
        by_code = {x.code: x for x in known}
        return [by_code.get(code, choices.Choice(code, code)) for code in found]

    def public_choices(rid: str) -> list[choices.Choice]:
        stored = data["base"][f"o:{rid}"]["publics"]
        return offered(step_offers.publics(lists, stored), lists.publics)

    def modality_choices(rid: str) -> list[choices.Choice]:
        stored = data["base"][f"o:{rid}"]["modalities"]
        return offered(step_places.modalities(lists, stored), lists.modalities)

    def zone_rows(rid: str, group: str) -> list[str]:
        codes = data["values"][f"o:{rid}"]["zone"]
        return rows.shown([choices.commune_typed(code) for code in codes], data, group, "")

    practice_choices = [choices.Choice(x["id"], x["title"]) for x in data.get("practices", [])]
    offer_choices = [choices.Choice(o["id"], o["title"]) for o in data["offers"]]
    return {"practice_choices": practice_choices, "offer_choices": offer_choices,
            "shown_codes": shown_codes, "public_choices": public_choices,
            "modality_choices": modality_choices, "zone_rows": zone_rows,
            "commune": step_places.commune}


async def _review(entry: Entry, outcome: merge.Outcome | None) -> dict[str, Any]:
    """Step 6: everything in words, and a check of the whole draft by the write path."""
    if outcome is None:
        outcome = await run_in_threadpool(merge.attempt, entry.services, entry.caller,
                                          entry.data, commit=False)
        outcome.errors.update(template_use.missing(entry.data))
    lists = choices.lists(entry.services.terminology)
    return {"outcome": outcome, "sections": review.sections(entry.data, lists),
            "accessibility": review.accessibility_changes(entry.data), "step_of": ids.step_of}


@logged_in
async def step_page(request: Request) -> Response:
    entry = await entry_of(request)
    n = _step(request)
    if entry.draft is None:
        return redirect(session.HOME)
    if n > entry.reached:
        return redirect(step_path(entry.reached))
    return await render(request, entry, n)


async def _stay_or_go_back(entry: Entry, n: int, action: str, module: ModuleType | None
                          ) -> Response | None:
    """« Ajouter des lignes », « Étape précédente », « Enregistrer le brouillon »: save the
    draft as it is and say where to go; None for « Enregistrer et continuer »."""
    data = entry.data
    if action.startswith("ajouter:") and module is not None:
        group = action.partition(":")[2]
        if group in module.groups(data):
            rows.add(data, group)
        await session.save(entry, data, entry.reached)
        return redirect(f"{step_path(n)}#{group}")
    if action == "precedent":
        await session.save(entry, data, entry.reached)
        return redirect(step_path(max(n - 1, 1)))
    if action == "brouillon":
        await session.save(entry, data, entry.reached)
        return redirect(f"{step_path(n)}?enregistre=1")
    return None


@logged_in
async def step_save(request: Request) -> Response:
    form = await checked_form(request)
    entry = await entry_of(request)
    n = _step(request)
    if entry.draft is None:
        return redirect(session.HOME)
    if n > entry.reached:  # a step is saved once reached, in order
        return redirect(step_path(entry.reached))
    data, action = entry.data, form.get("action", "suivant")
    module = PARSERS.get(n)
    before = copy.deepcopy(data["values"])
    added: dict[str, str] | None = None
    if module is not None:
        lists = choices.lists(entry.services.terminology)
        module.parse(form, data, lists)
        template_use.keep_unasked(data, before)
        added = _add(form, data, lists, n, action)
        outcome = await run_in_threadpool(merge.attempt, entry.services, entry.caller, data,
                                          commit=False)
        # the template's « obligatoire » first, told by the form; the API's rules besides
        data["errors"] = {**outcome.errors, **template_use.missing(data, n), **(added or {})}
        data["notices"] = field_notes.joined(outcome.notices)
    moved = await _show_added(request, entry, n, added) if added is not None else \
        await _stay_or_go_back(entry, n, action, module)
    if moved is not None:
        return moved
    appeared = template_use.newly_enabled(data, before, n) if module is not None else []
    if appeared and action == "suivant":  # fields that now apply: fill them in first
        await session.save(entry, data, entry.reached)
        return redirect(f"{step_path(n)}?completer=1#{appeared[0]}")
    if session.step_errors(data, n):
        await session.save(entry, data, entry.reached)
        return await render(request, entry, n, 400)
    await session.save(entry, data, max(entry.reached, n + 1))
    checked = f"?verifier={n}" if session.step_notices(data, n) else ""
    return redirect(step_path(min(n + 1, session.LAST)) + checked)


def _add(form: dict[str, str], data: dict[str, Any], lists: choices.Lists, n: int,
         action: str) -> dict[str, str] | None:
    """« Ajouter une offre » (step 2), « Ajouter un lieu » (step 3): the errors of the small
    form (empty: added); None for any other action."""
    if n == step_offers.STEP and action == additions.ADD_OFFER:
        return additions.add_offer(form, data, lists)
    if n == step_places.STEP and action == additions.ADD_PLACE:
        return additions.add_place(form, data)
    return None


async def _show_added(request: Request, entry: Entry, n: int, added: dict[str, str]
                      ) -> Response:
    """After « Ajouter une offre / un lieu »: the step again, at the new offer or place (or
    with what to correct in the small form)."""
    data = entry.data
    if not added:  # a new offer or place is empty yet: no « obligatoire » before it is seen
        anchor = _added_anchor(data, n)
        prefix = ("o" if n == step_offers.STEP else "p") + anchor.rsplit("-", 1)[1] + "-"
        data["errors"] = {k: t for k, t in data["errors"].items() if not k.startswith(prefix)}
    await session.save(entry, data, entry.reached)
    if added:
        return await render(request, entry, n, 400)
    return redirect(f"{step_path(n)}#{_added_anchor(data, n)}")


def _added_anchor(data: dict[str, Any], n: int) -> str:
    if n == step_offers.STEP:
        return f"offre-{len(data['offers']) - 1}"
    return f"lieu-{len(data['places']) - 1}"
