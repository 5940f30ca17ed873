"""Criteria of conditional create / update / patch: ``identifier=[system]|value``.

Until the search engine lands, identifier is the only criterion, which is what ROR feeders use
(``Location?identifier=<IdNatStruct>/<external code>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

import sqlalchemy as sa

from openror.errors import InvalidInput, PreconditionFailed, error
from openror.store import derived


@dataclass(frozen=True)
class Criteria:
    system: str | None  # None: any system; "": no system
    value: str

    def __str__(self) -> str:
        return f"identifier={'' if self.system is None else self.system + '|'}{self.value}"

    def matches(self, conn: sa.Connection, rtype: str) -> str | None:
        """The id of the one live match, None for none; several matches → 412."""
        ids = derived.find_by_identifier(conn, rtype, self.system, self.value)
        if len(ids) > 1:
            raise PreconditionFailed([error(
                "multiple-matches", f"several {rtype} resources match {self}: make the "
                "criteria more selective (add the identifier system)", rtype)])
        return ids[0] if ids else None


def parse_criteria(query: str, where: str = "criteria") -> Criteria:
    """Parse ``identifier=...`` from a query string (or an If-None-Exist header value)."""
    pairs = parse_qsl(query.lstrip("?"), keep_blank_values=True)
    if len(pairs) != 1 or pairs[0][0] != "identifier" or not pairs[0][1]:
        raise InvalidInput([error(
            "not-supported", f"conditional {where}: only one 'identifier=[system|]value' "
            f"criterion is supported, got {query!r}")])
    raw = pairs[0][1]
    if "|" not in raw:
        return Criteria(None, raw)
    system, value = raw.split("|", 1)
    if not value:
        raise InvalidInput([error("invalid", f"conditional {where}: identifier value missing")])
    return Criteria(system, value)
