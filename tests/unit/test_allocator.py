"""The server processes' C allocator: few arenas, freed memory given back (openror.allocator).

Each case runs in a fresh interpreter: arenas are per process and made once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from openror import allocator

pytestmark = pytest.mark.skipif(allocator._glibc() is None, reason="glibc only")

# threads that each allocate and keep memory; then glibc's own report (stderr) of its arenas
THREADS = textwrap.dedent("""
    import ctypes, sys, threading
    from openror import allocator
    print(allocator.limit_arenas(int(sys.argv[1])))
    kept, together = [], threading.Barrier(6)
    def work():  # all alive at once, as a server's request threads are
        together.wait()
        kept.append([bytes(4000) for _ in range(200)])
        together.wait()
    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads: t.start()
    for t in threads: t.join()
    sys.stderr.flush()
    ctypes.CDLL(None).malloc_stats()
""")

# memory freed in the middle of the heap (every 50th block kept): glibc keeps it until trimmed
FRAGMENTED = textwrap.dedent("""
    import threading
    from openror import allocator
    def rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096 // 2**20
    kept = []
    def work():
        blocks = [bytes(2000) + bytes([i % 256]) for i in range(40_000)]
        kept.extend(blocks[::50])
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads: t.start()
    for t in threads: t.join()
    before = rss()
    allocator.trim()
    print(before, rss())
""")


def _run(code: str, *args: str, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != allocator.ARENA_ENV}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          check=True, env={**environ, **(env or {})}, timeout=60)


def _arenas(stderr: str) -> int:
    return sum(1 for line in stderr.splitlines() if line.startswith("Arena "))


def test_the_limit_holds_however_many_threads_allocate() -> None:
    free = _run(THREADS, "0")
    limited = _run(THREADS, "2")
    assert free.stdout.strip() == "False"  # 0: glibc's own default
    assert _arenas(free.stderr) > 2
    assert limited.stdout.strip() == "True"
    assert _arenas(limited.stderr) == 2


def test_the_operators_malloc_arena_max_wins() -> None:
    done = _run(THREADS, "2", env={allocator.ARENA_ENV: "3"})
    assert done.stdout.strip() == "False"
    assert _arenas(done.stderr) == 3


def test_trim_gives_freed_memory_back_to_the_system() -> None:
    before, after = map(int, _run(FRAGMENTED).stdout.split())
    assert before > 250  # 4 threads × 80 MB were allocated, a fiftieth is still kept
    assert after < before - 150
