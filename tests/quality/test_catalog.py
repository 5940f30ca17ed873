"""The rules' descriptions (data/rules.json) and their checks agree."""

from __future__ import annotations

from openror.quality import catalog
from openror.quality.evaluate import evaluated_rules
from openror.quality.model import ACTIONS, THEMES

NATIONAL = {"EX1.2", "EX2", "EX3", "EX4", "EX5", "ST2", "ST3", "CO1", "CO2", "CO3", "CO4",
            "CP4", "CP5", "CP6", "RE1.2"}


def test_every_rule_is_described_and_evaluated() -> None:
    described = {rule.id for rule in catalog.rules()}
    assert described >= NATIONAL
    assert described == evaluated_rules()


def test_descriptions_use_the_nos_codes_and_say_what_to_do() -> None:
    for rule in catalog.rules():
        assert rule.theme in THEMES and rule.action in ACTIONS, rule.id
        assert rule.severity in ("error", "warning", "information"), rule.id
        assert rule.remedy.endswith(".") and rule.scope and rule.path, rule.id


def test_categories_fall_in_domains_as_the_ror_counts_them() -> None:
    assert catalog.domain_of_category("355") == "Sanitaire"
    assert catalog.domain_of_category("500") == "Médico-social"
    assert catalog.domain_of_category("604") == "Coordination"
    assert catalog.domain_of_category("SA07") == "Offre de ville"
    assert catalog.domain_of_category("999") == "Non défini"
    assert catalog.tracked("638") and not catalog.tracked("999")
