"""heap.settle freezes what is loaded once per process: a follower polling every few seconds
does not freeze each run's survivors in turn; heap.bulk_run makes young collections rarer
for a bulk run only."""

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


def test_bulk_run_makes_young_collections_rarer_until_it_ends() -> None:
    found = gc.get_threshold()
    with heap.bulk_run():
        assert gc.get_threshold()[0] == heap.BULK_YOUNG_THRESHOLD
        assert gc.get_threshold()[1:] == found[1:]
    assert gc.get_threshold() == found
    try:
        with heap.bulk_run():
            raise RuntimeError("a batch failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == found


def test_overlapping_bulk_runs_put_the_thresholds_back_when_the_last_ends() -> None:
    """Followers of two sources in threads: their runs overlap in any order."""
    found = gc.get_threshold()
    first, second = heap.bulk_run(), heap.bulk_run()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first to start ends first
    assert gc.get_threshold()[0] == heap.BULK_YOUNG_THRESHOLD  # the second still runs
    second.__exit__(None, None, None)
    assert gc.get_threshold() == found
