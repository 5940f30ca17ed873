"""Code systems and small FHIR element builders shared by the generators."""

from __future__ import annotations

from typing import Any

from openror.fhir import profiles as p
from openror.fhir.datatypes import concept
from openror.fhir.nos_systems import (
    TRE_R200,
    TRE_R283,
)

UCUM = "http://unitsofmeasure.org"
TRE_R30 = p.TRE_R30_REGION
TRE_R211 = p.TRE_R211_OPERATIONAL_ACTIVITY
TRE_R213 = p.TRE_R213_CARE_MODE
TRE_R251 = p.nos_url("TRE_R251-FonctionContact")
TRE_R239 = p.nos_url("TRE_R239-PublicPrisEnCharge")
TRE_R252 = p.nos_url("TRE_R252-TypeHoraire")
TRE_R253 = p.nos_url("TRE_R253-TypeMaternite")
TRE_R287 = p.nos_url("TRE_R287-NatureContact")
TRE_G09 = p.nos_url("TRE_G09-DepartementOM")

# Capacities (SPEC §2.4)
TRE_R329 = p.nos_url("TRE_R329-NatureCapacite")
TRE_R330 = p.nos_url("TRE_R330-TypeStatutCapacite")
TRE_R331 = p.nos_url("TRE_R331-TemporaliteCapacite")
TRE_R332 = p.nos_url("TRE_R332-GenreCapacite")
TRE_R333 = p.nos_url("TRE_R333-TypeFermetureCapacite")
TRE_R334 = p.nos_url("TRE_R334-TypeLitSupplementaire")
TRE_R335 = p.nos_url("TRE_R335-TypeSourceCapacite")
TRE_R336 = p.nos_url("TRE_R336-TypeCrise")
TRE_R337 = p.nos_url("TRE_R337-AffectationTemporaire")
TRE_R212 = p.nos_url("TRE_R212-Equipement")
TRE_R340 = p.nos_url("TRE_R340-TypeCaracteristiqueEquipement")

# Anomalies (SPEC §6)
TRE_R349 = p.nos_url("TRE_R349-ActionAnomalie")
TRE_R350 = p.nos_url("TRE_R350-ThematiqueAnomalie")
TRE_R352 = p.nos_url("TRE_R352-StatutMetierAnomalie")

PUBLIC, PROFESSIONALS, REGULATION = "1", "2", "3"  # TRE_R283 confidentiality levels


def ext_concept(url: str, system: str, code: str) -> dict[str, Any]:
    return {"url": url, "valueCodeableConcept": concept(system, code)}


def creation_date(moment: str) -> dict[str, Any]:
    return {"url": p.EXT_CREATION_DATE, "valueDateTime": moment}


def region_meta(region: str) -> dict[str, Any]:
    """``meta.tag`` with the source region (TRE_R30): the write path keeps a tag it is given."""
    return {"tag": [{"system": TRE_R30, "code": region}]}


def years(value: int) -> dict[str, Any]:
    return {"value": value, "system": UCUM, "code": "a"}


def telecom(system: str, value: str, channel: str, level: str) -> dict[str, Any]:
    """A ContactPoint with the two mandatory ROR extensions (channel, confidentiality)."""
    return {"system": system, "value": value, "extension": [
        ext_concept(p.EXT_TELECOM_CHANNEL, TRE_R200, channel),
        ext_concept(p.EXT_TELECOM_CONFIDENTIALITY, TRE_R283, level),
    ]}


def reference(rtype: str, rid: str) -> dict[str, str]:
    return {"reference": f"{rtype}/{rid}"}
