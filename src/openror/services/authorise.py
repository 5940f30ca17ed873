"""Write rights (the "authorise" step of the write path): a write needs the scope ``all``, or
``region:R`` for the region R of the resource after the write and, when it already existed,
before it — so nothing moves into or out of a region without the rights on both sides."""

from __future__ import annotations

from openror.access.caller import ANONYMOUS, WRITE_ALL, Caller
from openror.errors import Forbidden, Unauthorized, error

REGION_SCOPE = "region:"


def may_write(caller: Caller, region: str) -> bool:
    return WRITE_ALL in caller.writes or f"{REGION_SCOPE}{region}" in caller.writes


def authorise_write(caller: Caller, ref: str, region: str,
                    previous_region: str | None = None) -> None:
    """Refuse the write of ``ref`` (``Type/id``) unless ``caller`` may write it: 401 for an
    anonymous caller, 403 naming the missing scope otherwise."""
    if WRITE_ALL in caller.writes:
        return
    regions = [r for r in dict.fromkeys((previous_region, region)) if r is not None]
    missing = [r for r in regions if not may_write(caller, r)]
    if not missing:
        return
    if caller == ANONYMOUS:
        raise Unauthorized([error("login", "writes need an access token: get one from "
                                  "POST /auth/token and send 'Authorization: Bearer <token>'")])
    if previous_region is not None and previous_region != region:
        where = f"{ref} would move from region {previous_region} to region {region}"
    else:
        where = f"{ref} belongs to region {region}"
    needed = " and ".join(f"'{REGION_SCOPE}{r}'" for r in missing)
    raise Forbidden([error("forbidden", f"{where}: writing it needs the write scope {needed} "
                           f"(or 'all'), which {caller.actor} lacks")])
