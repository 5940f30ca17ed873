"""Explicit NOS name tables: TRE code systems by id and OID, JDV value sets by id.

NOS ``.tabs`` files name a concept's code system only by OID, and the extracted CSVs sometimes
name the wrong one, so the mapping from OIDs and value sets to code systems is written down here
rather than guessed. Sources: the OIDs in ``data/nos`` (tabs and CSV), SPEC.md §2.2 (JDV → TRE),
and the ANS terminology IG CodeSystem resources (``ansforge/ig-terminlogie-de-sante``) for OIDs
the spec does not give.
"""

from __future__ import annotations

from typing import Final

# TRE id -> (full NOS name, OID or None when no source gave it).
CODE_SYSTEMS: Final[dict[str, tuple[str, str | None]]] = {
    "TRE_G09": ("TRE_G09-DepartementOM", "1.2.250.1.71.1.2.16"),
    "TRE_G15": ("TRE_G15-ProfessionSante", "1.2.250.1.71.1.2.7"),
    "TRE_G16": ("TRE_G16-ProfessionFormation", None),
    "TRE_R02": ("TRE_R02-SecteurActivite", "1.2.250.1.71.4.2.4"),
    "TRE_R11": ("TRE_R11-CiviliteExercice", "1.2.250.1.213.1.6.1.11"),
    "TRE_R13": ("TRE_R13-CommuneOM", "1.2.250.1.213.2.23"),
    "TRE_R23": ("TRE_R23-ModeExercice", "1.2.250.1.213.1.6.1.18"),
    "TRE_R30": ("TRE_R30-RegionOM", "1.2.250.1.213.2.25"),
    "TRE_R35": ("TRE_R35-TypeVoie", "1.2.250.1.213.2.44"),
    "TRE_R38": ("TRE_R38-SpecialiteOrdinale", "1.2.250.1.213.2.28"),
    "TRE_R66": ("TRE_R66-CategorieEtablissement", "1.2.250.1.213.1.6.1.8"),
    "TRE_R85": ("TRE_R85-RolePriseCharge", None),
    "TRE_R94": ("TRE_R94-ProfessionSocial", "1.2.250.1.213.1.6.1.4"),
    "TRE_R95": ("TRE_R95-UsagerTitre", None),
    "TRE_R96": ("TRE_R96-AutreFonctionSanitaire", None),
    "TRE_R200": ("TRE_R200-CanalCommunication", "1.2.250.1.213.3.3.1"),
    "TRE_R201": ("TRE_R201-TypeDivisionTerritoriale", "1.2.250.1.213.3.3.2"),
    "TRE_R202": ("TRE_R202-AccessibiliteLieu", "1.2.250.1.213.3.3.3"),
    "TRE_R203": ("TRE_R203-StatutLieu", None),
    "TRE_R208": ("TRE_R208-ClasseAge", "1.2.250.1.213.3.3.9"),
    "TRE_R210": ("TRE_R210-ActeSpecifique", None),
    "TRE_R211": ("TRE_R211-ActiviteOperationnelle", "1.2.250.1.213.3.3.12"),
    "TRE_R212": ("TRE_R212-Equipement", "1.2.250.1.213.3.3.10"),
    "TRE_R213": ("TRE_R213-ModePriseEnCharge", "1.2.250.1.213.3.3.13"),
    "TRE_R227": ("TRE_R227-ChampActivite", "1.2.250.1.213.3.3.17"),
    "TRE_R237": ("TRE_R237-GroupeTarifaireDependance", "1.2.250.1.213.3.3.25"),
    "TRE_R239": ("TRE_R239-PublicPrisEnCharge", "1.2.250.1.213.3.3.29"),
    "TRE_R240": ("TRE_R240-TemporaliteAccueil", "1.2.250.1.213.3.3.31"),
    "TRE_R242": ("TRE_R242-TypeHabitation", "1.2.250.1.213.3.3.35"),
    "TRE_R244": ("TRE_R244-CategorieOrganisation", "1.2.250.1.213.3.3.39"),
    "TRE_R250": ("TRE_R250-ConditionTarifaire", "1.2.250.1.213.3.3.46"),
    "TRE_R251": ("TRE_R251-FonctionContact", "1.2.250.1.213.3.3.48"),
    "TRE_R252": ("TRE_R252-TypeHoraire", "1.2.250.1.213.3.3.50"),
    "TRE_R253": ("TRE_R253-TypeMaternite", "1.2.250.1.213.3.3.52"),
    # OID .60 appears only in the J51 tabs; the J51 ValueSet draws from R265 and R266 (.61).
    "TRE_R265": ("TRE_R265-PrestationPilotageSerafin", "1.2.250.1.213.3.3.60"),
    "TRE_R266": ("TRE_R266-FamilleActiviteOperationnelleHorsSerafin", "1.2.250.1.213.3.3.61"),
    "TRE_R283": ("TRE_R283-NiveauConfidentialite", "1.2.250.1.213.1.1.4.344"),
    "TRE_R287": ("TRE_R287-NatureContact", "1.2.250.1.213.3.3.67"),
    # Capacity tables R329..R338 use consecutive OIDs .212..221 (R330 and R337 checked).
    "TRE_R329": ("TRE_R329-NatureCapacite", "1.2.250.1.213.3.3.212"),
    "TRE_R330": ("TRE_R330-TypeStatutCapacite", "1.2.250.1.213.3.3.213"),
    "TRE_R331": ("TRE_R331-TemporaliteCapacite", "1.2.250.1.213.3.3.214"),
    "TRE_R332": ("TRE_R332-GenreCapacite", "1.2.250.1.213.3.3.215"),
    "TRE_R333": ("TRE_R333-TypeFermetureCapacite", "1.2.250.1.213.3.3.216"),
    "TRE_R334": ("TRE_R334-TypeLitSupplementaire", "1.2.250.1.213.3.3.217"),
    "TRE_R335": ("TRE_R335-TypeSourceCapacite", "1.2.250.1.213.3.3.218"),
    "TRE_R336": ("TRE_R336-TypeCrise", "1.2.250.1.213.3.3.219"),
    "TRE_R337": ("TRE_R337-AffectationTemporaire", "1.2.250.1.213.3.3.220"),
    "TRE_R338": ("TRE_R338-ModaliteAccueil", "1.2.250.1.213.3.3.221"),
    "TRE_R343": ("TRE_R343-FonctionLieu", None),
    "TRE_R344": ("TRE_R344-NiveauExpertise", "1.2.250.1.213.3.3.228"),
    "TRE_R345": ("TRE_R345-TypeIdentifiantAutre", None),
    "TRE_R349": ("TRE_R349-ActionAnomalie", None),
    "TRE_R350": ("TRE_R350-ThematiqueAnomalie", None),
    "TRE_R352": ("TRE_R352-StatutMetierAnomalie", None),
    "TRE_R354": ("TRE_R354-TypeIdentifiantRessourceOperationnelle", None),
    "TRE_R355": ("TRE_R355-TypeIdentifiantOffre", None),
    "TRE_R356": ("TRE_R356-ProfessionRessource", None),
}

# JDV id -> (full NOS name, TRE ids it draws from). Only value sets the ROR binds to.
VALUE_SETS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "JDV_J15": ("JDV_J15-ClasseAge-ROR", ("TRE_R208",)),
    "JDV_J16": ("JDV_J16-ActeSpecifique-ROR", ("TRE_R210",)),
    "JDV_J17": ("JDV_J17-ActiviteOperationnelle-ROR", ("TRE_R211",)),
    "JDV_J18": ("JDV_J18-EquipementSpecifique-ROR", ("TRE_R212",)),
    "JDV_J19": ("JDV_J19-ModePriseEnCharge-ROR", ("TRE_R213",)),
    "JDV_J20": ("JDV_J20-ChampActivite-ROR", ("TRE_R227",)),
    "JDV_J27": ("JDV_J27-GroupeTarifaireDependance-ROR", ("TRE_R237",)),
    # The extracted J29 CSV gives codes 06-08 the systems JDV_J29, TRE_R240 and JDV_J30
    # (an upstream rendering slip: they are PublicPrisEnCharge labels). J29 has a single
    # code system, so the loader files every J29 concept under TRE_R239.
    "JDV_J29": ("JDV_J29-PublicPrisEnCharge-ROR", ("TRE_R239",)),
    "JDV_J30": ("JDV_J30-TemporaliteAccueil-ROR", ("TRE_R240",)),
    "JDV_J32": ("JDV_J32-TypeHabitation-ROR", ("TRE_R242",)),
    "JDV_J34": ("JDV_J34-CategorieOrganisation-ROR", ("TRE_R244",)),
    "JDV_J39": ("JDV_J39-ConditionTarifaire-ROR", ("TRE_R250",)),
    "JDV_J41": ("JDV_J41-TypeHoraire-ROR", ("TRE_R252",)),
    "JDV_J42": ("JDV_J42-TypeMaternite-ROR", ("TRE_R253",)),
    "JDV_J50": ("JDV_J50-AccessibiliteLieu-ROR", ("TRE_R202",)),
    "JDV_J51": ("JDV_J51-FamilleActiviteOperationnelle-ROR", ("TRE_R265", "TRE_R266")),
    "JDV_J55": ("JDV_J55-CategorieEG-ROR", ("TRE_R66", "TRE_R02")),
    "JDV_J117": ("JDV_J117-ModeExercice-ENREG", ("TRE_R23",)),
    "JDV_J124": ("JDV_J124-Commune", ("TRE_R13",)),
    "JDV_J186": (
        "JDV_J186-ProfessionRessource-ROR",
        ("TRE_G15", "TRE_R94", "TRE_R85", "TRE_R95", "TRE_R96", "TRE_G16", "TRE_R356"),
    ),
    "JDV_J187": ("JDV_J187-NatureCapacite-ROR", ("TRE_R329",)),
    "JDV_J188": ("JDV_J188-TypeStatutCapacite-ROR", ("TRE_R330",)),
    "JDV_J189": ("JDV_J189-TemporaliteCapacite-ROR", ("TRE_R331",)),
    "JDV_J190": ("JDV_J190-GenreCapacite-ROR", ("TRE_R332",)),
    "JDV_J191": ("JDV_J191-TypeFermetureCapacite-ROR", ("TRE_R333",)),
    "JDV_J192": ("JDV_J192-TypeLitSupplementaire-ROR", ("TRE_R334",)),
    "JDV_J193": ("JDV_J193-TypeSourceCapacite-ROR", ("TRE_R335",)),
    "JDV_J194": ("JDV_J194-TypeCrise-ROR", ("TRE_R336",)),
    "JDV_J195": ("JDV_J195-AffectationTemporaire-ROR", ("TRE_R337",)),
    "JDV_J198": ("JDV_J198-FonctionLieu-ROR", ("TRE_R343",)),
    "JDV_J208": ("JDV_J208-CiviliteExercice-ROR", ("TRE_R11",)),
    "JDV_J210": ("JDV_J210-SpecialiteOrdinale-ROR", ("TRE_R38",)),
    "JDV_J217": ("JDV_J217-ModeExercice-ROR", ("TRE_R23",)),
    "JDV_J219": ("JDV_J219-TypeVoie-ROR", ("TRE_R35",)),
    "JDV_J220": ("JDV_J220-FonctionContact-ROR", ("TRE_R251",)),
    "JDV_J221": ("JDV_J221-NatureContact-ROR", ("TRE_R287",)),
    "JDV_J222": ("JDV_J222-NiveauConfidentialite-ROR", ("TRE_R283",)),
    "JDV_J223": ("JDV_J223-TypeDivisionTerritoriale-ROR", ("TRE_R201",)),
    "JDV_J224": ("JDV_J224-StatutLieu-ROR", ("TRE_R203",)),
    "JDV_J225": ("JDV_J225-CanalCommunication-ROR", ("TRE_R200",)),
    "JDV_J226": ("JDV_J226-ModaliteAccueil-ROR", ("TRE_R338",)),
    "JDV_J227": ("JDV_J227-NiveauExpertise-ROR", ("TRE_R344", "TRE_R253")),
    "JDV_J236": ("JDV_J236-TypeIdentifiant-ROR", ("TRE_R354", "TRE_R355", "TRE_R345")),
    "JDV_J237": ("JDV_J237-RegionOM-ROR", ("TRE_R30",)),
    "JDV_J238": ("JDV_J238-TypeOffre-ROR", ("TRE_R244",)),
    "JDV_J241": ("JDV_J241-ThematiqueAnomalie-ROR", ("TRE_R350",)),
    "JDV_J242": ("JDV_J242-ActionAnomalie-ROR", ("TRE_R349",)),
    "JDV_J244": ("JDV_J244-StatutMetierAnomalie-ROR", ("TRE_R352",)),
    # SPEC.md gives no TRE for J248. ASS_X09 names the department table by OID
    # 1.2.250.1.71.1.2.16, which the ANS terminology IG publishes as TRE_G09-DepartementOM.
    "JDV_J248": ("JDV_J248-DepartementOM-ROR", ("TRE_G09",)),
}

OID_TO_TRE: Final[dict[str, str]] = {
    oid: tre for tre, (_, oid) in CODE_SYSTEMS.items() if oid is not None
}
NAME_TO_TRE: Final[dict[str, str]] = {name: tre for tre, (name, _) in CODE_SYSTEMS.items()}
NAME_TO_JDV: Final[dict[str, str]] = {name: jdv for jdv, (name, _) in VALUE_SETS.items()}
