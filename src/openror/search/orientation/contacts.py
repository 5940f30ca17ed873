"""The ways to reach an offer, as the caller sees it: the read policy already removed the
contacts and telecoms above the caller's confidentiality level (docs/api/access.md), so
everything left in the offer's body is shown.

Two places hold them in a ROR offer: its contacts (``ror-healthcareservice-contact``, each
with a purpose J221, a description and telecoms ``ror-healthcareservice-contact-telecom``
whose channel J225 says phone, e-mail…), listed first, and its ``telecom`` (the offer's
secure mailbox, a ContactPoint with a channel and a usage).
"""

from __future__ import annotations

from typing import Any

from openror.fhir.profiles import (
    EXT_HS_CONTACT,
    EXT_HS_CONTACT_TELECOM,
    EXT_TELECOM_CHANNEL,
    EXT_TELECOM_USAGE,
    nos_url,
)
from openror.search.orientation.model import Contact, Json
from openror.terminology import default_terminology

CHANNELS = nos_url("TRE_R200-CanalCommunication")
PURPOSES = nos_url("TRE_R287-NatureContact")
#: TRE_R200 channel -> FHIR ContactPoint.system
_SYSTEMS = {"1": "phone", "2": "phone", "3": "email", "4": "url", "6": "fax", "8": "phone",
            "9": "email"}


def contacts(offer: Json) -> tuple[Contact, ...]:
    first: dict[tuple[str, str], Contact] = {}
    for contact in [*_from_contacts(offer), *_from_telecoms(offer)]:
        first.setdefault((contact.system, contact.value), contact)  # the one with a purpose
    return tuple(first.values())


def _from_contacts(offer: Json) -> list[Contact]:
    found = []
    for ext in offer.get("extension") or []:
        if not isinstance(ext, dict) or ext.get("url") != EXT_HS_CONTACT:
            continue
        parts = [p for p in ext.get("extension") or [] if isinstance(p, dict)]
        purpose = next((_display(PURPOSES, p) for p in parts if p.get("url") == "purposeContact"),
                       None)
        about = next((p.get("valueString") for p in parts if p.get("url") == "description"),
                     None)
        label = " – ".join(str(x) for x in (purpose, about) if x)
        for telecom in (p for p in parts if p.get("url") == EXT_HS_CONTACT_TELECOM):
            sub = {t.get("url"): t for t in telecom.get("extension") or [] if isinstance(t, dict)}
            value = (sub.get("telecomAddress") or {}).get("valueString")
            channel = _channel(sub.get(EXT_TELECOM_CHANNEL))
            if isinstance(value, str) and value:
                found.append(Contact(_SYSTEMS.get(channel or "", "other"), value,
                                     label or _display(CHANNELS, sub.get(EXT_TELECOM_CHANNEL))
                                     or ""))
    return found


def _from_telecoms(offer: Json) -> list[Contact]:
    found = []
    for telecom in offer.get("telecom") or []:
        if not isinstance(telecom, dict) or not isinstance(telecom.get("value"), str):
            continue
        sub = {e.get("url"): e for e in telecom.get("extension") or [] if isinstance(e, dict)}
        usage = (sub.get(EXT_TELECOM_USAGE) or {}).get("valueString")
        system = telecom.get("system") or _SYSTEMS.get(_channel(sub.get(EXT_TELECOM_CHANNEL))
                                                       or "", "other")
        found.append(Contact(str(system), telecom["value"],
                             usage or _display(CHANNELS, sub.get(EXT_TELECOM_CHANNEL)) or ""))
    return found


def _channel(ext: Any) -> str | None:
    codings = ((ext or {}).get("valueCodeableConcept") or {}).get("coding") or []
    return next((str(c["code"]) for c in codings if isinstance(c, dict) and c.get("code")),
                None)


def _display(system: str, ext: Any) -> str | None:
    """The NOS label of an extension's code (its own display when the code is unknown)."""
    codings = ((ext or {}).get("valueCodeableConcept") or {}).get("coding") or []
    for coding in codings:
        if isinstance(coding, dict) and isinstance(coding.get("code"), str):
            return default_terminology().display(system, coding["code"]) \
                or coding.get("display")
    return None
