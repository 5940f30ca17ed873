"""Check digit of RPPS numbers.

An RPPS number has 11 digits, the last one a Luhn check digit (ISO/IEC 7812, as for SIRET):
a mistyped digit or two swapped neighbours are caught before the number becomes a key.
ADELI numbers (9 characters, Corsican départements 2A/2B inside) carry no such check here.
"""

from __future__ import annotations

RPPS_LENGTH = 11


def luhn_ok(digits: str) -> bool:
    """True when ``digits`` (only 0-9) passes the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:  # every second digit from the right is doubled
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def rpps_problem(number: str) -> str | None:
    """What is wrong with an RPPS number, or None when it is well formed."""
    if len(number) != RPPS_LENGTH or not number.isascii() or not number.isdigit():
        return f"RPPS number {number!r} must have {RPPS_LENGTH} digits"
    if not luhn_ok(number):
        return f"RPPS number {number!r} has a wrong check digit (Luhn); check the number"
    return None
