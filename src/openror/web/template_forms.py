"""Entry templates applied to a form: for each field of one of our forms (the guided entry's,
the editor's offer form), whether the template that applies shows it, requires it, keeps it
read-only and presets it; and the record of the template on the offer written.

A form field stands for template items by linkId (a question, or a group such as the hours
or the equipment: then the group's own flags count, not those of the questions inside it)
or by the profile element their ``definition`` names (``HealthcareService.type`` stands for
an item on ``HealthcareService.type.coding`` too). A field the template does not ask is not
shown, except the elements the ROR profile makes mandatory: a template cannot hide what the
write path would then refuse for being missing. Those are always shown, and required unless
the template makes them read-only.

Without a template (none applies, or none is loaded) the form keeps its built-in list
(``fallback``). docs/api/templates.md says how the template is chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from openror.fhir import profiles as p
from openror.templates import Questionnaire, applicable_fields
from openror.templates.fields import HIDDEN, Field

Json = dict[str, Any]
#: markers of the code systems of the contexts (TRE, or the JDV some feeders send)
CATEGORY = ("TRE_R66", "TRE_R02", "J55")
FIELD = ("TRE_R227", "J20")
PROFESSION = ("TRE_G15", "J229")
SPECIALTY = ("TRE_R38", "J210")


@dataclass(frozen=True)
class Key:
    """One field of a form, as templates name it."""

    name: str
    link_ids: tuple[str, ...] = ()  # questions or groups that stand for it
    paths: tuple[str, ...] = ()  # profile elements (an item on one of them, or under it)
    mandatory: bool = False  # the profile requires it: shown whatever the template says


@dataclass(frozen=True)
class Condition:
    """One ``enableWhen`` of a template item, on a field of the form."""

    field: str  # the form field the condition's question stands for
    operator: str  # exists = != > < >= <=
    answer: str  # a code, "true" / "false", or a number as text


@dataclass(frozen=True)
class Rule:
    """What the form does with one field."""

    shown: bool = True
    required: bool = False
    read_only: bool = False
    preset: str = ""  # the template's initial value (a code; "oui" for a true boolean)
    #: the template's ``enableWhen``: the field applies only when they hold
    enable_when: tuple[Condition, ...] = ()
    enable_any: bool = False  # ``enableBehavior`` any (else all)

    def enabled(self, values: Mapping[str, Any]) -> bool:
        """Whether the field applies, given the form's current values (the stored ones
        or those just posted); conditions on a field the form lacks are left aside."""
        checks = [_holds(c, values.get(c.field)) for c in self.enable_when]
        if not checks:
            return True
        return any(checks) if self.enable_any else all(checks)


def _holds(condition: Condition, value: Any) -> bool:
    items = [str(x) for x in value if str(x)] if isinstance(value, list | tuple) else \
        [str(value)] if value not in (None, "", False) else []
    if condition.operator == "exists":
        return bool(items) == (condition.answer == "true")
    if condition.operator == "=":
        return condition.answer in items
    if condition.operator == "!=":
        return condition.answer not in items
    try:
        have, want = float(items[0].replace(",", ".")), float(condition.answer)
    except (IndexError, ValueError):
        return False
    return {">": have > want, "<": have < want, ">=": have >= want,
            "<=": have <= want}.get(condition.operator, True)


@dataclass(frozen=True)
class Used:
    """The template a form follows: what the page footer says and the offer records."""

    id: str
    title: str
    version: str
    canonical: str  # url|version (ror-meta-questionnaire-used-as-a-template)

    def to_json(self) -> Json:
        return {"id": self.id, "title": self.title, "version": self.version,
                "canonical": self.canonical}

    @classmethod
    def from_json(cls, value: Any) -> Used | None:
        if not isinstance(value, dict):
            return None
        return cls(*(str(value.get(k) or "") for k in ("id", "title", "version", "canonical")))


@dataclass(frozen=True)
class Applied:
    used: Used | None  # None: no template applies, the form's built-in list
    rules: dict[str, Rule]

    def rule(self, name: str) -> Rule:
        return self.rules.get(name, Rule())


def apply(template: Questionnaire | None, keys: Sequence[Key],
          fallback: Callable[[Key], Rule]) -> Applied:
    """The rules of each key under ``template`` (``fallback`` when there is none)."""
    if template is None:
        return Applied(None, {k.name: fallback(k) for k in keys})
    fields = applicable_fields(template, include_hidden=True)
    groups = _groups(template.resource.get("item"), False, {})
    used = Used(template.id, template.title, template.version, template.canonical)
    by_link = {link: k.name for k in keys for link in k.link_ids}
    return Applied(used, {k.name: _conditioned(_rule(k, fields, groups), k, fields, by_link)
                          for k in keys})


def _conditioned(rule: Rule, key: Key, fields: list[Field], by_link: dict[str, str]) -> Rule:
    """``rule`` with the ``enableWhen`` of the questions that stand for the key (those on a
    question the form has: the field it stands for)."""
    if not rule.shown:
        return rule
    own = [f for f in fields if not f.hidden and f.enable_when and f.link_id in key.link_ids]
    if not own:
        return rule
    found = tuple(Condition(by_link[c.question], c.operator, _answer(c.answer))
                  for c in own[0].enable_when if c.question in by_link)
    return replace(rule, enable_when=found, enable_any=own[0].enable_behavior == "any")


def _answer(answer: str | bool | int | float) -> str:
    """A condition's answer as the form's values hold it: a Coding's code, a boolean."""
    if isinstance(answer, bool):
        return "true" if answer else "false"
    text = str(answer)
    return text.rpartition("|")[2] if "|" in text else text


@dataclass(frozen=True)
class _Item:
    required: bool
    read_only: bool
    hidden: bool
    preset: str


def _rule(key: Key, fields: list[Field], groups: dict[str, _Item]) -> Rule:
    found = [groups[g] for g in key.link_ids if g in groups]
    # a question of a repeating block (a contact, an hours slot) is required in each block
    # entered, which does not make the block itself required; an extension's fixed ``url``
    # is no data
    found += [_Item(f.required and f.repeating_group is None, f.read_only, f.hidden,
                    _preset(f)) for f in fields if not f.path.endswith(".url")
              if f.link_id in key.link_ids or any(_under(f.path, path) for path in key.paths)]
    visible = [i for i in found if not i.hidden]
    if not visible and not key.mandatory:
        return Rule(shown=False)
    read_only = bool(found) and all(i.read_only for i in found)
    required = key.mandatory or any(i.required for i in visible)
    # the question named by linkId first (ageMin and ageMax share the age range element)
    own = [_preset(f) for f in fields if f.link_id in key.link_ids and not f.hidden]
    preset = next((x for x in own if x), "") or next((i.preset for i in found if i.preset), "")
    return Rule(True, required and not read_only, read_only, preset)


def _under(path: str, prefix: str) -> bool:
    """``path`` is ``prefix``, an element under it, or a slice of it (``…specialty:x``)."""
    return bool(path) and (path == prefix or path.startswith(
        (prefix + ".", prefix + "[", prefix + ":")))


def _groups(items: Any, hidden: bool, out: dict[str, _Item]) -> dict[str, _Item]:
    """The group items by linkId, with their own flags (hidden when a parent is)."""
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        now_hidden = hidden or any(e.get("url") == HIDDEN and e.get("valueBoolean") is True
                                   for e in item.get("extension") or [] if isinstance(e, dict))
        if item.get("type") == "group":
            out[str(item.get("linkId"))] = _Item(item.get("required") is True,
                                                 item.get("readOnly") is True, now_hidden, "")
        _groups(item.get("item"), now_hidden, out)
    return out


def _preset(f: Field) -> str:
    selected = next((o.code for o in f.options if o.initial_selected), "")
    if selected or not f.initial:
        return selected
    value = f.initial[0]
    if isinstance(value, bool):
        return "oui" if value else ""
    if isinstance(value, dict):  # a Coding: its code; a Quantity: its value, if any
        found = value.get("value") if "value" in value or "unit" in value else value.get("code")
        return "" if found is None else str(found)
    return str(value)


# -- which template: the contexts of an offer ----------------------------------------------

def codes(concepts: Any, markers: tuple[str, ...]) -> list[str]:
    """The codes, in these CodeableConcepts (or one), whose system carries a marker."""
    items = concepts if isinstance(concepts, list) else [concepts]
    return [str(c["code"]) for concept in items if isinstance(concept, dict)
            for c in concept.get("coding") or []
            if isinstance(c, dict) and isinstance(c.get("code"), str)
            and any(m in str(c.get("system") or "") for m in markers)]


def category_of(organization: Json | None) -> str | None:
    """The EG category (JDV_J55: a FINESS category or a liberal sector) of an EG."""
    found = codes((organization or {}).get("type"), CATEGORY)
    return found[0] if found else None


def field_of(offer: Json | None) -> str | None:
    found = codes((offer or {}).get("type"), FIELD)
    return found[0] if found else None


def qualification(practitioner: Json | None, markers: tuple[str, ...]) -> str | None:
    """The profession (TRE_G15) or ordinal specialty (TRE_R38) of a Practitioner."""
    quals = (practitioner or {}).get("qualification")
    found = codes([q.get("code") for q in quals if isinstance(q, dict)]
                  if isinstance(quals, list) else [], markers)
    return found[0] if found else None


# -- what the written offer records ---------------------------------------------------------

def stamp(body: Json, canonical: str) -> Json:
    """``body`` recording the template it was entered with (replacing any other record)."""
    kept = [e for e in body.get("extension") or [] if not (
        isinstance(e, dict) and e.get("url") == p.EXT_TEMPLATE)]
    return {**body, "extension": [*kept, {"url": p.EXT_TEMPLATE, "valueCanonical": canonical}]}


def titles(used: Iterable[Used | None]) -> list[str]:
    """« Cabinet de ville de médecine générale (version 1) », once each, in order."""
    out: list[str] = []
    for u in used:
        if u is not None:
            text = f"{u.title} (version {u.version})" if u.version else u.title
            if text not in out:
                out.append(text)
    return out
