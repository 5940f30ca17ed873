"""What every outgoing webhook of the server shares (capacity alerts, subscriptions): the
HMAC signature, the retry schedule and the POST itself.

A body is signed with ``X-OpenROR-Signature: sha256=<hex HMAC-SHA256 of the body with the
secret>``; a receiver recomputes it with the secret it was given once. A 2xx answer delivers;
anything else (or no answer) is retried after 30 s, 1, 2, 4… minutes, at most an hour apart.
A claimed delivery is leased for ``LEASE`` so that several server processes never send it at
the same time.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import timedelta

import httpx

FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
LEASE = timedelta(minutes=2)  # a claimed delivery is not taken by another worker before
TIMEOUT = 10.0

SIGNATURE_HEADER = "X-OpenROR-Signature"

#: (url, body, headers) → HTTP status; raises httpx.HTTPError when there is no answer
Post = Callable[[str, bytes, dict[str, str]], int]


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt."""
    wait: timedelta = FIRST_RETRY * 2 ** (attempts - 1)
    return min(wait, LONGEST_WAIT)


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    return httpx.post(url, content=body, headers=headers, timeout=TIMEOUT).status_code


def send_signed(post: Post, url: str, body: bytes, secret: str,
                headers: dict[str, str]) -> str | None:
    """POST ``body`` signed with ``secret``; None when delivered, else why not (logged)."""
    signed = {**headers, SIGNATURE_HEADER: sign(secret, body)}
    try:
        status = post(url, body, signed)
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    return None if 200 <= status < 300 else f"HTTP {status}"
