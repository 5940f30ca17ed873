"""The fields a template asks for, flattened for forms: what to show, in which step, whether it is
required or read-only, where its answer goes and which codes it takes.

Groups are not fields: each field names its enclosing groups, and the nearest repeating one
(a block of hours, an equipment, a contact) that the form repeats as a whole. Hidden items
(``questionnaire-hidden``) carry fixed values for extraction and are left out unless asked for.

The step (1–6 of the guided entry, SPEC.md §5.3) is derived from the item: read-only data of
the national registries are checked in step 1 (except the offer's own preset
characteristics, such as the care mode, shown in step 2); hours and closures are step 5;
contacts and mailboxes step 4; reception modalities, the intervention zone and places step 3;
the rest describes the offer (step 2). Step 6 (review) asks for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openror.templates.model import Questionnaire

HIDDEN = "http://hl7.org/fhir/StructureDefinition/questionnaire-hidden"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
#: answerable item types (group and display items are not fields)
_ANSWERABLE = frozenset({"boolean", "decimal", "integer", "date", "dateTime", "time", "string",
                         "text", "url", "choice", "open-choice", "attachment", "reference",
                         "quantity"})


@dataclass(frozen=True)
class Option:
    system: str
    code: str
    display: str
    initial_selected: bool = False


@dataclass(frozen=True)
class EnableWhen:
    question: str  # linkId of the item the condition reads
    operator: str  # exists = != > < >= <=
    answer: str | bool | int | float  # a Coding as "system|code"


@dataclass(frozen=True)
class Field:
    link_id: str
    text: str
    type: str
    definition: str  # canonical of the profile element, as in the template
    path: str  # e.g. HealthcareService.characteristic:specificAct ("" when unknown)
    required: bool
    read_only: bool
    repeats: bool
    value_set: str  # answerValueSet canonical ("" when none)
    options: tuple[Option, ...]
    initial: tuple[Any, ...]  # the template's initial values, as written
    enable_when: tuple[EnableWhen, ...]
    enable_behavior: str  # "all" or "any" when there are several conditions
    groups: tuple[str, ...]  # linkIds of the enclosing groups, outermost first
    repeating_group: str | None  # linkId of the nearest repeating enclosing group
    step: int | None  # 1–5 of the guided entry; None for hidden fields
    prefix: str = ""
    help: str = ""  # text of a help item (itemControl "help") under the item
    hidden: bool = False

    @property
    def group(self) -> str | None:
        return self.groups[-1] if self.groups else None

    @property
    def resource_type(self) -> str:
        """The resource the answer goes to (HealthcareService, Organization, …), from the
        path; "" when the definition names an extension only."""
        head = self.path.split(".", 1)[0]
        return head if head[:1].isupper() and head != "Extension" else ""


def applicable_fields(questionnaire: Questionnaire | dict[str, Any], *,
                      include_hidden: bool = False) -> list[Field]:
    """Every answerable item of the template, in the template's order."""
    resource = questionnaire.resource if isinstance(questionnaire, Questionnaire) \
        else questionnaire
    out: list[Field] = []
    _walk(_dicts(resource.get("item")), (), None, out)
    return [f for f in out if include_hidden or not f.hidden]


def by_step(fields: list[Field]) -> dict[int, list[Field]]:
    """Fields grouped by step (hidden ones, without a step, left out)."""
    steps: dict[int, list[Field]] = {}
    for f in fields:
        if f.step is not None:
            steps.setdefault(f.step, []).append(f)
    return steps


def _walk(items: list[dict[str, Any]], groups: tuple[str, ...], repeating: str | None,
          out: list[Field], hidden: bool = False) -> None:
    for item in items:
        link_id = str(item.get("linkId") or "")
        item_hidden = hidden or _hidden(item)
        if item.get("type") == "group":
            inner = link_id if item.get("repeats") is True else repeating
            _walk(_dicts(item.get("item")), (*groups, link_id), inner, out, item_hidden)
            continue
        if item.get("type") in _ANSWERABLE:
            out.append(_field(item, groups, repeating, item_hidden))
        children = [c for c in _dicts(item.get("item")) if not _is_help(c)]
        _walk(children, groups, repeating, out, item_hidden)  # items nested in a question


def _field(item: dict[str, Any], groups: tuple[str, ...], repeating: str | None,
           hidden: bool) -> Field:
    definition = str(item.get("definition") or "")
    path = element_path(definition)
    read_only = item.get("readOnly") is True
    return Field(
        link_id=str(item.get("linkId") or ""), text=str(item.get("text") or ""),
        type=str(item.get("type")), definition=definition, path=path,
        required=item.get("required") is True, read_only=read_only,
        repeats=item.get("repeats") is True, value_set=str(item.get("answerValueSet") or ""),
        options=tuple(_options(item)), initial=tuple(_values(item.get("initial"))),
        enable_when=tuple(_conditions(item)),
        enable_behavior=str(item.get("enableBehavior") or "all"), groups=groups,
        repeating_group=repeating, step=None if hidden else step_of(path, read_only),
        prefix=str(item.get("prefix") or ""), help=_help(item), hidden=hidden)


def element_path(definition: str) -> str:
    """``…/ror-healthcareservice#HealthcareService.name`` → ``HealthcareService.name``; the
    IG's ``diff_`` and ``key_`` anchors are dropped."""
    _, hash_sign, fragment = definition.partition("#")
    if not hash_sign:
        return ""
    for prefix in ("diff_", "key_"):
        fragment = fragment.removeprefix(prefix)
    return fragment


#: (words of the path, step), first match wins; see the module's docstring
_STEPS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("availableTime", "notAvailable", "temporalityStopService", "closing"), 5),
    (("contact", "telecom"), 4),
    (("equipment",), 2),  # kept by places, but part of what distinguishes the offer
    (("receptionModality", "territorial-division", "Location.", "commune-cog", "accessibility",
      "address"), 3),
)
_OFFER_OWN = ("HealthcareService.characteristic", "HealthcareService.specialty",
              "HealthcareService.type")


def step_of(path: str, read_only: bool) -> int:
    if read_only and not path.startswith(_OFFER_OWN):
        return 1
    for words, step in _STEPS:
        if any(word in path for word in words):
            return step
    return 2


def _options(item: dict[str, Any]) -> list[Option]:
    out = []
    for option in _dicts(item.get("answerOption")):
        selected = option.get("initialSelected") is True
        coding = option.get("valueCoding")
        if isinstance(coding, dict):
            out.append(Option(str(coding.get("system") or ""), str(coding.get("code") or ""),
                              str(coding.get("display") or ""), selected))
            continue
        value = next((v for k, v in option.items() if k.startswith("value")), None)
        if value is not None:
            out.append(Option("", str(value), str(value), selected))
    return out


def _values(entries: Any) -> list[Any]:
    return [next(v for k, v in e.items() if k.startswith("value"))
            for e in _dicts(entries) if any(k.startswith("value") for k in e)]


def _conditions(item: dict[str, Any]) -> list[EnableWhen]:
    out = []
    for cond in _dicts(item.get("enableWhen")):
        answer = next((v for k, v in cond.items() if k.startswith("answer")), None)
        if isinstance(answer, dict):  # a Coding (or a Quantity: its value)
            answer = (f"{answer.get('system', '')}|{answer.get('code', '')}"
                      if "code" in answer else answer.get("value", ""))
        if isinstance(answer, str | bool | int | float):
            out.append(EnableWhen(str(cond.get("question") or ""),
                                  str(cond.get("operator") or ""), answer))
    return out


def _hidden(item: dict[str, Any]) -> bool:
    return any(e.get("url") == HIDDEN and e.get("valueBoolean") is True
               for e in _dicts(item.get("extension")))


def _is_help(item: dict[str, Any]) -> bool:
    if item.get("type") != "display":
        return False
    for ext in _dicts(item.get("extension")):
        concept = ext.get("valueCodeableConcept")
        if ext.get("url") == ITEM_CONTROL and isinstance(concept, dict) and any(
                c.get("code") == "help" for c in _dicts(concept.get("coding"))):
            return True
    return False


def _help(item: dict[str, Any]) -> str:
    return " ".join(str(c.get("text") or "") for c in _dicts(item.get("item")) if _is_help(c))


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
