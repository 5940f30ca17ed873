"""Plain values of the terminology package: concepts, value sets, releases, check results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CheckStatus = Literal["ok", "retired", "unknown-code", "unknown-system", "unknown-valueset"]


@dataclass(frozen=True, slots=True)
class Concept:
    """One code of a code system; ``system`` is the canonical (TRE or IG) URL."""

    system: str
    code: str
    display: str
    retired: bool = False


@dataclass(frozen=True, slots=True)
class ValueSet:
    """A JDV value set; ``id`` is the short NOS id (``JDV_J19``) or the IG resource id."""

    id: str
    url: str
    name: str
    version: str
    systems: tuple[str, ...]
    concepts: tuple[Concept, ...]


@dataclass(frozen=True, slots=True)
class CodeCheck:
    """Outcome of :meth:`Terminology.check`; ``message`` says what to fix (empty when ok)."""

    status: CheckStatus
    message: str

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "retired")


@dataclass(frozen=True, slots=True)
class Association:
    """An ``ASS_`` file: pairs of codes linking two code systems (e.g. department -> region)."""

    name: str
    source_system: str
    target_system: str
    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Release:
    """One parsed NOS release (one or many files).

    ``code_systems`` maps a canonical system URL to the concepts this release knows of it: the
    union of its value sets' concepts plus any CodeSystem resource it carries.
    """

    value_sets: tuple[ValueSet, ...]
    code_systems: dict[str, tuple[Concept, ...]]
    label: str
    associations: tuple[Association, ...] = field(default=())
    #: systems this release lists in full (from a CodeSystem resource); the others are known
    #: only through value sets, so a code missing from them is not proof of an unknown code
    complete_systems: tuple[str, ...] = field(default=())
