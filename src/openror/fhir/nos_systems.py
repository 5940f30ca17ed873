"""NOS code systems that several producers of resources (importers, the dataset generator)
write codes from; canonical TRE URLs."""

from __future__ import annotations

from typing import Final

from openror.fhir.profiles import nos_url

TRE_G07: Final = nos_url("TRE_G07-TypeIdentifiantStructure")
TRE_R02: Final = nos_url("TRE_R02-SecteurActivite")
TRE_R13: Final = nos_url("TRE_R13-CommuneOM")
TRE_R200: Final = nos_url("TRE_R200-CanalCommunication")
TRE_R201: Final = nos_url("TRE_R201-TypeDivisionTerritoriale")
TRE_R203: Final = nos_url("TRE_R203-StatutLieu")
TRE_R227: Final = nos_url("TRE_R227-ChampActivite")
TRE_R23: Final = nos_url("TRE_R23-ModeExercice")
TRE_R283: Final = nos_url("TRE_R283-NiveauConfidentialite")
TRE_R338: Final = nos_url("TRE_R338-ModaliteAccueil")
