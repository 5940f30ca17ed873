"""The equipment criterion on an offer's places: the asked type, in service, and a maximum
weight at least the asked one (UCUM kg, g, t, pounds)."""

from __future__ import annotations

from typing import Any

import pytest

from openror.search.orientation.equipment import check, kilograms
from openror.search.orientation.model import Coded, EquipmentNeed
from tests.search.test_orientation_criteria import Kit, equipment

BED = Coded("089", "Lit d'hospitalisation obésité (poids entre 250 et 350 kg) - bariatrique")
BIG_BED = Coded("090", "Lit d'hospitalisation obésité (poids entre 350 et 450 kg) - bariatrique")


def places(*kits: Kit) -> list[dict[str, Any]]:
    """One place per kit."""
    return [{"resourceType": "Location", "extension": [equipment(k)]} for k in kits]


#: (places' equipment, asked kinds, asked kg, (passes, French text))
CASES = [
    ((), (BED,), None, (False, f"aucun de ses lieux n'a l'équipement demandé ({BED.label})")),
    ((Kit("090", 1, None),), (BED,), None,
     (False, f"aucun de ses lieux n'a l'équipement demandé ({BED.label})")),
    ((Kit("089", 2, None),), (BED,), None, (True, f"équipement : {BED.label}")),
    ((Kit("089", None, None),), (BED,), None, (True, f"équipement : {BED.label}")),
    ((Kit("089", 0, (300, "kg")),), (BED,), None,
     (False, f"l'équipement demandé est hors service ({BED.label})")),
    ((Kit("089", 1, (300, "kg")),), (BED,), 200.0,
     (True, f"équipement : {BED.label}, jusqu'à 300 kg")),
    ((Kit("089", 1, (300_000, "g")),), (BED,), 300.0,
     (True, f"équipement : {BED.label}, jusqu'à 300 kg")),
    ((Kit("089", 1, (180, "kg")),), (BED,), 200.0,
     (False, "l'équipement supporte au plus 180 kg, 200 kg demandés")),
    ((Kit("089", 1, None),), (BED,), 200.0,
     (False, "limite de poids de l'équipement non renseignée (200 kg demandés)")),
    ((Kit("089", 1, (70, "cm")),), (BED,), 200.0,  # not a weight
     (False, "limite de poids de l'équipement non renseignée (200 kg demandés)")),
    # the best place wins; an out-of-service one does not count
    ((Kit("089", 1, (180, "kg")), Kit("090", 1, (450, "kg"))), (BED, BIG_BED), 400.0,
     (True, f"équipement : {BIG_BED.label}, jusqu'à 450 kg")),
    ((Kit("089", 1, (180, "kg")), Kit("090", 0, (450, "kg"))), (BED, BIG_BED), 400.0,
     (False, "l'équipement supporte au plus 180 kg, 400 kg demandés")),
]


@pytest.mark.parametrize(("kits", "kinds", "kg", "expected"), CASES)
def test_equipment(kits: tuple[Kit, ...], kinds: tuple[Coded, ...], kg: float | None,
                   expected: tuple[bool, str]) -> None:
    assert check(EquipmentNeed(kinds, kg), places(*kits)) == expected


@pytest.mark.parametrize(("quantity", "kg"), [
    ({"value": 200, "code": "kg"}, 200.0), ({"value": 250000, "code": "g"}, 250.0),
    ({"value": 0.3, "code": "t"}, 300.0), ({"value": 100, "unit": "kg"}, 100.0),
    ({"value": 100, "code": "[lb_av]"}, pytest.approx(45.359237)),
    ({"value": 70, "code": "cm"}, None), ({"code": "kg"}, None), (None, None)])
def test_kilograms(quantity: Any, kg: float | None) -> None:
    assert kilograms(quantity) == kg
