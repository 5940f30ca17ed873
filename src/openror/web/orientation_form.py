"""The orientation form: its fields (named like the parameters of ``/api/orientation``, so
that the page's address is the API's query), the choices of its lists, and the engine's
refusals told in French next to the field they concern."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from starlette.datastructures import QueryParams

from openror.errors import OpenRORError
from openror.terminology import default_terminology

#: the search's fields, in the order of the form
FIELDS = ("q", "address", "lat", "lon", "age", "sex", "careMode", "openNow", "equipment",
          "equipmentLimit", "count")
#: fields holding a number that may be typed with a decimal comma
DECIMALS = ("age", "equipmentLimit")
CARE_MODES = "JDV_J19"
EQUIPMENT = "JDV_J18"
SEXES = (("", "Indifférent"), ("female", "Femme"), ("male", "Homme"))
#: the form field an engine parameter is typed in
FIELD_OF = {"activity": "q", "commune": "address", "postalCode": "address", "lat": "address",
            "lon": "address"}
#: what to do, by field, when the engine refuses what was typed there
ADVICE = {
    "q": "Indiquez le besoin du patient : une activité, une spécialité ou un examen, par "
         "exemple « kiné pédiatrique », « maternité niveau 3 » ou « IRM » (ou choisissez un "
         "équipement).",
    "address": "Indiquez où se trouve le patient : le nom d'une commune, un code postal ou "
               "une adresse.",
    "age": "Indiquez l'âge du patient en années, de 0 à 130 (par exemple 0,5 pour six mois).",
    "sex": "Choisissez le sexe du patient dans la liste.",
    "careMode": "Choisissez un mode de prise en charge dans la liste.",
    "openNow": "Cochez la case ou laissez-la vide.",
    "equipment": "Choisissez un équipement dans la liste.",
    "equipmentLimit": "Indiquez la limite en kilogrammes, un nombre positif (par exemple 200), "
                      "avec un équipement choisi.",
    "count": "Indiquez un nombre de résultats entre 1 et 100.",
    "explain": "Indiquez l'identifiant d'une offre, tel qu'il figure dans son adresse "
               "(/fhir/HealthcareService/…).",
}
LABELS = {"q": "Besoin", "address": "Où", "age": "Âge", "sex": "Sexe",
          "careMode": "Mode de prise en charge", "openNow": "Ouvert maintenant",
          "equipment": "Équipement", "equipmentLimit": "Poids à supporter (kg)",
          "count": "Nombre de résultats", "explain": "Pourquoi pas cette offre ?"}


@dataclass
class Query:
    """What the page was asked, as typed (trimmed), and the offers chosen for the short
    list."""

    values: dict[str, str]
    explain: str = ""
    chosen: list[str] = field(default_factory=list)
    asked: bool = False  # a search was sent (not the empty form of a first visit)

    def engine_params(self, explain: bool = True) -> dict[str, str]:
        """The parameters of ``orientation_api.run``: the filled fields only (decimal commas
        as points); a place typed in « Où » wins over coordinates carried from an earlier
        page."""
        params = {k: v for k, v in self.values.items() if v}
        for name in DECIMALS:
            if name in params:
                params[name] = params[name].replace(",", ".")
        if params.get("address"):
            params.pop("lat", None)
            params.pop("lon", None)
        if explain and self.explain:
            params["explain"] = self.explain
        return params

    def hidden(self) -> list[tuple[str, str]]:
        """The search as hidden fields of the forms that act on its results."""
        return list(self.engine_params(explain=False).items())


def read_query(params: QueryParams) -> Query:
    values = {name: params.get(name, "").strip() for name in FIELDS}
    if values["openNow"].lower() in ("1", "on", "oui", "true"):
        values["openNow"] = "true"
    chosen = list(dict.fromkeys(c.strip() for c in params.getlist("choix") if c.strip()))
    return Query(values, params.get("explain", "").strip(), chosen,
                 any(name in params for name in FIELDS))


def missing(query: Query) -> list[FieldError]:
    """The two things every search needs, both told at once (the engine stops at the
    first): what (a need or an equipment) and where."""
    found = []
    if not query.values["q"] and not query.values["equipment"]:
        found.append(FieldError("q", ADVICE["q"]))
    if not query.values["address"] and not (query.values["lat"] and query.values["lon"]):
        found.append(FieldError("address", ADVICE["address"]))
    return found


@dataclass(frozen=True)
class FieldError:
    field: str  # the id of the form field ("" when none: the summary only)
    message: str


def field_errors(exc: OpenRORError, query: Query) -> list[FieldError]:
    """The engine's 400, one French message per form field it names."""
    found: dict[str, FieldError] = {}
    for issue in exc.issues:
        for expression in issue.expression or ("",):
            name = FIELD_OF.get(expression, expression)
            if name not in found:
                found[name] = FieldError(name if name in LABELS else "",
                                         _message(name, query.values.get(name, "")))
    return list(found.values())


def _message(name: str, typed: str) -> str:
    if name == "q" and typed:
        return (f"Aucune activité reconnue dans « {typed} » : essayez un autre mot, par "
                "exemple « cardiologie », « kiné pédiatrique » ou « maternité niveau 3 ».")
    if name == "address" and typed:
        return (f"« {typed} » n'est pas une commune, un code postal ou une adresse connus : "
                "vérifiez l'orthographe, ou indiquez le code postal.")
    return ADVICE.get(name, f"Le paramètre « {name} » n'est pas accepté ici : recommencez "
                            "depuis le formulaire.")


def messages_by_field(errors: list[FieldError]) -> Mapping[str, str]:
    return {e.field: e.message for e in errors if e.field}


@cache
def care_modes() -> tuple[tuple[str, str], ...]:
    """(code, label) of the care modes (TRE_R213, value set JDV_J19), by label."""
    return _options(CARE_MODES)


@cache
def equipment() -> tuple[tuple[str, str], ...]:
    """(code, label) of the specific equipment (TRE_R212, value set JDV_J18), by label."""
    return _options(EQUIPMENT)


def _options(value_set: str) -> tuple[tuple[str, str], ...]:
    concepts = default_terminology().expand(value_set)
    return tuple(sorted(((c.code, c.display) for c in concepts), key=lambda o: _key(o[1])))


def _key(label: str) -> str:
    """Sorting key of a French label: « Échographe » between « Dialyse » and « Fauteuil »."""
    return "".join(c for c in unicodedata.normalize("NFKD", label.lower())
                   if not unicodedata.combining(c))
