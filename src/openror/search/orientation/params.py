"""The need's parameters given as codes and values (``activity``, ``careMode``, ``act``,
``public``, ``equipment``, ``equipmentLimit``, ``age``, ``sex``, ``openNow``): checked
against the NOS, a 400 naming the wrong one."""

from __future__ import annotations

from openror.errors import InvalidInput, error
from openror.search.orientation.model import Coded, EquipmentNeed
from openror.terminology import default_terminology

EQUIPMENT = "JDV_J18"
ACTS = "JDV_J16"
ACT_SYSTEM = "TRE_R210-ActeSpecifique"
MAX_KG = 2000.0
_SEXES = {"female": "female", "f": "female", "femme": "female",
          "male": "male", "m": "male", "homme": "male"}


def unique(found: list[Coded]) -> tuple[Coded, ...]:
    return tuple(dict.fromkeys(found))


def codes(raw: str | None, vs: str, name: str) -> tuple[Coded, ...]:
    """Comma-separated codes of a value set; an unknown one is a 400 naming ``name``."""
    known = {c.code: c.display for c in default_terminology().expand(vs)}
    found = []
    for code in filter(None, (c.strip() for c in (raw or "").split(","))):
        if code not in known:
            raise InvalidInput([error("invalid", f"{name}: '{code}' is not a code of {vs}",
                                      name)])
        found.append(Coded(code, known[code]))
    return tuple(found)


def equipment(read: EquipmentNeed | None, raw: str | None, limit: str | None
              ) -> EquipmentNeed | None:
    """The equipment asked by code and by text (any of them), with the weight asked by
    ``equipmentLimit`` or, else, by the text."""
    kinds = unique([*codes(raw, EQUIPMENT, "equipment"), *(read.kinds if read else ())])
    kg = kilograms(limit) if limit else read.min_kg if read else None
    if limit and not kinds:
        raise InvalidInput([error("required", "equipmentLimit is the weight the asked "
                                  "equipment must bear: give equipment (TRE_R212 codes) too",
                                  "equipmentLimit")])
    return EquipmentNeed(kinds, kg) if kinds else None


def kilograms(raw: str) -> float:
    """« 200 », « 200|kg », « 200000|g », « 200 kg » -> kg."""
    value, _, unit = raw.replace(" ", "|", 1).partition("|")
    factor = {"": 1.0, "kg": 1.0, "g": 0.001}.get(unit.strip().lower())
    try:
        kg = float(value) * factor if factor is not None else -1.0
    except ValueError:
        kg = -1.0
    if not 0 < kg <= MAX_KG:
        raise InvalidInput([error("invalid", "equipmentLimit is a weight the equipment must "
                                  "bear: a number of kg, or number|kg or number|g "
                                  f"(up to {MAX_KG:g} kg)", "equipmentLimit")])
    return kg


def act_codes(raw: str | None) -> tuple[Coded, ...]:
    """Specific acts (TRE_R210), checked against JDV_J16 (bundled since 2026-11); should a
    terminology lack it, the codes are taken as given (an unknown one matches no offer)."""
    if not raw or default_terminology().value_set(ACTS) is not None:
        return codes(raw, ACTS, "act")
    found = []
    for code in filter(None, (c.strip() for c in raw.split(","))):
        if not code.replace("-", "").replace(".", "").isalnum() or len(code) > 20:
            raise InvalidInput([error("invalid", f"act: '{code}' is not a code of TRE_R210",
                                      "act")])
        label = default_terminology().display(ACT_SYSTEM, code)
        found.append(Coded(code, label or f"acte {code}"))
    return tuple(found)


def flag(raw: str | None, name: str) -> bool:
    if raw in (None, "", "false"):
        return False
    if raw == "true":
        return True
    raise InvalidInput([error("invalid", f"{name} is true or false", name)])


def age(raw: str | None) -> float | None:
    if raw is None or raw == "":
        return None
    try:
        years = float(raw)
    except ValueError:
        years = -1
    if not 0 <= years <= 130:
        raise InvalidInput([error("invalid", "age is the patient's age in years, 0 to 130",
                                  "age")])
    return years


def sex(raw: str | None) -> str | None:
    if not raw:
        return None
    if raw.lower() not in _SEXES:
        raise InvalidInput([error("invalid", "sex is female or male", "sex")])
    return _SEXES[raw.lower()]
