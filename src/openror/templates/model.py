"""An entry template as stored: a RORQuestionnaire and the use contexts it is chosen by.

SPEC.md §5.1: ``useContext`` is sliced by its ``code`` — ``EG`` (catEG: EG category, JDV_J55),
``P01`` (typePS: profession, JDV_J229), ``S`` (speOrdinal: ordinal specialty, JDV_J210),
``champAct`` (field of activity, JDV_J20) and ``fonctionLieu`` (place function, JDV_J198).
The slices are told apart by code alone, as the validation of catEG does: a code system
written differently (a JDV URL, a trailing slash) does not hide a context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: useContext.code.code -> slice name of the RORQuestionnaire profile
SLICES = {"EG": "catEG", "P01": "typePS", "S": "speOrdinal", "champAct": "champAct",
          "fonctionLieu": "fonctionLieu"}


@dataclass(frozen=True)
class Coded:
    """One coded value of a context; ``system`` is empty when the template gives none."""

    system: str
    code: str

    def matches(self, wanted: Coded) -> bool:
        """Same code, and the same system when both say one."""
        return self.code == wanted.code and (
            not self.system or not wanted.system or self.system == wanted.system)

    @classmethod
    def parse(cls, value: str) -> Coded:
        """``code`` or ``system|code``, as in a token search."""
        system, bar, code = value.strip().rpartition("|")
        return cls(system if bar else "", code)


@dataclass(frozen=True)
class Questionnaire:
    """A stored template: its logical id, the store version read, and the resource."""

    id: str
    store_version: int
    resource: dict[str, Any] = field(compare=False, repr=False)

    @property
    def url(self) -> str:
        return str(self.resource.get("url") or "")

    @property
    def version(self) -> str:
        """The business version (``Questionnaire.version``), not the store's."""
        return str(self.resource.get("version") or "")

    @property
    def canonical(self) -> str:
        """``url|version``: what an offer records in ror-meta-questionnaire-used-as-a-template
        (the invariant ror-questionnaire-version-required wants the version)."""
        return f"{self.url}|{self.version}" if self.version else self.url

    @property
    def name(self) -> str:
        return str(self.resource.get("name") or "")

    @property
    def title(self) -> str:
        return str(self.resource.get("title") or "")

    @property
    def status(self) -> str:
        return str(self.resource.get("status") or "")

    @property
    def date(self) -> str:
        return str(self.resource.get("date") or "")

    @property
    def contexts(self) -> dict[str, frozenset[Coded]]:
        """Slice name -> the values the template is for (absent: not constrained)."""
        return use_contexts(self.resource)


def use_contexts(resource: dict[str, Any]) -> dict[str, frozenset[Coded]]:
    found: dict[str, set[Coded]] = {}
    for ctx in _dicts(resource.get("useContext")):
        code = ctx.get("code")
        slice_name = SLICES.get(str(code.get("code"))) if isinstance(code, dict) else None
        concept = ctx.get("valueCodeableConcept")
        if slice_name is None or not isinstance(concept, dict):
            continue
        for coding in _dicts(concept.get("coding")):
            if isinstance(coding.get("code"), str):
                found.setdefault(slice_name, set()).add(
                    Coded(str(coding.get("system") or ""), coding["code"]))
    return {name: frozenset(values) for name, values in found.items()}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
