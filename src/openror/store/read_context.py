"""What the reads of the request under way must see: the WAL position of its caller's last
write (read-your-writes on streaming replicas, ``store.replicas``).

The API sets a context for each request it lets replicas serve (``replica_reads``); reads
outside one (the command line, background work, authentication) go to the primary. The
context is one mutable object: the threads a request hands work to get a copy of the
context variable, and what they learn (a write's position) must reach the request's later
reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openror.store.replica import Replica

#: a position no replica reaches: the rest of the request reads the primary
PRIMARY_ONLY = 2**63


@dataclass
class ReadContext:
    caller: str | None  # whose writes the reads must see ("client:…", "user:…"); None: nobody's
    stored: int | None = None  # the caller's last write position; None: not looked up yet
    at_least: int = 0  # positions met during this request: its own writes, a page's snapshot
    replica: Replica | None = None  # the one this request reads (kept: one view per request)

    @property
    def resolved(self) -> bool:
        return self.caller is None or self.stored is not None

    @property
    def floor(self) -> int:
        """The WAL position (bytes) a replica must have replayed to serve this request."""
        return max(self.stored or 0, self.at_least)

    def wrote(self, position: int, caller_position: int | None) -> None:
        """A write of this request committed at ``position``; ``caller_position``: the
        caller's stored position after it (the greater of the old one and this one)."""
        self.at_least = max(self.at_least, position)
        if caller_position is not None:
            self.stored = caller_position


_current: ContextVar[ReadContext | None] = ContextVar("openror_read_context", default=None)


def current() -> ReadContext | None:
    return _current.get()


@contextmanager
def replica_reads(caller: str | None) -> Iterator[ReadContext]:
    """Let replicas serve the reads inside the block, provided they have replayed
    ``caller``'s last write (and any write made inside the block)."""
    context = ReadContext(caller)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def must_see(position: int) -> None:
    """The reads still to come in this request must see everything committed up to
    ``position`` (e.g. the resources a paging snapshot names)."""
    context = _current.get()
    if context is not None:
        context.at_least = max(context.at_least, position)
