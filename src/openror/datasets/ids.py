"""Deterministic ids and random streams, derived from natural keys.

Every random choice about an establishment comes from a stream seeded by (seed, FINESS
number), so an establishment's content does not depend on which others were generated before
it: ``--limit`` gives a prefix of the full run, and a re-run gives the same bytes.
"""

from __future__ import annotations

import hashlib
import random


def stream(seed: int, *parts: str) -> random.Random:
    """A random stream for one natural key (blake2b, not ``hash()``: that one is salted per
    process)."""
    digest = hashlib.blake2b("\x1f".join((str(seed), *parts)).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def legal_entity_id(finess: str) -> str:
    return f"ej-{finess}"


def site_id(finess: str) -> str:
    return f"eg-{finess}"


def finess_place_id(finess: str) -> str:
    return f"loc-{finess}"


def place_id(finess: str, number: int) -> str:
    return f"loc-{finess}-{number:03d}"


def offer_id(finess: str, number: int) -> str:
    return f"hs-{finess}-{number:03d}"


def practitioner_id(rpps: str) -> str:
    return f"pr-{rpps}"


def role_id(rpps: str, number: int) -> str:
    return f"role-{rpps}-{number}"


def task_id(finess: str, number: int) -> str:
    return f"task-{finess}-{number}"


def functional_value(region: str, local: str) -> str:
    """ROR functional identifier ``<region>/<localId>`` (offers R355 35, places R354 25).
    Local ids carry a letter, so they never collide with the server's numeric counters."""
    return f"{region}/{local}"
