"""Checks that must hold when a write transaction commits, not after each of its writes
(like SQL's deferred constraints): e.g. an offer a professional creates must have their
role by the end of the transaction that creates it (services.scopes).

A check is registered on the connection for the transaction under way; ``Database.write``
runs them, in order, just before it commits (one that raises rolls everything back). A
transaction that ends otherwise (rolled back) forgets them."""

from __future__ import annotations

from collections.abc import Callable, Hashable

import sqlalchemy as sa

Check = Callable[[sa.Connection], None]
_KEY = "openror.deferred"


def _pending(conn: sa.Connection) -> dict[Hashable, Check]:
    """The checks of the transaction under way (a pooled connection outlives it)."""
    transaction = conn.get_transaction()
    held = conn.info.get(_KEY)
    if held is None or held[0] is not transaction:
        held = (transaction, {})
        conn.info[_KEY] = held
    checks: dict[Hashable, Check] = held[1]
    return checks


def defer(conn: sa.Connection, key: Hashable, check: Check) -> None:
    """Run ``check`` before this transaction commits (once per ``key``)."""
    _pending(conn).setdefault(key, check)


def pending(conn: sa.Connection) -> list[Hashable]:
    """The keys of the checks registered in this transaction so far."""
    return list(_pending(conn))


def settle(conn: sa.Connection) -> None:
    """Run and forget the checks registered so far (``Database.write`` calls this before
    committing; a caller that rolls back on purpose may call it to learn what would fail)."""
    checks = _pending(conn)
    try:
        while checks:
            key = next(iter(checks))
            checks.pop(key)(conn)
    finally:
        checks.clear()
