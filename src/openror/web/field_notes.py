"""The quality rules' warnings of a write (not refusals: the offer is saved), made ready to be
shown « à vérifier » next to the fields they concern.

A warning names the element at fault in its ``expression`` (the rule's FHIRPath,
quality/data/rules.json). Two rules find several things at once on the whole offer: the
population of the offer (PE: « manque : tranche d'âge, contact… ») and the medico-social
completeness (CP5); each thing they miss becomes its own note, on its own element, so that
each lands next to its field. The forms map the element to a field (web.entry.locate,
web.editor.messages)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from openror.errors import Issue
from openror.fhir import profiles as p
from openror.quality import catalog
from openror.quality.model import Rule
from openror.quality.requirements.completeness import CRITERIA

HS: Final = "HealthcareService"
TRE_R240: Final = p.nos_url("TRE_R240-TemporaliteAccueil")


def _with_url(url: str) -> str:
    return f"{HS}.extension.where(url='{url}')"


def _with_system(system: str) -> str:
    return f"{HS}.characteristic.where(coding.system='{system}')"


#: what PE and CP5 say is missing -> the element it is
MISSING: Final[dict[str, str]] = {
    **dict(zip(CRITERIA, (
        f"{HS}.type", f"{HS}.specialty", _with_system(p.TRE_R213_CARE_MODE),
        _with_url(p.EXT_PATIENT_TYPE), f"{HS}.location", _with_url(p.EXT_HS_CONTACT),
        f"{HS}.category"), strict=True)),
    "temporalité d'accueil": _with_system(TRE_R240),
}
_LISTING = " : manque : "


@dataclass(frozen=True)
class Note:
    expression: str | None  # the element at fault; None: the resource as a whole
    text: str  # in French


def notes(issues: Iterable[Issue]) -> list[Note]:
    """The warnings of a write as notes (its errors are not notes: they refused it)."""
    out: list[Note] = []
    for issue in issues:
        if issue.is_error or issue.code != "business-rule":
            continue
        out += _split(issue) or [Note(issue.expression[0] if issue.expression else None,
                                      issue.diagnostics)]
    return out


def _split(issue: Issue) -> list[Note]:
    """PE's or CP5's warning, one note per missing element; [] for any other warning."""
    rule = rule_of(issue.diagnostics)
    head = f"{rule.id} {rule.title}{_LISTING}" if rule else ""
    if rule is None or not issue.diagnostics.startswith(head):
        return []
    listed = issue.diagnostics[len(head):].removesuffix(f". {rule.remedy}").rstrip(".")
    names = [name.strip() for name in listed.split(",")]
    if not all(name in MISSING for name in names):
        return []
    return [Note(MISSING[name], f"{rule.id} {rule.title} : manque {name}.") for name in names]


def rule_of(diagnostics: str) -> Rule | None:
    """The rule a quality warning comes from (its text starts with the rule's id)."""
    try:
        return catalog.rule(diagnostics.split(" ", 1)[0])
    except KeyError:
        return None


def joined(found: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(field, text) pairs as one text per field, in order, each text once."""
    out: dict[str, str] = {}
    for name, text in found:
        if text not in out.get(name, ""):
            out[name] = f"{out[name]} {text}" if name in out else text
    return out
