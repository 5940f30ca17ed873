"""Password hashing and the rules a password must follow.

Passwords are chosen by people, so they are hashed with argon2id at OWASP's first
recommendation (46 MiB, 1 pass, 1 lane: about 0.15 s on one core), costlier than the client
secrets' (256 random bits need little). The library's default (64 MiB, 3 passes, 4 lanes)
took 0.5 s of two cores per login: a login endpoint that slow is a lever for denial of
service. A hash made with other parameters is replaced at the next successful login.
The rules follow NIST SP 800-63B and ANSSI: length matters, composition rules do not.
"""

from __future__ import annotations

import argon2

from openror.errors import InvalidInput, error

MIN_LENGTH = 12
MAX_LENGTH = 1024  # argon2 hashes anything, but an unbounded input is a free CPU burner

_HASHER = argon2.PasswordHasher(time_cost=1, memory_cost=47_104, parallelism=1)


def check(password: str, login: str) -> str:
    """The password, or InvalidInput saying (in French: people read it) what to change."""
    if len(password) < MIN_LENGTH:
        raise _weak(f"Le mot de passe doit compter au moins {MIN_LENGTH} caractères.")
    if len(password) > MAX_LENGTH:
        raise _weak(f"Le mot de passe ne peut dépasser {MAX_LENGTH} caractères.")
    if len(login) >= 3 and login.lower() in password.lower():
        raise _weak("Le mot de passe ne doit pas contenir l'identifiant.")
    if len(set(password)) < 4:
        raise _weak("Le mot de passe est trop répétitif : variez les caractères.")
    return password


def _weak(message: str) -> InvalidInput:
    return InvalidInput([error("value", message, "password")])


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; an account without a password matches nothing, at the
    cost of a real verification (the time taken tells nothing)."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(password_hash or _decoy(), password) and password_hash is not None
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


_DECOY: list[str] = []


def _decoy() -> str:
    if not _DECOY:
        _DECOY.append(_HASHER.hash("decoy password, never matched"))
    return _DECOY[0]
