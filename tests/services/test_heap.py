"""heap.settle freezes what is loaded once per process: a follower polling every few seconds
does not freeze each run's survivors in turn."""

from __future__ import annotations

import gc

from openror.services import heap


def test_settle_freezes_once() -> None:
    heap.settle()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    survivors = [{"run": n} for n in range(1000)]  # what a later run would leave
    heap.settle()
    assert gc.get_freeze_count() == frozen
    assert len(survivors) == 1000
