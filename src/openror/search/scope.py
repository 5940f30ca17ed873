"""The caller a search runs for, so that every statement it builds hides what the caller may
not see (``store.visibility``), and the database it is built for (``search.id_lists``).

The SQL builders are many small functions of (type, criterion); rather than thread the caller
through all of them, the engine sets it here for the duration of a search. There is no
default caller: building a search statement outside ``searching_as`` fails instead of showing
everything. The database is optional: without it, statements keep what both databases read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from openror.access.caller import Caller
from openror.store import visibility


@dataclass(frozen=True)
class _Building:
    caller: Caller
    dialect: str | None  # None: statements both databases read


_building: ContextVar[_Building] = ContextVar("search_building")


@contextmanager
def searching_as(caller: Caller, dialect: str | None = None) -> Iterator[None]:
    token = _building.set(_Building(caller, dialect))
    try:
        yield
    finally:
        _building.reset(token)


def caller() -> Caller:
    return _building.get().caller


def dialect() -> str | None:
    """The database the search's statements are for, when its engine said so."""
    found = _building.get(None)
    return None if found is None else found.dialect


def visible(rtype: str, owner: Any) -> list[sa.ColumnElement[bool]]:
    """The conditions (none or one) under which the ``rtype`` resource ``owner`` is visible."""
    condition = visibility.visible(rtype, caller(), owner)
    return [] if condition is None else [condition]


def visible_of_types(types: tuple[str, ...], type_column: Any, owner: Any
                     ) -> list[sa.ColumnElement[bool]]:
    """Like ``visible`` for a reference that may point to several types."""
    hidden = {t: visible(t, owner) for t in types}
    if not any(hidden.values()):  # and nothing of a type the parameter does not name
        return [type_column.in_(types)]
    return [sa.or_(*(sa.and_(type_column == t, *conditions)
                     for t, conditions in hidden.items()))]
