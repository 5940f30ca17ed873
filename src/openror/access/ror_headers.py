"""The ROR ``Ror-*`` request headers (SPEC.md §3.8): every read by an information system
carries the user profile and the business role assigned to it at onboarding, each as a code
and its system. The server stores the expected values per API client and, depending on
``OPENROR_ROR_HEADERS``, requires them, checks them when present, or ignores them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from openror.errors import Forbidden, InvalidInput, Issue, error

PROFILE_CODE = "Ror-Profil-Utilisateur-Code"
PROFILE_SYSTEM = "Ror-Profil-Utilisateur-System"
ROLE_CODE = "Ror-Role-Metier-Code"
ROLE_SYSTEM = "Ror-Role-Metier-System"
HEADERS = (PROFILE_CODE, PROFILE_SYSTEM, ROLE_CODE, ROLE_SYSTEM)

#: the systems of the ROR documentation, used when a client's value gives none
DEFAULT_PROFILE_SYSTEM = "1.2.250.1.213.1.6.1.66"
DEFAULT_ROLE_SYSTEM = "1.2.250.1.213.1.1.4.6"

REQUIRED, ACCEPTED, IGNORED = "required", "accepted", "ignored"
MODES = (REQUIRED, ACCEPTED, IGNORED)

#: what a header value may hold: visible ASCII without '|' (the system|code separator)
_VALUE = re.compile(r"[!-{}~]{1,100}")


def assignment(text: str, default_system: str, what: str) -> str:
    """A client's value as given to ``openror clients add``: ``CODE`` or ``SYSTEM|CODE``,
    stored as ``SYSTEM|CODE``."""
    system, bar, code = text.strip().rpartition("|")
    system = system if bar else default_system
    for part in (system, code):
        if not _VALUE.fullmatch(part):
            raise InvalidInput([error("value", f"{what} '{text}' is not valid: give CODE or "
                                      "SYSTEM|CODE, 1 to 100 visible ASCII characters each "
                                      "(e.g. CU22, or 1.2.250.1.213.1.6.1.66|CU22)")])
    return f"{system}|{code}"


def expected(profile: str | None, role: str | None) -> tuple[tuple[str, str], ...]:
    """(header, value) pairs a client's requests must carry, from its stored values."""
    pairs: list[tuple[str, str]] = []
    for stored, system_header, code_header in ((profile, PROFILE_SYSTEM, PROFILE_CODE),
                                               (role, ROLE_SYSTEM, ROLE_CODE)):
        if stored:
            system, _, code = stored.rpartition("|")
            pairs += [(code_header, code), (system_header, system)]
    return tuple(pairs)


def check(mode: str, sent: Mapping[str, Sequence[str]], wanted: tuple[tuple[str, str], ...],
          is_read: bool) -> None:
    """Refuse a request whose headers break the mode: 400 for a header missing from a read
    when they are required, 403 for a value other than the client's. ``sent`` maps each
    header name (any case) to the values it came with."""
    if mode == IGNORED:
        return
    values = {name.lower(): found for name, found in sent.items()}
    if mode == REQUIRED and is_read:
        missing = [_missing(name) for name in HEADERS if not values.get(name.lower())]
        if missing:
            raise InvalidInput(missing)
    wrong = [_wrong(name) for name, value in wanted
             if any(v != value for v in values.get(name.lower(), ()))]
    if wrong:
        raise Forbidden(wrong)


def _missing(name: str) -> Issue:
    return error("required", f"the header {name} is missing: every read carries the four "
                 "Ror-* headers with the profile and business role assigned at onboarding",
                 name)


def _wrong(name: str) -> Issue:
    return error("forbidden", f"the header {name} does not match the value assigned to this "
                 "API client at onboarding", name)
