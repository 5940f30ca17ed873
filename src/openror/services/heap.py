"""The garbage collector during long runs of bulk writes (imports, federation catch-up).

Such a run holds some 200,000 long-lived objects (modules, terminology, gazetteer, compiled
search paths) and makes millions of short-lived ones (decoded resources, index rows). As a
batch's objects outlive the young generations, CPython runs full collections, and each one
traverses the long-lived objects again for nothing: about 0.1 s each, some 2 s of CPU of an
import of 17,000 resources (``bench/bulk_profile.py``). Frozen once loaded (``gc.freeze``),
they are left out of later collections; reference counting still frees them, and every object
made afterwards is collected as before.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect the garbage there is, then keep what survives out of later collections."""
    gc.collect()
    gc.freeze()
