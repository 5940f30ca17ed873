"""Writing a draft through the write path, all or nothing: each offer and each place the
person may change, built from its version as it stands now and the fields they changed.

- A field the person did not change keeps what is stored now, even if it changed since
  the draft began. A field they changed that was also changed meanwhile is a conflict,
  shown next to the field (« modifié entre-temps »), and nothing is written.
- Every resource goes through ``WritePath.commit_version`` as the professional: the same
  authorisation, validation and checks as the API. Their errors are collected resource by
  resource (each in a savepoint) and mapped to the fields they came from.
- ``commit=False`` runs the same writes and rolls them back: the check of a step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlalchemy as sa

from openror.access.caller import Caller
from openror.errors import Issue, OpenRORError
from openror.services.batch import Batch
from openror.services.container import Services
from openror.services.writes import resource_type
from openror.store import deferred
from openror.store.deadlocks import retried
from openror.store.feed import LogEntry
from openror.store.resources import StoredResource, read_current
from openror.web import field_notes, template_forms
from openror.web.entry import additions, build, draft, ids, locate, messages, template_use
from openror.web.entry import fields as f
from openror.web.entry import values as v

#: offer fields the entry writes (care_mode is preset and read-only)
OFFER_KEYS = ("name", "activity", "acts", "outside_acts", "competences", "expertise",
              "publics", "age_min", "age_max", "comment", "modalities", "zone", "contacts",
              "mss", "hours", "closure_start", "closure_end")
PLACE_KEYS = ("line", "postal", "city", "description", "equipment")
CHANGED_MEANWHILE = ("Modifié entre-temps par quelqu'un d'autre (valeur actuelle : {now}) : "
                     "vérifiez et saisissez de nouveau votre valeur si elle doit la remplacer.")


@dataclass
class Outcome:
    errors: dict[str, str] = field(default_factory=dict)  # field id -> French message
    notices: list[tuple[str, str]] = field(default_factory=list)  # warnings (field id, text)
    written: list[str] = field(default_factory=list)  # "Type/id/_history/n"
    unchanged: list[str] = field(default_factory=list)


class _RollBack(Exception):
    pass


@retried  # several resources: may be aborted to break a deadlock (store.deadlocks)
def attempt(services: Services, caller: Caller, data: draft.Data, *, commit: bool
            ) -> Outcome:
    outcome = Outcome()
    log = LogEntry(actor=caller.actor, reason="saisie guidée", provenance="professional")
    try:
        with services.db.write() as conn:
            batch = Batch(services.writes, conn, log, caller=caller)
            for m, entry in enumerate(data["places"]):  # new places first: offers use them
                if entry.get("new"):
                    _new_place(services, conn, batch, data, m, entry, outcome)
            for i, entry in enumerate(data["offers"]):
                if entry.get("new"):
                    _new_offer(services, conn, batch, data, i, entry, outcome)
                else:
                    _offer(services, conn, batch, data, i, entry["id"], outcome)
            for m, entry in enumerate(data["places"]):
                if entry["editable"] and not entry.get("new"):
                    _place(services, conn, batch, data, m, entry["id"], outcome)
            if not outcome.errors:  # what the write path checks at commit, told now
                _settle(conn, data, outcome)
            if outcome.errors or not commit:
                raise _RollBack
    except _RollBack:
        if commit:
            outcome.written.clear()
    return outcome


def _current(conn: sa.Connection, rtype: str, rid: str) -> StoredResource | None:
    found = read_current(conn, rtype, rid, for_update=True)
    return None if found is None or found.deleted or found.content is None else found


def _offer(services: Services, conn: sa.Connection, batch: Batch, data: draft.Data, i: int,
           rid: str, outcome: Outcome) -> None:
    stored = _current(conn, "HealthcareService", rid)
    if stored is None:
        outcome.errors[ids.offer(i, "name")] = messages.REFUSED[404] + \
            "l'offre a été supprimée ou fermée ; recommencez la saisie."
        return
    assert stored.content is not None
    current = orjson.loads(stored.content)
    now, base = v.offer_values(current), data["base"][f"o:{rid}"]
    site = next(o["site"] for o in data["offers"] if o["id"] == rid)
    k = draft.site_index(data, site)
    wanted, site_base = draft.offer_values(data, rid), data["base"][f"s:{site}"]
    effective, changed = dict(now), set[str]()
    for key in OFFER_KEYS:
        before = site_base[key] if key in draft.SITE_KEYS else base[key]
        if wanted[key] == before:
            continue
        if now[key] != base[key]:
            outcome.errors[_field_of(key, i, k)] = CHANGED_MEANWHILE.format(
                now=_shown(now[key]))
        effective[key], changed = wanted[key], changed | {key}
    if changed & {"modalities", "zone"} and f.HOME_VISIT not in effective["modalities"] \
            and effective["zone"]:
        effective["zone"], changed = [], changed | {"zone"}
    diffusion = data["values"]["g"]["diffusion"]
    body = build.build_offer(current, effective, changed, services.terminology, diffusion,
                             diffusion != data["base"]["g"]["diffusion"])
    body = _with_places(body, data["offers"][i].get("added_places") or [])
    used = template_use.forms(data).used(rid)
    if used is not None and body != current:  # the template it was entered with
        body = template_forms.stamp(body, used.canonical)
    _write(services, conn, batch, stored, body, locate.offer_locator(body, i, k), outcome)


def _with_places(body: dict[str, Any], places: list[str]) -> dict[str, Any]:
    """The offer with the places added to it in this entry (« Ajouter un lieu »)."""
    held = {str(x.get("reference")) for x in body.get("location") or []
            if isinstance(x, dict)}
    added = [{"reference": f"Location/{x}"} for x in places if f"Location/{x}" not in held]
    return {**body, "location": [*(body.get("location") or []), *added]} if added else body


def _new_offer(services: Services, conn: sa.Connection, batch: Batch, data: draft.Data,
               i: int, entry: dict[str, Any], outcome: Outcome) -> None:
    """An offer added in this entry, with the person's role in it, in this transaction."""
    rid = entry["id"]
    k = draft.site_index(data, entry["site"])
    base, site_base = data["base"][f"o:{rid}"], data["base"][f"s:{entry['site']}"]
    wanted = draft.offer_values(data, rid)
    changed = {key for key in OFFER_KEYS
               if wanted[key] != (site_base[key] if key in draft.SITE_KEYS else base[key])}
    effective = {**base, **{key: wanted[key] for key in changed}}
    if f.HOME_VISIT not in effective["modalities"] and effective["zone"]:
        effective["zone"] = []
    diffusion = data["values"]["g"]["diffusion"]
    skeleton = additions.skeleton_offer(rid, entry["provider"], entry["care"])
    body = build.build_offer(skeleton, effective, changed, services.terminology, diffusion,
                             diffusion != "oui")
    body = _with_places(body, entry.get("added_places") or [])
    used = template_use.forms(data).used(rid)
    if used is not None:
        body = template_forms.stamp(body, used.canonical)
    where = locate.offer_locator(body, i, k)
    if not _create(services, conn, batch, body, where, outcome):
        return
    role = additions.new_role(entry, data["practitioner"], entry.get("added_places") or [])
    _create(services, conn, batch, role, locate.Locator(default=ids.offer(i, "name")), outcome)


def _new_place(services: Services, conn: sa.Connection, batch: Batch, data: draft.Data,
               m: int, entry: dict[str, Any], outcome: Outcome) -> None:
    rid = entry["id"]
    skeleton = additions.skeleton_place(rid, entry.get("name") or entry["title"],
                                        entry.get("provider"))
    base, wanted = data["base"][f"p:{rid}"], data["values"][f"p:{rid}"]
    # a new place: its address always (validation says what is missing), the rest if typed
    changed = {key for key in PLACE_KEYS if wanted[key] != base[key]} | {"line", "postal",
                                                                          "city"}
    body = build.build_place(skeleton, wanted, changed)
    _create(services, conn, batch, body, locate.place_locator(body, m), outcome)


def _create(services: Services, conn: sa.Connection, batch: Batch, body: dict[str, Any],
            where: locate.Locator, outcome: Outcome) -> bool:
    """Create ``body`` (a new offer, its role, a new place); False when refused."""
    rtype, rid = body["resourceType"], body["id"]
    try:
        with batch.savepoint():
            result = services.writes.commit_version(
                conn, resource_type(rtype, "create"), rid, None, body, "create", batch.log,
                caller=batch.caller)
    except OpenRORError as exc:
        for issue in exc.issues:
            if issue.is_error:
                _place_error(outcome, where, issue, exc.status)
        return False
    for note in field_notes.notes(result.warnings):
        target = where.find(note.expression) if note.expression else where.default
        outcome.notices.append((target or "", note.text))
    outcome.written.append(f"{rtype}/{rid}/_history/{result.stored.version}")
    return True


def _settle(conn: sa.Connection, data: draft.Data, outcome: Outcome) -> None:
    """The write path's checks at commit (a new offer with the person's role in it, a new
    place used by their offers only), shown next to the new offer or place they concern."""
    try:
        deferred.settle(conn)
    except OpenRORError as exc:
        new = [ids.offer(i, "name") for i, o in enumerate(data["offers"]) if o.get("new")]
        new += [ids.place(m, "line") for m, p in enumerate(data["places"]) if p.get("new")]
        target = new[0] if new else ""
        for issue in exc.issues:
            if issue.is_error:
                outcome.errors[target] = messages.message(target, issue, exc.status)


def _field_of(key: str, i: int, k: int) -> str:
    if key in ("contacts", "mss"):
        return ids.site(k, key) if key == "mss" else ids.contact(k, 0, "value")
    if key == "hours":
        return ids.hour(i, 0, "start")
    if key in ("acts", "outside_acts", "competences", "zone"):
        return ids.offer_row(i, key, 0)
    return ids.offer(i, key)


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return f"{len(value)} ligne(s)" if value and isinstance(value[0], dict) else \
            ", ".join(str(x) for x in value) or "vide"
    return str(value) or "vide"


def _place(services: Services, conn: sa.Connection, batch: Batch, data: draft.Data, m: int,
           rid: str, outcome: Outcome) -> None:
    stored = _current(conn, "Location", rid)
    if stored is None:
        outcome.errors[ids.place(m, "line")] = messages.REFUSED[404] + "ce lieu a été supprimé."
        return
    assert stored.content is not None
    current = orjson.loads(stored.content)
    now, base = v.place_values(current), data["base"][f"p:{rid}"]
    wanted = data["values"][f"p:{rid}"]
    effective, changed = dict(now), set[str]()
    for key in PLACE_KEYS:
        if wanted[key] == base[key]:
            continue
        if now[key] != base[key]:
            outcome.errors[ids.place(m, key)] = CHANGED_MEANWHILE.format(now=_shown(now[key]))
        effective[key], changed = wanted[key], changed | {key}
    if changed & {"line", "postal", "city"}:  # the address is one element: all its parts
        changed |= {"line", "postal", "city"}
        for key in ("line", "postal", "city"):
            effective[key] = wanted[key]
    body = build.build_place(current, effective, changed)
    _write(services, conn, batch, stored, body, locate.place_locator(body, m), outcome)


def _write(services: Services, conn: sa.Connection, batch: Batch, stored: StoredResource,
           body: dict[str, Any], where: locate.Locator, outcome: Outcome) -> None:
    """Write ``body`` unless it is the stored one (a resource the person left as it was is
    not written, so it needs no right)."""
    ref = f"{stored.type}/{stored.id}"
    assert stored.content is not None
    if body == orjson.loads(stored.content):
        outcome.unchanged.append(ref)
        return
    writes = services.writes
    try:
        with batch.savepoint():
            result = writes.commit_version(conn, resource_type(stored.type, "update"),
                                           stored.id, stored, body, "update", batch.log,
                                           caller=batch.caller)
    except OpenRORError as exc:
        for issue in exc.issues:
            if issue.is_error:
                _place_error(outcome, where, issue, exc.status)
        return
    for note in field_notes.notes(result.warnings):  # « à vérifier », next to the field
        target = where.find(note.expression) if note.expression else where.default
        outcome.notices.append((target or "", note.text))
    if result.unchanged:
        outcome.unchanged.append(ref)
    else:
        outcome.written.append(f"{ref}/_history/{result.stored.version}")


def _place_error(outcome: Outcome, where: locate.Locator, issue: Issue, status: int) -> None:
    target = where.find(issue.expression[0]) if issue.expression else where.default
    target = target or ""
    if target in outcome.errors:  # one advice per field, every detail
        outcome.errors[target] = messages.add_detail(outcome.errors[target], issue)
    else:
        outcome.errors[target] = messages.message(target, issue, status)
