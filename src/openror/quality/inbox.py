"""The inboxes of anomalies (Task): what an owner of the data has to answer, what a regional
operator triages, and status changes applied one Task at a time through the write path.

Owners (professionals, referents) see the open anomalies they may answer (« Corrigé »,
« Refusé », « À vérifier », quality.workflow.OWNER_MAY_SET); regional operators and national
administrators see every anomaly of their regions, filtered. Each item carries the rule that
raised it (input ruleErrorId) with its title and remedy, and the unit concerned.

Changes go through a ``TaskChanges`` (the write path with the person as caller, given by the
caller: quality sits below services): one write per Task, so the workflow, the rights and
the reasons are checked for each, and what was refused is reported per Task.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from openror.access.caller import Caller
from openror.access.roles import ADMIN, OPERATOR, PROFESSIONAL, REFERENT
from openror.errors import Forbidden, InvalidInput, OpenRORError, error
from openror.fhir.profiles import INPUT_TASK_CS
from openror.quality import catalog
from openror.quality import workflow as w
from openror.quality.model import THEMES, Rule
from openror.quality.task_writes import business_status
from openror.store import quality_inbox
from openror.store.database import Database
from openror.store.quality_inbox import InboxFilter, StoredTask

TRIAGE, OWNER = "triage", "owner"
#: the answers an owner gives, in the order the buttons show them
OWNER_ANSWERS = (w.CORRECTED, w.REFUSED, w.TO_VERIFY)
#: open statuses from which an owner has something to answer
ANSWERABLE = frozenset(code for code in w.OPEN
                       if w.TRANSITIONS[code] & w.OWNER_MAY_SET)
#: what an operator may move anomalies to (01 Créé is only where anomalies start)
TRIAGE_TARGETS = tuple(code for code in sorted(w.STATUSES) if code != w.CREATED)


def mode_of(caller: Caller) -> str | None:
    """Triage for regional operators and administrators, answers for owners; None: no inbox."""
    roles = {g.role for g in caller.grants}
    if roles & {OPERATOR, ADMIN}:
        return TRIAGE
    if roles & {PROFESSIONAL, REFERENT}:
        return OWNER
    return None


def may_use_inbox(caller: Caller) -> str:
    found = mode_of(caller)
    if found is None:
        raise Forbidden([error("forbidden", "Les anomalies sont traitées par les responsables "
                               "des données (professionnels, référents) et par les "
                               "opérateurs régionaux.")])
    return found


@dataclass(frozen=True)
class Unit:
    type: str
    id: str
    name: str | None  # None: the caller may not see it, or it has no name

    @property
    def reference(self) -> str:
        return f"{self.type}/{self.id}"


@dataclass(frozen=True)
class Item:
    id: str
    version: int
    status: str  # TRE_R352 code
    theme: str | None  # French label (TRE_R350)
    rule: Rule | None
    description: str
    unit: Unit | None
    reason: str | None  # statusReason.text: why it is in its status
    modified: str | None  # lastModified, as stored

    @property
    def status_label(self) -> str:
        found = w.STATUSES.get(self.status)
        return found.label if found else self.status

    @property
    def answers(self) -> tuple[str, ...]:
        """What the owner may answer from here (never the status it is already in)."""
        return tuple(code for code in OWNER_ANSWERS
                     if code != self.status and w.allowed(self.status, code))


@dataclass(frozen=True)
class Inbox:
    mode: str
    items: list[Item]
    total: int  # matching anomalies; more than ``len(items)`` when the list is cut
    where: InboxFilter


def _rule_of(body: dict[str, Any]) -> Rule | None:
    for entry in body.get("input") or []:
        codings = ((entry.get("type") or {}).get("coding") or []) if isinstance(entry, dict) \
            else []
        if any(c.get("system") == INPUT_TASK_CS and c.get("code") == "ruleErrorId"
               for c in codings if isinstance(c, dict)):
            try:
                return catalog.rule(str(entry.get("valueString")))
            except KeyError:
                return None
    return None


def _theme(body: dict[str, Any]) -> str | None:
    for coding in (body.get("code") or {}).get("coding") or []:
        if isinstance(coding, dict) and coding.get("code") in THEMES:
            return THEMES[coding["code"]]
    return None


def _focus(body: dict[str, Any]) -> tuple[str, str] | None:
    ref = (body.get("focus") or {}).get("reference")
    if not isinstance(ref, str) or ref.count("/") != 1:
        return None
    rtype, rid = ref.split("/")
    return rtype, rid


def name_of(body: dict[str, Any]) -> str | None:
    """A unit's name as people call it (a practitioner: given and family names)."""
    name = body.get("name")
    if isinstance(name, str):
        return name
    if isinstance(name, list) and name and isinstance(name[0], dict):
        parts = [*name[0].get("given", []), name[0].get("family", "")]
        return " ".join(p for p in parts if p) or None
    return None


def _item(task: StoredTask, units: dict[tuple[str, str], dict[str, Any]]) -> Item:
    body, focus = task.body, _focus(task.body)
    unit = None if focus is None else Unit(*focus, name_of(units.get(focus) or {}))
    reason = (body.get("statusReason") or {}).get("text")
    return Item(task.id, task.version, business_status(body) or "", _theme(body),
                _rule_of(body), str(body.get("description") or ""), unit,
                reason if isinstance(reason, str) else None, body.get("lastModified"))


def _items(db: Database, caller: Caller, where: InboxFilter) -> tuple[list[Item], int]:
    with db.read() as conn:
        found = quality_inbox.tasks(conn, caller, where)
        total = quality_inbox.count(conn, caller, where)
        focuses = {f for f in (_focus(t.body) for t in found) if f is not None}
        units = quality_inbox.visible_contents(conn, caller, focuses)
    return [_item(task, units) for task in found], total


def owner_inbox(db: Database, caller: Caller) -> Inbox:
    """The open anomalies the owner may answer (visibility limits them to theirs)."""
    where = InboxFilter(statuses=ANSWERABLE)
    items, total = _items(db, caller, where)
    return Inbox(OWNER, items, total, where)


OPEN_ONES, ALL = "ouvertes", "toutes"


def parse_filter(params: Mapping[str, str]) -> InboxFilter:
    """The triage filters of a query: ``statut`` (a code, ``ouvertes`` by default, or
    ``toutes``), ``thematique``, ``regle``, ``departement``."""
    status = params.get("statut") or OPEN_ONES
    if status not in (OPEN_ONES, ALL, *w.STATUSES):
        raise InvalidInput([error("value", f"Statut inconnu « {status} ».", "statut")])
    theme, rule = params.get("thematique") or "", params.get("regle") or ""
    if theme and theme not in THEMES:
        raise InvalidInput([error("value", f"Thématique inconnue « {theme} ».", "thematique")])
    if rule and rule not in {r.id for r in catalog.rules()}:
        raise InvalidInput([error("value", f"Règle inconnue « {rule} ».", "regle")])
    statuses = w.OPEN if status == OPEN_ONES else frozenset() if status == ALL \
        else frozenset([status])
    return InboxFilter(statuses=statuses, themes=frozenset([theme]) if theme else frozenset(),
                       rules=frozenset([rule]) if rule else frozenset(),
                       departement=(params.get("departement") or "").strip() or None)


def triage_inbox(db: Database, caller: Caller, where: InboxFilter) -> Inbox:
    items, total = _items(db, caller, where)
    return Inbox(TRIAGE, items, total, where)


# -- changes ---------------------------------------------------------------------------------

class TaskChanges(Protocol):
    """What a change needs of the write path, for one person (services.task_changes)."""

    def read(self, task_id: str) -> StoredTask | None: ...
    def update(self, task_id: str, body: dict[str, Any], version: int) -> None: ...


@dataclass(frozen=True)
class Outcome:
    task_id: str
    done: bool
    message: str  # French: what happened, or why it was refused
    about: str = ""  # French: the rule and the unit, to tell the anomalies apart


def about(body: dict[str, Any]) -> str:
    """« CO4 Catégorie d'établissement conforme au FINESS — Organization/eg-a »."""
    rule, focus = _rule_of(body), (body.get("focus") or {}).get("reference")
    what = f"{rule.id} {rule.title}" if rule else str(body.get("description") or "")[:80]
    return f"{what} — {focus}" if focus else what


def moved(body: dict[str, Any], to: str, reason: str | None) -> dict[str, Any]:
    """The anomaly in status ``to``; the reason, when given, says why (statusReason)."""
    new = {**body, "businessStatus": {"coding": [{
        "system": w.BUSINESS_STATUS_SYSTEM, "code": to, "display": w.STATUSES[to].label}]}}
    new.pop("statusReason", None)  # an earlier change's reason does not explain this one
    if reason:
        new["statusReason"] = {"text": reason}
    return new


#: what a refusal means, by HTTP status, when the write path's message is not in French
_REFUSED = {403: "Vous n'avez pas le droit de faire ce changement sur cette anomalie.",
            404: "Cette anomalie n'existe pas, ou vous ne pouvez pas la voir.",
            409: "Quelqu'un a modifié cette anomalie entre-temps : rechargez la page.",
            412: "Quelqu'un a modifié cette anomalie entre-temps : rechargez la page."}


def french(exc: OpenRORError) -> str:
    """The French part of the write path's message (« … / in English »), else what the
    refusal means."""
    if " / " in exc.message:
        return exc.message.split(" / ")[0]
    return _REFUSED.get(exc.status, "Le serveur a refusé ce changement.")


def _change_one(changes: TaskChanges, task_id: str, version: int | None, to: str,
                reason: str | None) -> Outcome:
    current = changes.read(task_id)
    if current is None:
        return Outcome(task_id, False, "Cette anomalie n'existe pas, ou vous ne pouvez pas "
                                       "la voir.")
    try:
        changes.update(task_id, moved(current.body, to, reason),
                       current.version if version is None else version)
    except OpenRORError as exc:
        return Outcome(task_id, False, french(exc), about(current.body))
    return Outcome(task_id, True, f"Passée à « {w.STATUSES[to].label} ».", about(current.body))


def change(changes: TaskChanges, tasks: Sequence[tuple[str, int | None]], to: str,
           reason: str | None) -> list[Outcome]:
    """Move each anomaly (id, the version the person saw) to ``to``, one write each."""
    return [_change_one(changes, task_id, version, to, reason) for task_id, version in tasks]


@dataclass(frozen=True)
class Request:
    tasks: list[tuple[str, int]]  # (id, the version the person saw)
    to: str
    reason: str | None


CHOSEN = "choix-"  # a form's checkbox of an anomaly: choix-<id>=<version>


def parse_request(form: Mapping[str, str]) -> tuple[Request | None, dict[str, str]]:
    """A change asked by a form, or what to fix in it (field -> French message). Whether
    the person may make it is the write path's to say, Task by Task."""
    errors: dict[str, str] = {}
    tasks = [(name.removeprefix(CHOSEN), int(version)) for name, version in form.items()
             if name.startswith(CHOSEN) and version.isdigit()]
    if not tasks:
        errors["choix"] = "Cochez au moins une anomalie."
    to = form.get("statut") or ""
    if to not in TRIAGE_TARGETS:
        errors["statut"] = "Choisissez le nouveau statut."
    reason = (form.get("motif") or "").strip() or None
    if to in w.NEEDS_REASON and reason is None:
        errors["motif"] = f"Indiquez le motif : il est obligatoire pour passer à " \
                          f"« {w.STATUSES[to].label} »."
    return (None, errors) if errors else (Request(tasks, to, reason), {})
