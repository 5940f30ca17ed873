"""Every rule over the whole directory, in an order where the population of the offers (PE)
comes before the establishments' (CP4), which is built from it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from openror.quality.directory import Directory
from openror.quality.model import Finding, State
from openror.quality.requirements import (
    coherence,
    completeness,
    consistency,
    finess_rules,
    recency,
    structure,
)

#: the rules each family evaluates (a test checks it covers the catalog)
FAMILIES: tuple[tuple[tuple[str, ...], Callable[[Directory], Iterator[Finding]]], ...] = (
    (("EX1.2",), finess_rules.exhaustiveness),
    (("EX2",), finess_rules.state),
    (("EX3", "EX4", "EX5"), finess_rules.resuscitation),
    (("ST2", "CO4"), finess_rules.attachment_and_category),
    (("ST3",), structure.duplicates),
    (("CO1",), coherence.emergency),
    (("CO2",), coherence.maternity),
    (("CO3",), coherence.sensitive),
    (("CP5", "CP6"), completeness.medico_social),
    (("RE1.2",), recency.offers_recency),
    (("RE2",), recency.capacity_figures),
    (("OF1",), consistency.age_ranges),
)


#: the rules that need the FINESS reference: without one (never imported), they would find
#: every establishment "unknown to FINESS", so they are not evaluated at all
NEED_FINESS = frozenset({"EX1.2", "EX2", "EX3", "EX4", "EX5", "ST2", "CO4", "CO1", "CO2",
                         "CP4"})


def skipped(directory: Directory) -> frozenset[str]:
    """The rules a run cannot evaluate on this directory."""
    return frozenset() if directory.finess_sites else NEED_FINESS


def evaluate(directory: Directory) -> Iterator[Finding]:
    left_out = skipped(directory)
    for rules, family in FAMILIES:
        if not set(rules) <= left_out:
            yield from family(directory)
    states: dict[str, State] = {}
    for finding in completeness.offer_population(directory):
        states[finding.unit.rsplit("/", 1)[-1]] = finding.state
        yield finding
    if "CP4" not in left_out:
        yield from completeness.establishment_population(directory, states)


def evaluated_rules() -> set[str]:
    return {rule for rules, _ in FAMILIES for rule in rules} | {"PE", "CP4"}
