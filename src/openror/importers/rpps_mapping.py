"""Profession and savoir-faire of a professional → the operational activity of their offer.

The ROR describes a liberal practice as an elementary offer whose activity (TRE_R211, value set
JDV_J17) is what the professional does. The registry gives the profession (TRE_G15) and, for
physicians, dentists and advanced-practice nurses, a spécialité ordinale (TRE_R38, JDV_J210).

The tables below map only what is unambiguous from the labels of both lists. A specialty that
is not listed falls back to the profession's generic activity; a physician has none (calling a
cardiologist "Médecine générale" would mislead orientation), so an unmapped physician specialty
is rejected and shows up in the import report, to be added here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profession:
    label: str
    #: generic J17 activity of a liberal practice of this profession, if the ROR has one
    activity: str | None


#: TRE_G15 ProfessionSante codes found in the RPPS/ADELI extraction (labels as in the file).
PROFESSIONS: dict[str, Profession] = {
    "10": Profession("Médecin", None),
    "21": Profession("Pharmacien", None),  # J17 has only hospital pharmacy (PUI), no officine
    "26": Profession("Audioprothésiste", None),
    "28": Profession("Opticien-Lunetier", None),
    "31": Profession("Assistant dentaire", None),
    "32": Profession("Physicien médical", None),
    "35": Profession("Aide-soignant", None),
    "36": Profession("Ambulancier", None),
    "37": Profession("Auxiliaire de puériculture", None),
    "38": Profession("Préparateur en pharmacie hospitalière", None),
    "39": Profession("Préparateur en pharmacie", None),
    "40": Profession("Chirurgien-Dentiste", "101"),  # Odontologie (dentaire)
    "50": Profession("Sage-Femme", "282"),  # Périnatalité (suivi de grossesse)
    "60": Profession("Infirmier", "287"),  # Soins techniques infirmiers
    "69": Profession("Infirmier psychiatrique", "287"),
    "70": Profession("Masseur-Kinésithérapeute", "339"),  # Kinésithérapie
    "71": Profession("Ostéopathe", "197"),  # Ostéopathie
    "72": Profession("Psychothérapeute", "289"),  # Suivi psychologique
    "73": Profession("Chiropracteur", None),
    "80": Profession("Pédicure-Podologue", "201"),  # Podologie
    "81": Profession("Orthoprothésiste", None),
    "82": Profession("Podo-Orthésiste", None),
    "83": Profession("Orthopédiste-Orthésiste", None),
    "84": Profession("Oculariste", None),
    "85": Profession("Epithésiste", None),
    "86": Profession("Technicien de laboratoire médical", None),
    "91": Profession("Orthophoniste", "200"),  # Orthophonie
    "92": Profession("Orthoptiste", "106"),  # Orthoptie
    "93": Profession("Psychologue", "289"),  # Suivi psychologique
    "94": Profession("Ergothérapeute", None),
    "95": Profession("Diététicien", "040"),  # Diététique et Nutrition
    "96": Profession("Psychomotricien", "493"),  # Psychomotricité
    "98": Profession("Manipulateur ERM", None),
}

#: Spécialité ordinale (TRE_R38 / JDV_J210) → operational activity (TRE_R211 / JDV_J17).
#: Left out on purpose: biology (SM03, SM63-SM67: laboratories, not consultations), SM05
#: chirurgie générale, SM09/SM69/SM70 paediatric surgery, SM11 thoracic *and* cardiovascular
#: surgery, SM33 neuro-psychiatrie, SM47 research, SM49 public health, SM59 emergency medicine
#: (no liberal consultation activity in J17), SI01-SI05 (fall back to the nurse's activity).
SPECIALTY_ACTIVITY: dict[str, str] = {
    "SM01": "163",  # Anatomie et cytologie pathologiques
    "SM02": "007",  # Anesthésie-réanimation → Anesthésie
    "SM04": "013",  # Cardiologie et maladies vasculaires → Cardiologie générale
    "SM06": "023", "SM07": "023", "SM68": "023",  # Chirurgie maxillo-faciale
    "SM08": "025",  # Chirurgie orthopédique et traumatologique
    "SM10": "178",  # Chirurgie plastique reconstructrice et esthétique
    "SM12": "031",  # Chirurgie urologique → Urologie
    "SM13": "032",  # Chirurgie vasculaire
    "SM14": "033",  # Chirurgie viscérale et digestive
    "SM15": "037",  # Dermatologie et vénéréologie → Dermatologie
    "SM16": "041", "SM62": "041",  # Endocrinologie
    "SM17": "049",  # Génétique médicale
    "SM18": "050",  # Gériatrie
    "SM19": "053", "SM52": "053",  # Gynécologie médicale
    "SM20": "100", "SM51": "100",  # Gynécologie-obstétrique → Obstétrique
    "SM21": "055", "SM22": "055", "SM23": "055", "SM71": "055",  # Hématologie
    "SM24": "046",  # Gastro-entérologie et hépatologie
    "SM25": "082",  # Médecine du travail
    "SM26": "437", "SM53": "437", "SM54": "437",  # Médecine générale
    "SM27": "085", "SM72": "085",  # Médecine interne
    "SM28": "087",  # Médecine nucléaire
    "SM29": "090",  # Médecine physique et de réadaptation
    "SM30": "095",  # Néphrologie
    "SM31": "096",  # Neurochirurgie
    "SM32": "097",  # Neurologie
    "SM34": "016", "SM39": "016",  # ORL et chirurgie cervico-faciale
    "SM35": "191",  # Oncologie option onco-hématologie → Oncologie hématologique
    "SM36": "102",  # Oncologie médicale → Oncologie-cancérologie
    "SM37": "168", "SM45": "168",  # Radiothérapie
    "SM38": "103",  # Ophtalmologie
    "SM40": "088",  # Pédiatrie → Médecine pédiatrique
    "SM41": "114",  # Pneumologie
    "SM42": "229",  # Psychiatrie → Psychiatrie adulte
    "SM43": "227",  # Psychiatrie de l'enfant → Pédopsychiatrie infanto-juvénile
    "SM44": "454", "SM55": "454",  # Radio-diagnostic → Radiologie polyvalente générale
    "SM46": "126",  # Médecine intensive-réanimation → Réanimation médicale
    "SM48": "131",  # Rhumatologie
    "SM50": "137",  # Stomatologie
    "SM56": "199", "SCD02": "199",  # Chirurgie orale
    "SM57": "005",  # Allergologie
    "SM58": "077",  # Maladies infectieuses et tropicales
    "SM60": "086",  # Médecine légale
    "SM61": "091",  # Médecine vasculaire
    "SCD01": "104",  # Orthopédie dento-faciale
    "SCD03": "441",  # Médecine bucco-dentaire
}

#: Type of savoir-faire (TRE_R04) whose codes are spécialités ordinales.
SPECIALTY_TYPE = "S"


@dataclass(frozen=True)
class Activity:
    code: str | None  # None: no activity, see ``problem``
    problem: str = ""


def operational_activity(profession: str, skill_type: str, skill: str) -> Activity:
    """The J17 activity of a liberal offer of this profession and savoir-faire."""
    known = PROFESSIONS.get(profession)
    if known is None:
        return Activity(None, f"unknown profession code {profession!r} (TRE_G15)")
    if skill_type == SPECIALTY_TYPE and skill in SPECIALTY_ACTIVITY:
        return Activity(SPECIALTY_ACTIVITY[skill])
    if known.activity is not None:
        return Activity(known.activity)
    what = f"{known.label} with savoir-faire {skill!r}" if skill else \
        f"{known.label} without savoir-faire"
    return Activity(None, f"no operational activity (JDV_J17) is mapped for {what}; "
                          "add it to importers/rpps_mapping.py if the ROR has one")
