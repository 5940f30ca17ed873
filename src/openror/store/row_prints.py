"""Fingerprints of the search index rows this process last derived for a resource.

A write compares the new rows of a resource with those of its previous version, table by
table, to rewrite only the tables that change (``derived``). Deriving the previous rows again
costs as much as deriving the new ones; instead, each write remembers a digest per table of
the rows it derived, under a digest of the stored bytes they were derived from. The next write
of the same resource in this process finds them when the version it replaces has those very
bytes (another worker, or a rolled-back transaction, leaves other bytes: the rows are then
derived again). The rows are a function of the stored bytes alone, so a hit is exact.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import orjson

from openror.store.search_rows import Rows
from openror.store.search_tables import INDEX_TABLES

#: one digest per table of INDEX_TABLES, in that order
Prints = tuple[bytes, ...]

#: resources remembered per process (about 1 kB each)
CAPACITY = 4096


def content_key(content: bytes) -> bytes:
    return hashlib.blake2b(content, digest_size=16).digest()


def prints_of(rows: Rows) -> Prints:
    return tuple(hashlib.blake2b(orjson.dumps(rows.get(table, [])), digest_size=16).digest()
                 for table in INDEX_TABLES)


class RowPrints:
    """A bounded, thread-safe map (type, id) -> (digest of the stored bytes, prints)."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[tuple[str, str], tuple[bytes, Prints]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, rtype: str, rid: str, content: bytes) -> Prints | None:
        """The prints of the rows derived from ``content``, if this process derived them."""
        with self._lock:
            entry = self._entries.get((rtype, rid))
        if entry is None or entry[0] != content_key(content):
            return None
        return entry[1]

    def put(self, rtype: str, rid: str, content: bytes, prints: Prints) -> None:
        key = content_key(content)
        with self._lock:
            self._entries[(rtype, rid)] = (key, prints)
            self._entries.move_to_end((rtype, rid))
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)


#: the process's memory of the rows it wrote
LAST_WRITTEN = RowPrints()
