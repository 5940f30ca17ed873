"""Closing several offers at once: each offer is written through the write path in its own
transaction, at the version the person saw (``If-Match``), so that each one is closed
entirely or not at all, and a refusal — changed meanwhile, out of scope, invalid — is told
for that offer alone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import orjson

from openror.access.caller import Caller
from openror.errors import (
    Forbidden,
    Gone,
    InvalidInput,
    Issue,
    NotFound,
    PreconditionFailed,
    Unauthorized,
)
from openror.services.container import Services
from openror.web.editor import access, history, messages, offer_form
from openror.web.editor.model import Field

PREFIX = "choix-"


@dataclass(frozen=True)
class Closure:
    kind: str  # PRO or DEF (TRE_R286)
    start: str  # ISO date
    end: str  # ISO date or ""

    @property
    def text(self) -> str:
        """« fermeture provisoire à partir du 20/11/2026, réouverture prévue le … »."""
        kind = "provisoire" if self.kind == offer_form.PROVISIONAL else "définitive"
        until = f", réouverture prévue le {_french(self.end)}" if self.end else ""
        return f"fermeture {kind} à partir du {_french(self.start)}{until}"


@dataclass(frozen=True)
class Chosen:
    id: str
    version: int
    name: str = ""
    status: str = ""
    editable: bool = True


@dataclass(frozen=True)
class Result:
    offer: Chosen
    closed: bool
    text: str


def chosen(params: Mapping[str, str]) -> dict[str, int]:
    """offer id -> the version the person saw, from the ``choix-<id>`` boxes."""
    return {k.removeprefix(PREFIX): int(v) for k, v in params.items()
            if k.startswith(PREFIX) and v.isdigit()}


def read_closure(form: Mapping[str, str]) -> tuple[Closure | None, dict[str, str]]:
    """The closure asked, or the errors of its fields (a closure needs a kind and a date)."""
    kind = form.get("fermeture_type", "").strip()
    start = form.get("fermeture_debut", "").strip()
    end = form.get("fermeture_fin", "").strip()
    errors = {}
    if kind not in (offer_form.PROVISIONAL, offer_form.DEFINITIVE):
        errors["fermeture_type"] = "Choisissez une fermeture provisoire ou définitive."
    if not _is_date(start):
        errors["fermeture_debut"] = "Indiquez la date de fermeture (jj/mm/aaaa)."
    if end and not _is_date(end):
        errors["fermeture_fin"] = "Indiquez la date de réouverture prévue (jj/mm/aaaa), ou " \
                                  "laissez le champ vide."
    elif end and kind == offer_form.DEFINITIVE:
        errors["fermeture_fin"] = "Une fermeture définitive n'a pas de date de réouverture."
    elif end and _is_date(start) and end <= start:
        errors["fermeture_fin"] = "La réouverture doit suivre la date de fermeture."
    return (None if errors else Closure(kind, start, end)), errors


def _french(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def describe(services: Services, caller: Caller, wanted: dict[str, int]) -> list[Chosen]:
    """The chosen offers, with their name and state now, and whether the person may close
    each one."""
    found = []
    with services.db.read() as conn:
        for rid, version in wanted.items():
            try:
                stored = access.stored(conn, "HealthcareService", rid)
            except NotFound:
                found.append(Chosen(rid, version, rid, "n'existe plus", False))
                continue
            editable = access.may_edit(conn, caller, "HealthcareService", rid)
            if not editable and services.reader.seen_now("HealthcareService", rid, caller,
                                                         conn) is None:
                found.append(Chosen(rid, version, rid, "inaccessible", False))
                continue  # what the person may not read is not named
            assert stored.content is not None
            body = orjson.loads(stored.content)
            found.append(Chosen(rid, version, str(body.get("name") or rid),
                                offer_form.status(body, date.today()).text, editable))
    return sorted(found, key=lambda c: (c.name.lower(), c.id))


def close_all(services: Services, caller: Caller, offers: list[Chosen], closure: Closure
              ) -> list[Result]:
    return [close_one(services, caller, offer, closure) for offer in offers]


def close_one(services: Services, caller: Caller, offer: Chosen, closure: Closure) -> Result:
    new_body: dict[str, object] = {}
    try:
        with services.db.read_primary() as conn:  # written back: see editor.saving.update
            _, body = access.require_edit(conn, caller, "HealthcareService", offer.id)
        values = offer_form.values_of(body)
        values.update({"fermeture_type": closure.kind, "fermeture_debut": closure.start,
                       "fermeture_fin": closure.end})
        new_body, _ = offer_form.apply(body, values)
        services.writes.update("HealthcareService", offer.id, new_body,
                               access.log(caller, "éditeur établissement : fermeture "
                                                  "de plusieurs offres"),
                               f'W/"{offer.version}"', caller=caller)
    except PreconditionFailed:
        return Result(offer, False, _meanwhile(services, offer))
    except (Forbidden, Unauthorized):
        return Result(offer, False, "non fermée : vous n'avez pas le droit de modifier "
                                    "cette offre.")
    except (NotFound, Gone):
        return Result(offer, False, "non fermée : cette offre n'existe plus.")
    except InvalidInput as exc:
        where = offer_form.locate(new_body)
        told = [messages.message(i, _field(i, where)) for i in exc.issues if i.is_error]
        return Result(offer, False, "non fermée : " + " ; ".join(told) +
                      " Ouvrez l'offre pour la corriger.")
    return Result(offer, True, f"fermée : {closure.text}.")


def _field(issue: Issue, where: list[tuple[str, str]]) -> Field | None:
    name = next((n for e in issue.expression
                 if (n := messages.field_of(e, where, offer_form.HINTS))), None)
    return offer_form.BY_NAME.get(name) if name else None


def _meanwhile(services: Services, offer: Chosen) -> str:
    with services.db.read_primary() as conn:  # the changes the failed write ran into
        entries = history.entries(conn, history.OFFER, offer.id, services.terminology,
                                  after_version=offer.version)
    if not entries:
        return "non fermée : modifiée entre-temps — rouvrez la liste et recommencez."
    actors = ", ".join(dict.fromkeys(e.actor for e in entries))
    changed = sorted({line.label for e in entries for line in e.lines} |
                     {other for e in entries for other in e.others})
    what = f" ({', '.join(changed)})" if changed else ""
    return (f"non fermée : modifiée entre-temps par {actors} le {entries[0].when}{what}. "
            "Vérifiez-la, puis recommencez.")
