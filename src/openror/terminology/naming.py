"""NOS names and canonical URLs: ``TRE_R213-ModePriseEnCharge`` <-> its FHIR canonical URL."""

from __future__ import annotations

import re
from typing import Final

NOS_BASE: Final = "https://mos.esante.gouv.fr/NOS/"
IG_BASE: Final = "https://interop.esante.gouv.fr/ig/fhir/ror/"

# "TRE_R213-ModePriseEnCharge", "JDV_J19-ModePriseEnCharge-ROR", "ASS_X09-..."; the short id
# is the part before the first dash ("TRE_R213").
_NOS_NAME = re.compile(r"^(TRE|JDV|ASS)[_-]([A-Z]\d+)(?:-(.+))?$")
_NOS_URL = re.compile(r"^https?://mos\.esante\.gouv\.fr/NOS/([^/]+)(?:/FHIR/[^/]*)?/*$")


def nos_url(name: str) -> str:
    """Canonical FHIR URL of a full NOS name (``TRE_R213-ModePriseEnCharge``)."""
    return f"{NOS_BASE}{name}/FHIR/{name.replace('_', '-', 1)}"


def short_id(name: str) -> str:
    """``TRE_R213-ModePriseEnCharge`` -> ``TRE_R213``; other strings unchanged."""
    match = _NOS_NAME.match(name)
    return f"{match.group(1)}_{match.group(2)}" if match else name


def name_from_url(url: str) -> str | None:
    """Full NOS name in a NOS URL (canonical, portal page, trailing slash, http)."""
    match = _NOS_URL.match(url.strip())
    return match.group(1) if match else None


def nos_name(text: str) -> str | None:
    """Normalise ``TRE-R213-X``/``TRE_R213-X``/``TRE_R213`` to the underscore form."""
    match = _NOS_NAME.match(text.strip())
    if match is None:
        return None
    tail = f"-{match.group(3)}" if match.group(3) else ""
    return f"{match.group(1)}_{match.group(2)}{tail}"


def is_value_set_name(name: str) -> bool:
    return name.startswith("JDV_")
