"""Text as the rules compare it: lower case, without accents (« Urgences » ~ « urgence »)."""

from __future__ import annotations

import unicodedata


def folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
