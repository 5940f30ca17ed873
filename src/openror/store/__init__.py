"""store.

The schema is loaded first, whichever store module is imported first: it registers the tables
defined next to their code, and some of those modules reach back into the store (a module
imported before it would meet its own half-loaded self)."""

from openror.store import schema as _schema  # noqa: F401
