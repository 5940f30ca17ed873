"""The entry template an offer of the editor follows, and what it makes of the offer's form
(web.template_forms): the fields it asks are the form; the others stay reachable, folded
under « Autres champs, hors du modèle de saisie » (a referent corrects what an import or
another tool stored there), so nothing the form does not draw is ever emptied by a save.

The template is chosen from the establishment category of the offer's site (the
Organization above its provider) and the offer's field of activity. Fields it requires are
checked by the form before the write path runs (« Ce champ est obligatoire »), and the
write path's own rules still run; read-only fields keep their stored value (or the
template's preset for a new offer). The template is recorded on the offer saved
(``ror-meta-questionnaire-used-as-a-template``). Without a template: the form's built-in
list, as before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final

import orjson
import sqlalchemy as sa

from openror.store.resources import read_current
from openror.templates import choose
from openror.web import template_forms as tf
from openror.web.editor import offer_form, org_view, tree
from openror.web.editor.model import Field, Value, Values
from openror.web.template_forms import Applied, Key, Rule

Json = dict[str, Any]
HS, PT = "HealthcareService", "HealthcareService.extension:ror-healthcareservice-patient-type"
CLOSING = f"{HS}.notAvailable:closingReopeningDate.during"
#: the offer form's fields as templates name them (profile elements; the GP template's
#: linkIds besides)
KEYS: Final[tuple[Key, ...]] = (
    Key("nom", ("NomOffre",), (f"{HS}.name",), mandatory=True),
    Key("champ", ("champActivite",), (f"{HS}.type",), mandatory=True),
    Key("activite", ("activiteOperationnelle",), (f"{HS}.specialty",), mandatory=True),
    Key("mode", ("modePriseEnCharge",), (f"{HS}.characteristic:careMode",), mandatory=True),
    Key("categorie", (), (f"{HS}.category",)),
    Key("modalites", ("ModalAccueil",), (f"{HS}.characteristic:receptionModality",)),
    Key("temporalite", (), (f"{HS}.characteristic:receptionType",)),
    Key("publics", ("supportedPatientInfo",), (f"{PT}.extension:supportedPatientInfo",)),
    Key("age_min", ("ageMin",), (f"{PT}.extension:ageRange",), mandatory=True),
    Key("age_max", ("ageMax",), (f"{PT}.extension:ageRange",), mandatory=True),
    Key("actes", ("acteSpecifique",), (f"{HS}.characteristic:specificAct",)),
    Key("competences", ("CompetenceSpecifique",), (f"{HS}.characteristic:specificCompetence",)),
    Key("expertise", ("niveauExpertise",), (f"{HS}.characteristic:expertiseLevel",)),
    Key("sensible", ("uniteSensible",),
        (f"{HS}.extension:ror-healthcareservice-sensitive-unit",), mandatory=True),
    Key("lieux", (), (f"{HS}.location",)),
    Key("horaires", ("Horaires",), (f"{HS}.availableTime",)),
    Key("contacts", ("contactEG",), (f"{HS}.extension:ror-healthcareservice-contact",)),
    Key("zones", ("ZoneInter",), (f"{HS}.extension:ror-territorial-division",)),
    Key("commentaire", (), (f"{HS}.comment",)),
    Key("fermeture_type", ("typeFermeture",), (f"{HS}.characteristic:temporalityStopService",)),
    Key("fermeture_debut", ("dateFermeture",), (f"{CLOSING}.start",)),
    Key("fermeture_fin", ("DatePrevisionnelleReouverture",), (f"{CLOSING}.end",)),
)
REQUIRED: Final = "Ce champ est obligatoire."


def built_in(key: Key) -> Rule:
    """A field's rule in the built-in list (no template applies)."""
    return Rule(True, offer_form.BY_NAME[key.name].required)


def fallback() -> Applied:
    """The built-in list: every field, « obligatoire » where the profile requires it."""
    return tf.apply(None, KEYS, built_in)


def applied(conn: sa.Connection, body: Json, path: list[tree.Crumb]) -> Applied:
    """The template of an offer whose provider is the last of ``path`` (its ancestors)."""
    site = next((c.id for c in reversed(path) if c.kind == org_view.SITE), None)
    stored = read_current(conn, "Organization", site) if site else None
    category = tf.category_of(orjson.loads(stored.content)) \
        if stored is not None and stored.content is not None else None
    field = tf.field_of(body)
    template = choose(conn, category=category, field=field) if category or field else None
    return tf.apply(template, KEYS, built_in)


def fields(rules: Applied) -> dict[str, Field]:
    """The form's fields as the template has them (required, read-only), in form order."""
    out = {}
    for f in offer_form.FIELDS:
        r = rules.rule(f.name)
        out[f.name] = replace(f, required=r.required and f.kind != "checkbox",
                              read_only=r.read_only)
    return out


def folded(rules: Applied) -> list[str]:
    """The fields the template does not ask, folded under the form (in form order)."""
    return [f.name for f in offer_form.FIELDS if not rules.rule(f.name).shown]


def disabled(rules: Applied, values: Values) -> frozenset[str]:
    """The fields whose ``enableWhen`` does not hold with these values: drawn hidden (their
    inputs still sent, so that nothing is emptied by a save), shown once they apply — the
    zone of intervention of the GP template applies only to home visits."""
    return frozenset(f.name for f in offer_form.FIELDS
                     if not rules.rule(f.name).enabled(values))


def prefilled(rules: Applied, values: Values) -> Values:
    """A new offer's values with the template's ``initial`` values in its empty fields
    (the GP template: all publics, ages 0 to 150)."""
    out = dict(values)
    for f in offer_form.FIELDS:
        preset = rules.rule(f.name).preset
        if preset and not _filled(out.get(f.name, "")):
            out[f.name] = _preset(f.name, preset)
    return out


def restore(rules: Applied, mine: Values, stored: Values) -> Values:
    """The posted values, with each read-only field as stored (or the template's preset
    when nothing is stored: a new offer takes the template's care mode)."""
    out = dict(mine)
    for f in offer_form.FIELDS:
        r = rules.rule(f.name)
        if r.read_only:
            out[f.name] = stored.get(f.name) or _preset(f.name, r.preset)
    return out


def _preset(name: str, preset: str) -> Value:
    kind = offer_form.BY_NAME[name].kind
    return (preset,) if preset and kind in ("checkboxes", "codes", "searches") else preset


def applying(rules: Applied) -> Callable[[Json, Values], tuple[Json, dict[str, str]]]:
    """``offer_form.apply`` with the template's « obligatoire » checked first (nothing is
    written then, but the validation still tells the rest) and the template recorded on a
    body that changes."""
    def apply(body: Json, values: Values) -> tuple[Json, dict[str, str]]:
        new, errors = offer_form.apply(body, values)
        for name in missing(rules, values):
            errors[name] = f"{REQUIRED} {offer_form.BY_NAME[name].advice}".strip()
        if rules.used is not None and new != body:
            new = tf.stamp(new, rules.used.canonical)
        return new, errors
    return apply


def missing(rules: Applied, values: Values) -> list[str]:
    """The required fields left empty (read-only ones are never required)."""
    return [f.name for f in fields(rules).values()
            if f.required and not _filled(values.get(f.name, ""))]


def _filled(value: Value) -> bool:
    return bool(value.strip()) if isinstance(value, str) else bool(value)
