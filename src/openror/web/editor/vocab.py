"""The NOS vocabularies of the editor's fields: the choices of a list, a code's label, and
the code of what was typed in a search-as-you-type field (``<input list>`` + ``<datalist>``,
which sends back the text of the chosen option: « Médecine générale (437) »)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from openror.fhir.profiles import nos_url
from openror.geo import normalise_name
from openror.terminology import Terminology
from openror.web.typed_codes import read_code


@dataclass(frozen=True)
class Choice:
    code: str
    label: str

    @property
    def text(self) -> str:
        """What a datalist option shows and sends back."""
        return f"{self.label} ({self.code})"


@dataclass(frozen=True)
class Vocabulary:
    """One coded element: its code system(s) and where the choices come from (a value set,
    else the whole code system; ``extra`` when the bundled NOS files lack the list)."""

    system: str  # the TRE the codes are written with
    value_set: str | None = None
    extra: tuple[Choice, ...] = ()

    def choices(self, terminology: Terminology) -> list[Choice]:
        return list(_choices(terminology, self))

    def label(self, terminology: Terminology, code: str) -> str:
        for extra in self.extra:
            if extra.code == code:
                return extra.label
        found = _labels(terminology, self).get(code)
        return found or terminology.display(self.system, code) or f"code {code}"

    def described(self, terminology: Terminology, code: str) -> str:
        return f"{self.label(terminology, code)} ({code})"


@lru_cache(maxsize=64)
def _choices(terminology: Terminology, vocabulary: Vocabulary) -> tuple[Choice, ...]:
    """Sorted by label; cached per terminology (a code system without a value set is found
    by a pass over every concept, communes included)."""
    concepts = terminology.expand(vocabulary.value_set) if vocabulary.value_set else []
    if not concepts:
        system = terminology.canonical_system(vocabulary.system)
        concepts = [c for c in terminology.concepts() if c.system == system and not c.retired]
    found = {c.code: Choice(c.code, c.display) for c in concepts}
    for extra in vocabulary.extra:
        found.setdefault(extra.code, extra)
    return tuple(sorted(found.values(), key=lambda c: (normalise_name(c.label), c.code)))


@lru_cache(maxsize=64)
def _labels(terminology: Terminology, vocabulary: Vocabulary) -> dict[str, str]:
    """Code -> label of the vocabulary's choices (a value set may span several systems)."""
    return {c.code: c.label for c in _choices(terminology, vocabulary)}


def tre(name: str) -> str:
    return nos_url(name)


def code_of(vocabulary: Vocabulary, terminology: Terminology, typed: str) -> str:
    """The code of what was typed (web.typed_codes): « Libellé (code) » as the list sends
    it, a bare code, or a label typed in full. Anything else comes back as its trailing code
    or as typed, for validation to refuse with the API's own rule (the code is not in the
    value set)."""
    return read_code(vocabulary.choices(terminology), typed, keep_typed=False)
