"""What an API client may be given: a name, an access profile, read regions and write scopes.
Each check raises InvalidInput with a message that says what to fix."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable

from openror.access.caller import CAPACITY_SCOPE, PROFILES, WRITE_ALL
from openror.errors import InvalidInput, error
from openror.geo import current_gazetteer
from openror.services.authorise import REGION_SCOPE

MAX_NAME = 200


def _invalid(message: str) -> InvalidInput:
    return InvalidInput([error("value", message)])


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise _invalid(f"the client name must be 1 to {MAX_NAME} printable characters")
    return name


def check_profile(profile: int) -> int:
    if profile not in PROFILES:
        raise _invalid(f"profile {profile} is not a ROR access profile: use 0 (open data) to 5")
    return profile


def _region_codes() -> list[str]:
    return [r.code for r in current_gazetteer().rows.regions]


def check_region(code: str) -> str:
    codes = _region_codes()
    if code not in codes:
        raise _invalid(f"region '{code}' is not an INSEE region code (TRE_R30): use one of "
                       f"{', '.join(codes)}")
    return code


def check_regions(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({check_region(code.strip()) for code in codes}))


#: IdNatStruct of a FINESS establishment: "1" then its FINESS number (Corsica: 2A, 2B)
_ID_NAT_STRUCT = re.compile(r"^1[0-9][0-9AB][0-9]{7}$")


def check_writes(scopes: Iterable[str]) -> tuple[str, ...]:
    checked = set()
    for given in scopes:
        scope = given.strip()
        if scope.startswith(REGION_SCOPE):
            check_region(scope.removeprefix(REGION_SCOPE))
        elif scope.startswith(CAPACITY_SCOPE):
            scope = CAPACITY_SCOPE + check_establishment(scope.removeprefix(CAPACITY_SCOPE))
        elif scope != WRITE_ALL:
            raise _invalid(f"write scope '{scope}' is not valid: use '{WRITE_ALL}', "
                           f"'{REGION_SCOPE}<INSEE region code>' (e.g. {REGION_SCOPE}32) or "
                           f"'{CAPACITY_SCOPE}<FINESS of the site>' (capacity feed)")
        checked.add(scope)
    return tuple(sorted(checked))


def check_establishment(code: str) -> str:
    """A site's FINESS number (9 characters) or IdNatStruct ("1" + FINESS), as IdNatStruct:
    the form the capacity feed's identifiers start with."""
    code = code.strip().upper()
    found = f"1{code}" if len(code) == 9 else code
    if not _ID_NAT_STRUCT.match(found):
        raise _invalid(f"'{code}' is not the FINESS number of a site (9 characters, e.g. "
                       "020000261) nor its IdNatStruct (1 then the FINESS number)")
    return found


def new_client_id(name: str) -> str:
    """A readable id: the name as a slug, then random hex (``aisne-sas-3f9a1c2e``);
    the change log shows it as ``client:<id>``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:24].strip("-")
    return f"{slug or 'client'}-{secrets.token_hex(4)}"


def new_secret() -> str:
    return secrets.token_urlsafe(32)  # 256 bits
