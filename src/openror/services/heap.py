"""The garbage collector during long runs of bulk writes (imports, federation catch-up).

Such a run holds some 200,000 long-lived objects (modules, terminology, gazetteer, compiled
search paths) and makes millions of short-lived ones (decoded resources, index rows). As a
batch's objects outlive the young generations, CPython runs full collections, and each one
traverses the long-lived objects again for nothing: about 0.1 s each, some 2 s of CPU of an
import of 17,000 resources (``bench/bulk_profile.py``). Frozen once loaded (``gc.freeze``),
they are left out of later collections; reference counting still frees them, and every object
made afterwards is collected as before.

Once per process: a follower that catches up every few seconds would otherwise freeze each
run's survivors in turn, and frozen objects that later become garbage in a cycle are never
collected.
"""

from __future__ import annotations

import gc
from functools import cache


@cache  # once per process
def settle() -> None:
    """The first time: collect the garbage there is, then keep what survives out of later
    collections. Later calls do nothing."""
    gc.collect()
    gc.freeze()
