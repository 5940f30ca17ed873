"""The helper processes of an import (the search-row deriver, the check workers) end when the
process they work for is killed: an import stopped by systemd or an operator (SIGTERM) or
killed outright (SIGKILL) leaves nothing running behind it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

#: a process that starts the helpers the way an import does, prints their ids, then waits
HOLDER = """
import os, sys, time
from concurrent.futures import ProcessPoolExecutor
import multiprocessing
from openror import orphans
from openror.store import derive_process

with derive_process.running():
    deriver = derive_process._HELPER.pool
    deriver.submit(os.getpid).result()
    checkers = ProcessPoolExecutor(2, multiprocessing.get_context("fork"),
                                   initializer=orphans.exit_with_parent)
    checkers.submit(os.getpid).result()
    pids = [*deriver._processes, *checkers._processes]
    print(" ".join(map(str, pids)), flush=True)
    time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_helpers_end_with_the_process_they_work_for(sig: signal.Signals) -> None:
    with subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE,
                          text=True) as holder:
        assert holder.stdout is not None
        helpers = [int(pid) for pid in holder.stdout.readline().split()]
        assert len(helpers) == 3 and all(map(_alive, helpers))
        os.kill(holder.pid, sig)
        holder.wait(30)
    deadline = time.monotonic() + 20
    while any(map(_alive, helpers)) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [pid for pid in helpers if _alive(pid)]
    for pid in left:  # do not leave them to the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert not left, f"helpers still running after {sig.name}: {left}"
