"""What FHIRPath Patch needs to know about R4 elements: which repeat, which are choices.

A minimal hand-written table for the resource types of OpenROR. It is keyed by *context*: the
resource type for top-level elements, otherwise the JSON name of the holding element (an
``identifier``'s ``type`` does not repeat, an ``Organization``'s does). Only :func:`repeats`
reads the table, so it is the one function to swap for the generated r4-structure.json model.
"""

from __future__ import annotations

_REPEATING = frozenset({
    "extension", "modifierExtension", "identifier", "telecom", "contact", "coding", "line",
    "given", "prefix", "suffix", "characteristic", "specialty", "type", "category", "location",
    "availableTime", "notAvailable", "daysOfWeek", "hoursOfOperation", "endpoint", "input",
    "output", "item", "useContext", "qualification", "healthcareService", "alias",
    "coverageArea", "serviceProvisionCode", "eligibility", "program", "referralMethod",
    "contained", "tag", "security", "profile", "note", "basedOn", "performerType",
    "relevantHistory", "insurance", "recipient", "derivedFrom", "subjectType", "jurisdiction",
    "enableWhen", "answerOption", "initial",
})
_REFERENCE_ELEMENTS = ("providedBy", "managingOrganization", "partOf", "organization",
                       "practitioner", "focus", "for", "owner", "requester", "valueReference")
# context (resource type or name of the holding element) -> names that also repeat there
_REPEATING_IN: dict[str, frozenset[str]] = {
    "Organization": frozenset({"address"}),
    "Practitioner": frozenset({"name", "address", "photo", "communication"}),
    "HealthcareService": frozenset({"communication"}),
    "PractitionerRole": frozenset({"code"}),
    "Task": frozenset({"partOf"}),
    "Questionnaire": frozenset({"code"}),
    "item": frozenset({"code"}),
}
# context -> names of _REPEATING that do not repeat there (Reference.identifier is single)
_SINGLE_IN: dict[str, frozenset[str]] = {
    "Task": frozenset({"location"}),
    "identifier": frozenset({"type"}),
    "address": frozenset({"type"}),
    "input": frozenset({"type"}),
    "output": frozenset({"type"}),
    "item": frozenset({"type", "prefix"}),
    **{ref: frozenset({"identifier"}) for ref in _REFERENCE_ELEMENTS},
}
# Choice elements ([x]) whose JSON key carries the type: value + String -> valueString.
_CHOICE = frozenset({"value", "answer", "effective", "occurrence", "onset", "abatement",
                     "deceased", "multipleBirth", "defaultValue", "born", "serviced"})


def repeats(context: str, name: str) -> bool:
    """Whether ``name`` repeats inside ``context`` (a resource type or the holding element)."""
    if name in _SINGLE_IN.get(context, ()):
        return False
    return name in _REPEATING or name in _REPEATING_IN.get(context, ())


def is_choice(name: str) -> bool:
    return name in _CHOICE


def element_key(name: str, value_type: str | None) -> str:
    """JSON key for element ``name`` holding a value of ``value_type`` (value -> valueString)."""
    return name + value_type if value_type and name in _CHOICE else name
