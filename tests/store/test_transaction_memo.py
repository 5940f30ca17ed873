"""A transaction asks the write hooks' "anything watching?" question once (store.
transaction_memo); the next transaction asks again and sees what changed meanwhile. Both
databases."""

from __future__ import annotations

import sqlalchemy as sa

from openror.store import transaction_memo
from openror.store.database import Database

COUNT = "SELECT count(*) FROM counter"


def test_asked_once_per_transaction_and_again_in_the_next(db: Database) -> None:
    asked: list[int] = []

    def ask(conn: sa.Connection) -> int:
        asked.append(1)
        return int(conn.exec_driver_sql(COUNT).scalar_one())

    with db.write() as conn:
        first = [transaction_memo.remembered(conn, "n", lambda: ask(conn)) for _ in range(3)]
        conn.execute(sa.text("INSERT INTO counter (name, value) VALUES ('memo-test', 1)"))
        assert transaction_memo.remembered(conn, "other", lambda: ask(conn)) == first[0] + 1
    assert len(asked) == 2 and len(set(first)) == 1
    with db.write() as conn:  # a new transaction: asked again, sees the row
        assert transaction_memo.remembered(conn, "n", lambda: ask(conn)) == first[0] + 1
    assert len(asked) == 3


def test_outside_a_transaction_it_is_asked_every_time(db: Database) -> None:
    calls: list[int] = []
    with db.writer.connect() as conn:
        conn.commit()  # nothing begun
        for _ in range(2):
            transaction_memo.remembered(conn, "n", lambda: calls.append(1))
    assert len(calls) == 2
