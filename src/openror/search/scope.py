"""The caller a search runs for, so that every statement it builds hides what the caller may
not see (``store.visibility``).

The SQL builders are many small functions of (type, criterion); rather than thread the caller
through all of them, the engine sets it here for the duration of a search. There is no
default: building a search statement outside ``searching_as`` fails instead of showing
everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa

from openror.access.caller import Caller
from openror.store import visibility

_caller: ContextVar[Caller] = ContextVar("search_caller")


@contextmanager
def searching_as(caller: Caller) -> Iterator[None]:
    token = _caller.set(caller)
    try:
        yield
    finally:
        _caller.reset(token)


def caller() -> Caller:
    return _caller.get()


def visible(rtype: str, owner: Any) -> list[sa.ColumnElement[bool]]:
    """The conditions (none or one) under which the ``rtype`` resource ``owner`` is visible."""
    condition = visibility.visible(rtype, _caller.get(), owner)
    return [] if condition is None else [condition]


def visible_of_types(types: tuple[str, ...], type_column: Any, owner: Any
                     ) -> list[sa.ColumnElement[bool]]:
    """Like ``visible`` for a reference that may point to several types."""
    hidden = {t: visible(t, owner) for t in types}
    if not any(hidden.values()):  # and nothing of a type the parameter does not name
        return [type_column.in_(types)]
    return [sa.or_(*(sa.and_(type_column == t, *conditions)
                     for t, conditions in hidden.items()))]
