"""Shutdown waits for background work running in threads, even once its task is cancelled
(a thread still using the database after it is disposed leaves connections unclosed)."""

from __future__ import annotations

import asyncio
import threading
import time

from openror.app import Chores


def test_finished_waits_for_a_thread_whose_task_was_cancelled() -> None:
    done = threading.Event()

    def slow() -> None:
        time.sleep(0.3)
        done.set()

    async def scenario() -> bool:
        chores = Chores()
        task = asyncio.create_task(chores.run(slow))
        await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        stopped_early = done.is_set()
        await chores.finished()
        return not stopped_early and done.is_set()

    assert asyncio.run(scenario())
