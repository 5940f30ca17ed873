"""``:text`` on tokens: the codes whose NOS label matches a text, word by word prefix."""

from __future__ import annotations

from functools import cache

from openror.fhir.search_values import words
from openror.terminology import default_terminology


@cache
def _labelled() -> tuple[tuple[str, str, frozenset[str]], ...]:
    return tuple((c.system, c.code, frozenset(words(c.display)))
                 for c in default_terminology().concepts() if c.display)


def codes_labelled(text: str) -> list[tuple[str, str]]:
    """(system, code) pairs whose label has, for each word of ``text``, a word it prefixes."""
    wanted = words(text)
    if not wanted:
        return []
    return [(system, code) for system, code, label in _labelled()
            if all(any(w.startswith(t) for w in label) for t in wanted)]
