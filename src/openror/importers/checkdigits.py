"""Check digits of French registry numbers: FINESS, SIREN, SIRET, RPPS.

All three end with a Luhn key. FINESS numbers of Corsica start with ``2A``/``2B``: the key is
computed with ``A`` read as 1 and ``B`` as 2 (``2A`` → ``21``, ``2B`` → ``22``), which every
Corsican number of the national file (750 distinct) satisfies. SIRETs of La Poste (SIREN
356000000) are numbered per office and break Luhn: INSEE checks them by the sum of their digits
being a multiple of 5.
"""

from __future__ import annotations

LA_POSTE_SIREN = "356000000"
_CORSICA = {"2A": "21", "2B": "22"}


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def finess_error(number: str) -> str | None:
    """Why ``number`` is not a FINESS number, or None when it is one."""
    if len(number) != 9:
        return f"'{number}' has {len(number)} characters; a FINESS number has 9"
    digits = _CORSICA.get(number[:2], number[:2]) + number[2:]
    if not digits.isascii() or not digits.isdigit():
        return f"'{number}' is not 9 digits (2A/2B allowed for Corsica)"
    if not luhn_ok(digits):
        return f"check digit of '{number}' is wrong (Luhn key); check the number"
    return None


def siren_error(number: str) -> str | None:
    if len(number) != 9 or not number.isascii() or not number.isdigit():
        return f"'{number}' is not 9 digits"
    if not luhn_ok(number):
        return f"check digit of SIREN '{number}' is wrong (Luhn key)"
    return None


def siret_error(number: str) -> str | None:
    if len(number) != 14 or not number.isascii() or not number.isdigit():
        return f"'{number}' is not 14 digits"
    if number.startswith(LA_POSTE_SIREN):
        if sum(ord(c) - 48 for c in number) % 5 == 0:
            return None
        return f"check digit of SIRET '{number}' is wrong (La Poste: digit sum not a multiple of 5)"
    if not luhn_ok(number):
        return f"check digit of SIRET '{number}' is wrong (Luhn key)"
    return None


RPPS_LENGTH = 11


def rpps_problem(number: str) -> str | None:
    """What is wrong with an RPPS number (11 digits, Luhn key), or None when it is well formed."""
    if len(number) != RPPS_LENGTH or not number.isascii() or not number.isdigit():
        return f"RPPS number {number!r} must have {RPPS_LENGTH} digits"
    if not luhn_ok(number):
        return f"RPPS number {number!r} has a wrong check digit (Luhn); check the number"
    return None
