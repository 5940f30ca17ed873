"""Which entry template each offer of the guided entry follows, and what it makes of the
entry's fields: shown or not, required, read-only (web.template_forms).

The template is chosen once, when the entry starts, from the offer's context: the EG
category of the structure that provides it, the professional's profession and ordinal
specialty (RPPS), the offer's field of activity. The draft keeps each offer's rules
(``forms``), so the pages, the checks and the record on the written offer agree even if a
template changes meanwhile. Without a template the entry keeps its built-in list
(``web.entry.fields``: the GP's, SPEC §5.2); a draft begun before templates were used
(no ``forms``) too.

Places and contact sites serve several offers: a field of theirs is shown when one of
their offers' templates shows it, and required when one requires it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Final

from openror.services.container import Services
from openror.templates import Questionnaire, choose
from openror.web import template_forms as tf
from openror.web.entry import fields, ids, messages
from openror.web.entry.draft import Data
from openror.web.entry.practice import Practice, provider_of
from openror.web.template_forms import Key, Rule, Used

HS, PT = "HealthcareService", "HealthcareService.extension:ror-healthcareservice-patient-type"
CLOSING = f"{HS}.notAvailable:closingReopeningDate.during"
#: the entry's fields as templates name them (linkIds of SPEC §5.2, profile elements)
KEYS: Final[tuple[Key, ...]] = (
    Key("name", ("NomOffre",), (f"{HS}.name",), mandatory=True),
    Key("care_mode", ("modePriseEnCharge",), (f"{HS}.characteristic:careMode",),
        mandatory=True),
    Key("activity", ("activiteOperationnelle",), (f"{HS}.specialty:operationalActivity",),
        mandatory=True),
    Key("acts", ("acteSpecifique",), (f"{HS}.characteristic:specificAct",)),
    Key("outside_acts", ("acteRealiseHorsCabinet",),
        (f"{HS}.characteristic:outsideOfficeAct",)),
    Key("competences", ("CompetenceSpecifique",), (f"{HS}.characteristic:specificCompetence",)),
    Key("expertise", ("niveauExpertise",), (f"{HS}.characteristic:expertiseLevel",)),
    Key("publics", ("supportedPatientInfo",), (f"{PT}.extension:supportedPatientInfo",)),
    Key("age_min", ("ageMin",), (f"{PT}.extension:ageRange",), mandatory=True),
    Key("age_max", ("ageMax",), (f"{PT}.extension:ageRange",), mandatory=True),
    Key("comment", (), (f"{HS}.comment",)),
    Key("equipment", ("TypeEquipementInfo",), ("Location.extension:ror-location-equipment",)),
    Key("modalities", ("ModalAccueil",), (f"{HS}.characteristic:receptionModality",)),
    Key("zone", ("ZoneInter",), (f"{HS}.extension:ror-territorial-division",)),
    Key("line", ("adresseLieu",), ("Location.address",)),
    Key("postal", ("adresseLieu", "communeCog"), ("Location.address",)),
    Key("city", ("adresseLieu", "communeCog"), ("Location.address",)),
    Key("description", ("descriptionLieu",), ("Location.description",)),
    Key("accessibility", ("accessibiliteLieu-EG",),
        ("Organization.extension:ror-organization-accessibility-location",)),
    Key("contacts", ("contactOffre",), (f"{HS}.extension:ror-healthcareservice-contact",)),
    Key("mss", ("boiteLettreMSS",), (f"{HS}.telecom",)),
    Key("hours", ("Horaires",), (f"{HS}.availableTime",)),
    Key("closure_start", ("dateFermeture",), (f"{CLOSING}.start",)),
    Key("closure_end", ("DatePrevisionnelleReouverture",), (f"{CLOSING}.end",)),
)
#: the « ne pas diffuser » request is the person's, not a field of a template
OWN: Final = ("diffusion",)
PLACE_KEYS: Final = ("line", "postal", "city", "description", "accessibility", "equipment")
SITE_KEYS: Final = ("contacts", "mss")
REQUIRED: Final = "Ce champ est obligatoire."


def built_in(key: Key) -> Rule:
    """A field's rule in the built-in list (no template applies)."""
    f = fields.field(key.name)
    return Rule(True, f.required and not f.read_only, f.read_only)


def choose_all(services: Services, practice: Practice, data: Data) -> None:
    """Choose the template of each offer of a new draft; keep its rules in the draft."""
    me = practice.practitioner.body
    profession = tf.qualification(me, tf.PROFESSION)
    specialty = tf.qualification(me, tf.SPECIALTY)
    done: dict[str, dict[str, Any]] = {}
    forms: dict[str, Any] = {}
    with services.db.read() as conn:
        for entry in data["offers"]:
            offer = practice.offer(entry["id"])
            provider = practice.organisations.get(provider_of(offer) or "") if offer else None
            found = choose(conn, category=tf.category_of(provider.body if provider else None),
                           profession=profession, specialty=specialty,
                           field=tf.field_of(offer.body if offer else None))
            forms[entry["id"]] = _applied(found, done)
    data["forms"] = forms


def _applied(template: Questionnaire | None, done: dict[str, dict[str, Any]]
             ) -> dict[str, Any]:
    memo = template.id if template else ""
    if memo not in done:
        applied = tf.apply(template, KEYS, built_in)
        done[memo] = {"used": applied.used.to_json() if applied.used else None,
                      "rules": {name: [r.shown, r.required, r.read_only, r.preset,
                                       [[c.field, c.operator, c.answer]
                                        for c in r.enable_when], r.enable_any]
                                for name, r in applied.rules.items()}}
    return done[memo]


@dataclass(frozen=True)
class FormOf:
    """What the pages ask of one offer, place or contact site."""

    rules: dict[str, Rule]

    def rule(self, key: str) -> Rule:
        if key in OWN:
            return Rule()
        return self.rules[key] if key in self.rules else built_in(Key(key))

    def shows(self, key: str) -> bool:
        return self.rule(key).shown

    def required(self, key: str) -> bool:
        return self.rule(key).required

    def read_only(self, key: str) -> bool:
        return self.rule(key).read_only

    def enabled(self, key: str, values: dict[str, Any]) -> bool:
        """Whether the template's ``enableWhen`` of the field holds with these values."""
        return self.rule(key).enabled(values)

    def field(self, key: str) -> fields.Field:
        """The entry's field as this template has it."""
        r = self.rule(key)
        return replace(fields.field(key), required=r.required, read_only=r.read_only)


def _rule(value: Any) -> Rule:
    """A rule as the draft keeps it (drafts begun before ``enableWhen`` have 4 items)."""
    shown, required, read_only, preset, *rest = value
    conditions = tuple(tf.Condition(*map(str, c)) for c in (rest[0] if rest else [])
                       if isinstance(c, list) and len(c) == 3)
    return Rule(bool(shown), bool(required), bool(read_only), str(preset), conditions,
                bool(rest[1]) if len(rest) > 1 else False)


def _combined(forms: Iterable[FormOf]) -> FormOf:
    """A place's or a site's: shown if one shows it, required if one requires it."""
    found = list(forms)
    if not found:
        return FormOf({})
    rules = {}
    for key in {k.name for k in KEYS}:
        each = [f.rule(key) for f in found]
        shown = [r for r in each if r.shown]
        rules[key] = Rule(bool(shown), any(r.required for r in shown),
                          bool(shown) and all(r.read_only for r in shown))
    return FormOf(rules)


@dataclass(frozen=True)
class Forms:
    """The forms of a draft's offers, places and sites."""

    data: Data

    def offer(self, rid: str) -> FormOf:
        stored = (self.data.get("forms") or {}).get(rid)
        if not isinstance(stored, dict):
            return FormOf({})
        return FormOf({k: _rule(v) for k, v in stored["rules"].items()})

    def place(self, rid: str) -> FormOf:
        return _combined(self.offer(o["id"]) for o in self.data["offers"] if o["place"] == rid)

    def site(self, key: str) -> FormOf:
        offers: list[str] = next((s["offers"] for s in self.data["sites"] if s["key"] == key),
                                 [])
        return _combined(self.offer(rid) for rid in offers)

    def used(self, rid: str) -> Used | None:
        stored = (self.data.get("forms") or {}).get(rid)
        return tf.Used.from_json(stored.get("used")) if isinstance(stored, dict) else None

    def titles(self) -> list[str]:
        """The templates the entry follows (page footers)."""
        return tf.titles(self.used(o["id"]) for o in self.data["offers"])

    @property
    def without(self) -> int:
        """How many offers no template applies to (they keep the built-in list)."""
        return sum(1 for o in self.data["offers"] if self.used(o["id"]) is None)


def forms(data: Data) -> Forms:
    return Forms(data)


# -- what the entry does with the rules -----------------------------------------------------

def _owners(data: Data) -> Iterable[tuple[str, int, FormOf, tuple[str, ...]]]:
    """(draft values key, its index, its form, its keys) of every offer, contact site and
    editable place."""
    found = forms(data)
    offer_keys = tuple(k.name for k in KEYS if k.name not in PLACE_KEYS + SITE_KEYS)
    for i, o in enumerate(data["offers"]):
        yield f"o:{o['id']}", i, found.offer(o["id"]), offer_keys
    for k, s in enumerate(data["sites"]):
        yield f"s:{s['key']}", k, found.site(s["key"]), SITE_KEYS
    for m, pl in enumerate(data["places"]):
        if pl["editable"]:
            yield f"p:{pl['id']}", m, found.place(pl["id"]), PLACE_KEYS


def keep_unasked(data: Data, before: dict[str, Any]) -> None:
    """After a step's form was read: the fields it did not draw (not shown, read-only) keep
    their values, which an absent input would otherwise have emptied."""
    for owner, _, form, keys in _owners(data):
        values, old = data["values"].get(owner), before.get(owner)
        if values is None or old is None:
            continue
        for key in keys:
            if key in values and (not form.shows(key) or form.read_only(key)):
                values[key] = copy.deepcopy(old[key])


def missing(data: Data, step: int | None = None) -> dict[str, str]:
    """The required fields left empty (of one step), by field id, each with what to do."""
    out: dict[str, str] = {}
    for owner, n, form, keys in _owners(data):
        values = data["values"][owner]
        for key in keys:
            if form.required(key) and form.shows(key) and _empty(values.get(key)) \
                    and form.enabled(key, values):
                field_id = _field_id(owner[0], n, key)
                if step is None or ids.step_of(field_id) == step:
                    out[field_id] = f"{REQUIRED} {messages.ADVICE.get(key, '')}".strip()
    return out


def _empty(value: Any) -> bool:
    return not value.strip() if isinstance(value, str) else not value


def _field_id(kind: str, n: int, key: str) -> str:
    """Where a field's « obligatoire » is told: the input, or a repeated field's first row."""
    if kind == "s":
        return ids.contact(n, 0, "value") if key == "contacts" else ids.site(n, key)
    if kind == "p":
        return ids.equipment(n, 0, "type") if key == "equipment" else ids.place(n, key)
    if key == "hours":
        return ids.hour(n, 0, "start")
    if key in ("acts", "outside_acts", "competences", "zone"):
        return ids.offer_row(n, key, 0)
    return ids.offer(n, key)


def prefill(data: Data, only: str | None = None) -> None:
    """A new draft's empty fields take their template's ``initial`` value (the GP template:
    all publics, ages 0 to 150), as if entered: checked at each step, written on
    validation. ``only``: the fields of that owner alone (an offer added to the draft)."""
    for owner, _, form, keys in _owners(data):
        if only is not None and owner != only:
            continue
        values = data["values"][owner]
        for key in keys:
            rule = form.rule(key)
            if rule.preset and not rule.read_only and key in values and _empty(values[key]):
                values[key] = [rule.preset] if isinstance(values[key], list) else rule.preset


def newly_enabled(data: Data, before: dict[str, Any], step: int) -> list[str]:
    """The fields of a step that the values just posted made apply (the zone once home
    visits are ticked), by field id: the step is shown again for them."""
    out = []
    for owner, n, form, keys in _owners(data):
        now, old = data["values"].get(owner), before.get(owner)
        if now is None or old is None:
            continue
        for key in keys:
            if form.shows(key) and form.enabled(key, now) and not form.enabled(key, old):
                field_id = _field_id(owner[0], n, key)
                if ids.step_of(field_id) == step:
                    out.append(field_id)
    return out
