"""The fields of the guided entry, with the step each belongs to, its label, its help text
(what it is for and who will see it) and whether it is required or read-only.

BUILT-IN LIST — the fields below are those of the ROR liberal entry template « Cabinet de
ville de médecine générale » (ror-questionnaire-offre-de-ville, FDS-092, SPEC.md §5.2), each
tagged with its ``linkId``: their labels and help texts, and the list the entry keeps when
no stored entry template applies to an offer. When one applies, web.entry.template_use
decides from it which of these fields are shown, required and read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: who sees what: the read policy (access.policy) in plain words
EVERYONE: Final = "Visible par tous, y compris les sites publics d'information."
PROFESSIONALS: Final = ("Visible par les professionnels habilités et la régulation, pas par "
                        "les sites publics.")
REGISTRY: Final = ("Donnée des répertoires nationaux (RPPS, FINESS) : vous ne pouvez pas la "
                   "modifier ici ; signalez une erreur si elle est fausse.")
OPERATOR: Final = ("Transmis à l'opérateur régional, qui met à jour la fiche de la structure ; "
                   "visible par tous ensuite.")


@dataclass(frozen=True)
class Field:
    key: str  # the draft's and the form's name
    step: int
    link_id: str  # the template item (SPEC §5.2), or the profile element it maps to
    label: str
    help: str
    required: bool = False
    read_only: bool = False
    repeats: bool = False
    value_set: str | None = None


FIELDS: Final[tuple[Field, ...]] = (
    # step 2 — the offer and what distinguishes it
    Field("name", 2, "NomOffre", "Nom de l'offre",
          "Le nom sous lequel les professionnels trouvent cette offre. " + EVERYONE,
          required=True),
    Field("care_mode", 2, "modePriseEnCharge", "Mode de prise en charge",
          "Fixé par le modèle de saisie des cabinets de ville : la consultation. " + EVERYONE,
          required=True, read_only=True, value_set="JDV_J19"),
    Field("activity", 2, "activiteOperationnelle", "Activité",
          "Ce que vous faites dans cette offre : tapez quelques lettres (par exemple « gyn » "
          "ou « pédia ») et choisissez dans la liste. " + EVERYONE,
          required=True, value_set="JDV_J17"),
    Field("acts", 2, "acteSpecifique", "Actes spécifiques",
          "Les actes qui aident un confrère ou la régulation à vous adresser un patient "
          "(ECG, pose de DIU, frottis…) ; tapez quelques lettres et choisissez. "
          + PROFESSIONALS, repeats=True, value_set="JDV_J16"),
    Field("outside_acts", 2, "acteRealiseHorsCabinet", "Actes réalisés hors du cabinet",
          "Par exemple l'éducation thérapeutique labellisée. " + PROFESSIONALS,
          repeats=True, value_set="JDV_J16"),
    Field("competences", 2, "CompetenceSpecifique", "Compétences spécifiques",
          "Ce qui facilite la prise en charge (langue parlée, langue des signes…). "
          + PROFESSIONALS, repeats=True, value_set="JDV_J33"),
    Field("expertise", 2, "niveauExpertise", "Niveau d'expertise",
          "Seulement si un niveau reconnu s'applique à cette offre ; sinon, laissez « Aucun ». "
          + EVERYONE, value_set="JDV_J227"),
    Field("publics", 2, "supportedPatientInfo", "Publics accueillis",
          "Les publics pour lesquels vous avez une compétence ou un accueil particulier ; "
          "« Tout public » sinon. " + EVERYONE, repeats=True, value_set="JDV_J29"),
    Field("age_min", 2, "ageMin", "Âge minimum (en années)",
          "L'âge à partir duquel vous recevez les patients dans cette offre (0 : dès la "
          "naissance). " + EVERYONE, required=True),
    Field("age_max", 2, "ageMax", "Âge maximum (en années)",
          "L'âge jusqu'auquel vous les recevez (120 : sans limite). " + EVERYONE,
          required=True),
    Field("comment", 2, "HealthcareService.comment", "Informations pratiques",
          "Une phrase utile aux patients et aux confrères (nouveaux patients acceptés, "
          "délais…). " + EVERYONE),
    Field("equipment", 2, "TypeEquipementInfo", "Équipements du lieu",
          "Les équipements particuliers de ce lieu et leur nombre en service (table "
          "d'examen adaptée, échographe…). " + PROFESSIONALS, repeats=True,
          value_set="JDV_J18"),
    # step 3 — ways of working and places
    Field("modalities", 3, "ModalAccueil", "Modalités d'intervention",
          "Comment les patients et les confrères peuvent recourir à cette offre. " + EVERYONE,
          required=True, repeats=True, value_set="JDV_J226"),
    Field("zone", 3, "ZoneInter", "Zone d'intervention des visites à domicile",
          "Seulement si vous faites des visites à domicile : les communes où vous vous "
          "déplacez ; tapez le nom ou le code postal et choisissez. " + EVERYONE,
          repeats=True, value_set="JDV_J124"),
    Field("line", 3, "adresseLieu", "Adresse (numéro et voie)",
          "Où les patients viennent vous voir. " + EVERYONE, required=True),
    Field("postal", 3, "adresseLieu", "Code postal",
          "Avec la ville, il sert à trouver la commune et la position du lieu sur la carte de "
          "l'orientation. " + EVERYONE, required=True),
    Field("city", 3, "adresseLieu", "Ville", EVERYONE, required=True),
    Field("description", 3, "descriptionLieu", "Comment venir",
          "Étage, accès, stationnement : ce qui aide un patient à trouver le lieu. "
          + EVERYONE),
    Field("accessibility", 3, "accessibiliteLieu-EG", "Accessibilité aux personnes à "
          "mobilité réduite", "L'accessibilité est décrite sur la fiche de la structure. "
          + OPERATOR, value_set="JDV_J50"),
    # step 4 — contacts
    Field("contacts", 4, "contactEG", "Contacts",
          "Les numéros et adresses pour joindre ce lieu ; chacun a son niveau de diffusion.",
          repeats=True, value_set="JDV_J221"),
    Field("mss", 4, "boiteLettreMSS", "Messagerie sécurisée de santé (MSSanté)",
          "L'adresse MSSanté où les confrères vous adressent des documents. Réservée aux "
          "professionnels habilités."),
    Field("diffusion", 4, "uniteSensible", "Diffusion de vos données",
          "Votre demande vaut pour toutes vos offres."),
    # step 5 — hours
    Field("hours", 5, "Horaires", "Horaires",
          "Les plages de consultation, sur rendez-vous ou sans, jour par jour. " + EVERYONE,
          repeats=True, value_set="JDV_J41"),
    Field("closure_start", 5, "dateFermeture", "Fermeture à partir du",
          "Une fermeture temporaire (congés, travaux), jj/mm/aaaa : l'orientation n'adresse "
          "plus de patients pendant ce temps. " + EVERYONE),
    Field("closure_end", 5, "DatePrevisionnelleReouverture", "Réouverture prévue le",
          "La date à laquelle vous reprenez, jj/mm/aaaa. " + EVERYONE),
)

_BY_KEY: Final = {f.key: f for f in FIELDS}

#: HARD-CODED TEMPLATE — the specific acts the liberal template offers (SPEC §5.2 item 3.9,
#: JDV_J16), used only with a terminology that lacks JDV_J16 (the bundled one has it)
TEMPLATE_ACTS: Final[tuple[tuple[str, str], ...]] = (
    ("0739", "Audiogramme"), ("0172", "Électrocardiogramme (ECG)"),
    ("1186", "Échographie clinique ciblée"), ("1208", "Frottis cervico-utérin"),
    ("0268", "IVG médicamenteuse"), ("1245", "Pose de dispositif intra-utérin (DIU)"),
    ("1244", "Pose d'implant contraceptif"), ("1269", "Sutures"),
    ("0825", "Prophylaxie pré-exposition au VIH (PrEP)"),
    ("0610", "Thérapie cognitivo-comportementale (TCC)"), ("0608", "Hypnose"),
)
#: HARD-CODED TEMPLATE — acts outside the office (item 3.10)
TEMPLATE_OUTSIDE_ACTS: Final[tuple[tuple[str, str], ...]] = (
    ("0528", "Éducation thérapeutique du patient (ETP) labellisée"),)
#: HARD-CODED TEMPLATE — reception modalities offered (item 3.4, JDV_J226)
TEMPLATE_MODALITIES: Final = ("03", "04", "05", "10", "11", "12")
HOME_VISIT: Final = "05"
#: HARD-CODED TEMPLATE — kinds of hours (item 3.16.1, JDV_J41)
TEMPLATE_HOUR_TYPES: Final = ("07", "06", "01")
#: HARD-CODED TEMPLATE — the care mode preset by the template (item 3.3, JDV_J19)
CARE_MODE: Final = "32"
#: HARD-CODED TEMPLATE — the field of activity of a city offer (JDV_J20)
FIELD_OF_ACTIVITY: Final = "05"
#: contact purposes (JDV_J221) and channels (JDV_J225) a practice uses
CONTACT_PURPOSES: Final = ("02", "01", "07", "04", "09", "14", "06")
CONTACT_CHANNELS: Final = ("2", "1", "3", "4", "6")


def field(key: str) -> Field:
    return _BY_KEY[key]


def step_of(key: str) -> int:
    return _BY_KEY[key].step


def step_fields(step: int) -> tuple[Field, ...]:
    return tuple(f for f in FIELDS if f.step == step)
