"""Step 1 — what the national registries say: the professional (RPPS), their situations of
practice and the structures they practise in (FINESS, RPPS), and the places they may not
change. All read-only: each item has « Signaler une erreur » (web.entry.report).

Membership of a maison de santé or of a centre de santé is read from the categories of
those structures, and can be declared (report.declare_membership)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from openror.fhir import profiles as p
from openror.terminology import Terminology
from openror.web.entry import values as v
from openror.web.entry.practice import Held, Practice

STEP = 1
#: structure categories meaning a health centre or a multi-professional health house
#: (TRE_R02 sector SA05; JDV_J55 124, 439 centres de santé, 603 maison de santé)
HEALTH_CENTRES: Final = frozenset({"SA05", "124", "439"})
HEALTH_HOUSES: Final = frozenset({"603"})
_TITLES: Final = {"DR": "Docteur", "PR": "Professeur", "MME": "Madame", "M": "Monsieur"}
_MODES: Final = {"L": "Libéral", "S": "Salarié", "B": "Bénévole", "I": "Indirect"}


@dataclass(frozen=True)
class Item:
    key: str  # what « Signaler une erreur » names
    title: str
    focus: str  # Type/id of the resource in error
    path: str  # FHIRPath of the element shown (the anomaly's pathElementError)
    rows: list[tuple[str, str]] = field(default_factory=list)
    source: str = "RPPS"


def _display(body: Any, terminology: Terminology) -> str:
    if not isinstance(body, dict):
        return ""
    for coding in body.get("coding") or []:
        label = coding.get("display") or terminology.display(str(coding.get("system")),
                                                             str(coding.get("code")))
        if label:
            return str(label)
    return ""


def identity(me: Held, terminology: Terminology) -> Item:
    body = me.body
    name = (body.get("name") or [{}])[0]
    quals = [_display(q.get("code"), terminology) for q in body.get("qualification") or []]
    specialties = [_display({"coding": q["code"]["coding"][1:]}, terminology)
                   for q in body.get("qualification") or []
                   if len((q.get("code") or {}).get("coding") or []) > 1]
    idnat = next((i.get("value") for i in body.get("identifier") or []
                  if i.get("system") == p.SYSTEM_IDNATPS), "")
    mss = next((t.get("value") for t in body.get("telecom") or []
                if t.get("system") == "email"), "")
    rows = [("Civilité d'exercice", " ".join(_TITLES.get(s, s) for s in name.get("suffix") or [])),
            ("Nom d'exercice", str(name.get("family") or "")),
            ("Prénom d'exercice", " ".join(name.get("given") or [])),
            ("Profession", quals[0] if quals else ""),
            ("Savoir-faire (spécialité)", ", ".join(filter(None, specialties))),
            ("Identifiant national (RPPS)", str(idnat or "")),
            ("Messagerie sécurisée (MSSanté)", str(mss or ""))]
    return Item("praticien", "Votre identité professionnelle", me.ref, "Practitioner",
                [(k, x or "—") for k, x in rows])


def structure(org: Held, practice: Practice, terminology: Terminology) -> Item:
    """A structure they practise in, with their situations there (offer, exercise mode)."""
    body = org.body
    address = body.get("address")
    address = address[0] if isinstance(address, list) and address else address or {}
    ident = next((i.get("value") for i in body.get("identifier") or []
                  if i.get("system") in (p.SYSTEM_IDNATST, p.SYSTEM_FINESS)), "")
    kind = ", ".join(filter(None, (_display(t, terminology) for t in body.get("type") or [])))
    rows = [("Nom", str(body.get("name") or "")), ("Type de structure", kind),
            ("Identifiant (FINESS, RPPS-rang)", str(ident or "")),
            ("Adresse", " ".join([*(address.get("line") or []), str(address.get(
                "postalCode") or ""), str(address.get("city") or "")]).strip())]
    rows += [("Situation d'exercice", situation(role, practice)) for role in practice.roles
             if _reference_id(role.body.get("organization")) == org.rid]
    return Item(f"structure-{org.rid}", f"{body.get('name') or org.rid}", org.ref,
                "Organization", [(k, x or "—") for k, x in rows], "FINESS, RPPS")


def _reference_id(value: Any) -> str:
    ref = value.get("reference") if isinstance(value, dict) else None
    return ref.partition("/")[2] if isinstance(ref, str) else ""


def situation(role: Held, practice: Practice) -> str:
    """« Médecine générale - Dr X (libéral) »: an offer they work in, and how."""
    mode = v.first_code((v.sub(role.body, p.EXT_EXERCISE_MODE) or {}).get(
        "valueCodeableConcept"))
    offers = [practice.offer(_reference_id(r)) for r in role.body.get("healthcareService") or []]
    names = [str(o.body.get("name") or o.rid) + ("" if o.editable else
                                                  ", décrite par la structure")
             for o in offers if o is not None]
    return f"{', '.join(names) or role.rid} ({_MODES.get(mode, mode).lower()})"


def place(held: Held) -> Item:
    values = v.place_values(held.body)
    rows = [("Nom", str(held.body.get("name") or "")),
            ("Adresse", f"{values['line']} {values['postal']} {values['city']}".strip()),
            ("Comment venir", values["description"])]
    return Item(f"lieu-{held.rid}", f"Lieu partagé : {held.body.get('name') or held.rid}",
                held.ref, "Location", [(k, x or "—") for k, x in rows],
                "la structure qui le gère")


def items(practice: Practice, terminology: Terminology) -> list[Item]:
    """Every read-only item, in the order of the page."""
    found = [identity(practice.practitioner, terminology)]
    found += [structure(o, practice, terminology) for o in practice.organisations.values()]
    found += [place(pl) for pl in practice.places if not pl.editable]
    return found


@dataclass(frozen=True)
class Membership:
    name: str
    kind: str  # « centre de santé » / « maison de santé »


def memberships(practice: Practice) -> list[Membership]:
    """The health centres and health houses among the person's structures."""
    found = []
    for org in practice.organisations.values():
        kinds = {c for t in org.body.get("type") or [] for c in v.codes(t)}
        if kinds & HEALTH_CENTRES:
            found.append(Membership(str(org.body.get("name") or org.rid), "centre de santé"))
        elif kinds & HEALTH_HOUSES:
            found.append(Membership(str(org.body.get("name") or org.rid), "maison de santé"))
    return found
