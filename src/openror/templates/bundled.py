"""The entry templates shipped with OpenROR (``data/``), each with where it comes from."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources as package_files
from typing import Any

import orjson


@dataclass(frozen=True)
class Bundled:
    file: str
    source: str


BUNDLED: tuple[Bundled, ...] = (
    Bundled("ror-questionnaire-offre-mco.json",
            "Official example of the ROR IG 0.7.0, unchanged: Questionnaire "
            "ror-questionnaire-offre-mco, « MS-141 Unité hospitalière de gynécologie » (EG "
            "categories 101, 106, 114, 355, 365, 698, 128, 129, 122, 131; field 01 MCO). Copied "
            "from ../shared/ror-ig/spec/examples/compiled-from-fsh/, the SUSHI output of the "
            "kit's excerpt of ansforge/IG-fhir-repertoire-offre-ressources-sante "
            "input/fsh/examples/RORQuestionnaireOffreMCO.fsh@07dd8608 (header, useContext and "
            "the first item group; the full file is 100 kB)."),
    Bundled("openror-offre-de-ville-medecine-generale.json",
            "OpenROR's template of the liberal general practitioner, built from SPEC.md §5.2 "
            "(the IG's FDS-092 « Cabinet de ville de médecine générale », "
            "RORQuestionnaireOffreDeVille.fsh of 2023-12-05) with its defects corrected, the "
            "elements the RORHealthcareService profile asks for added (public, contacts with "
            "their confidentiality), use contexts (cabinets SA05/SA07/SA08/SA09, centres and "
            "maisons de santé 124/439/603, profession 10, specialties SM26/SM53/SM54, field 05) "
            "and help texts in French."),
)


def bundled_templates() -> list[dict[str, Any]]:
    """The bundled templates' resources, in the order of ``BUNDLED``."""
    folder = package_files.files("openror.templates").joinpath("data")
    return [orjson.loads(folder.joinpath(b.file).read_bytes()) for b in BUNDLED]
