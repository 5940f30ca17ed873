"""Answers a transaction may keep between the writes it makes.

The write path's hooks ask, at every write, whether anything watches it (a subscription
recording notifications, a capacity alert). A federation page makes a thousand writes in
one transaction, and on PostgreSQL each question was a round trip:
171,000 of them for a 93,000-change catch-up. The answer cannot change within the
transaction, since subscriptions and alerts are written in transactions of their own
(``sync.subscriptions.registry``, ``capacity.alerts``), so it is asked once per transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import sqlalchemy as sa

_KEY = "openror.transaction_memo"


def remembered(conn: sa.Connection, key: Hashable, ask: Callable[[], Any]) -> Any:
    """``ask()``'s answer, asked once in the current transaction of ``conn`` (every time
    outside of one)."""
    transaction = conn.get_transaction()
    if transaction is None:
        return ask()
    held = conn.info.get(_KEY)
    if held is None or held[0] is not transaction:
        held = conn.info[_KEY] = (transaction, {})
    answers: dict[Hashable, Any] = held[1]
    if key not in answers:
        answers[key] = ask()
    return answers[key]
