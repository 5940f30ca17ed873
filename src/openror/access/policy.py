"""The read policy as data: what each ROR access profile may see (SPEC.md §3.8, from the ANS
"Politique d'accès aux données" and the 0.7.0 mapping comments).

Everything that hides or redacts — reads, history, search, includes — asks this module, so a
change to the rules is a change here only. Where the ROR text leaves a case open, the rule
here is the more restrictive reading (a leak is the worst defect); docs/api/access.md lists
those choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Final

from openror.access.caller import Caller
from openror.fhir.profiles import nos_url


class Capacities(Enum):
    ALL = "all"
    NO_SUPPLEMENTARY = "no-supplementary"  # every record but the supplementary beds
    INSTALLED = "installed"  # installed beds and places only
    NONE = "none"


@dataclass(frozen=True)
class FieldRules:
    """What a profile sees of one resource (which may depend on its field of activity)."""

    max_confidentiality: int  # contacts and telecoms up to this level (1 public … 3)
    acts: bool  # specific acts, acts outside the office, speciality, resource profession,
    #             specific competence (HealthcareService.characteristic slices)
    equipment: bool  # Location equipment
    capacities: Capacities
    personal_data: bool  # a practitioner's own telecom, address, gender, birth date, photo
    crisis: bool  # ORSAN level and helicopter drop zone


OPEN_DATA: Final = FieldRules(1, acts=False, equipment=False, capacities=Capacities.NONE,
                              personal_data=False, crisis=False)
_ALL: Final = FieldRules(3, acts=True, equipment=True, capacities=Capacities.ALL,
                         personal_data=True, crisis=True)
_PROFESSIONAL: Final = FieldRules(2, acts=True, equipment=True,
                                  capacities=Capacities.NO_SUPPLEMENTARY, personal_data=True,
                                  crisis=False)

#: profile -> rules; profile 3 sees the medico-social offer as profile 2 does and the rest as
#: open data (``field_rules``)
_RULES: Final[dict[int, FieldRules]] = {
    0: OPEN_DATA,
    1: _ALL,
    2: _PROFESSIONAL,
    3: _PROFESSIONAL,
    4: FieldRules(1, acts=True, equipment=True, capacities=Capacities.ALL, personal_data=False,
                  crisis=True),
    5: FieldRules(2, acts=True, equipment=True, capacities=Capacities.INSTALLED,
                  personal_data=True, crisis=False),
}

#: TRE_R227 fields of activity
FIELD_MEDICO_SOCIAL: Final = "04"
FIELD_CITY: Final = "05"
FIELD_SYSTEM: Final = nos_url("TRE_R227-ChampActivite")


def field_rules(caller: Caller, medico_social: bool) -> FieldRules:
    if caller.profile == 3 and not medico_social:
        return OPEN_DATA
    return _RULES[caller.profile]


def sees_sensitive_units(caller: Caller) -> bool:
    """Sensitive units and all that hangs off them: profiles 1 and 4 only."""
    return caller.profile in (1, 4)


def practitioner_fields(caller: Caller) -> frozenset[str] | None:
    """The fields of activity of the offers whose practitioners (and their roles) the caller
    sees; None: all. Profile 0 sees those of city offers only, profile 3 those of
    medico-social offers and, as open data, of city offers."""
    if caller.profile == 0:
        return frozenset({FIELD_CITY})
    if caller.profile == 3:
        return frozenset({FIELD_CITY, FIELD_MEDICO_SOCIAL})
    return None


def sees_tasks(caller: Caller) -> bool:
    """Anomalies are the regional operators' work queue: profile 1 only, for now."""
    return caller.profile == 1


def sees_indicators(caller: Caller) -> bool:
    """The steering indicators (MeasureReport), like the quality indicators of /api/quality:
    profile 1 only (some count sensitive units, CO3). Their definitions (Measure) are open."""
    return caller.profile == 1


#: capacity status codes (TRE_R330)
INSTALLED: Final = "01"
SUPPLEMENTARY: Final = "06"

#: HealthcareService.characteristic codings any profile sees: care mode, reception type and
#: modality, annual opening, expertise level (maternity type). Others are acts or
#: competences, and a coding of an unknown system is treated as one.
PUBLIC_CHARACTERISTICS: Final = frozenset(nos_url(n) for n in (
    "TRE_R213-ModePriseEnCharge", "TRE_R338-ModaliteAccueil", "TRE_R240-TemporaliteAccueil",
    "TRE_R238-OuvertureAnnuelle", "TRE_R253-TypeMaternite"))
