"""An address typed as free text (« 12 rue de la Paix 02000 Laon », « Laon ») as the commune
it is in. Streets are not geocoded: the patient is placed at the commune's centre.

With a postal code, the commune is the one named after it (or before it) under that code,
else a commune of that code whose name is in the text, else — when nothing follows the
code — the code's first commune (as ``postalCode``); without a postal code, the last part
after a comma, then the longest run of last words, that names one commune only."""

from __future__ import annotations

import re

from openror.errors import InvalidInput, error
from openror.geo.gazetteer import Gazetteer
from openror.geo.model import Commune
from openror.geo.names import normalise_name

POSTAL_CODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")
MAX_NAME_WORDS = 6  # « Saint-Martin-de-… » is one word; few names have more than 6


def find_commune(gaz: Gazetteer, text: str) -> tuple[Commune, str | None]:
    """The commune of an address, with the postal code it gave (if any); a 400 naming
    ``address`` when none is found."""
    match = POSTAL_CODE.search(text)
    found = _with_postal_code(gaz, text, match) if match else _by_name(gaz, text)
    if found is None:
        raise InvalidInput([error("invalid", f"address: no commune found in '{text}'; give a "
                                  "postal code and a commune, or a commune's name",
                                  "address")])
    return found, match.group(1) if match else None


def _with_postal_code(gaz: Gazetteer, text: str, match: re.Match[str]) -> Commune | None:
    after = _clean(text[match.end():].split(",", maxsplit=1)[0])
    before = _clean(text[:match.start()].rsplit(",", maxsplit=1)[-1])
    for city in filter(None, (after, *_tails(before))):
        found = gaz.find(match.group(1), city)
        if found is not None:
            return found
    served = gaz.by_postal_code(match.group(1))
    words = f" {normalise_name(text)} "
    named = [c for c in served if f" {normalise_name(c.name)} " in words]
    if named:
        return max(named, key=lambda c: len(c.name))
    return served[0] if served and not after else None


def _by_name(gaz: Gazetteer, text: str) -> Commune | None:
    parts = [_clean(p) for p in text.split(",")]
    for city in filter(None, (parts[-1], *_tails(_clean(text)))):
        found = gaz.find(None, city)
        if found is not None:
            return found
    return None


def _tails(text: str) -> list[str]:
    """The runs of last words, longest first: « rue de la Paix Laon » -> …, « la Paix Laon »,
    « Paix Laon », « Laon »."""
    words = text.split()
    return [" ".join(words[-n:]) for n in range(min(len(words), MAX_NAME_WORDS), 0, -1)]


def _clean(text: str) -> str:
    return " ".join(text.replace(",", " ").split())
