"""What the editor's pages say « à vérifier » next to a field when nothing was just saved:
the quality rules checked on write, run on the stored version (after « Offre créée », which
comes back by a redirect), and the rule an anomaly of the inbox led the person here for
(``?regle=…&champ=…``, web.quality_links)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from openror.quality import catalog
from openror.services.container import Services
from openror.web.editor import messages

Json = dict[str, Any]


def checked(services: Services, rtype: str, rid: str, body: Json,
            locate: Callable[[Json], Sequence[tuple[str, str]]],
            hints: Iterable[tuple[str, str]]) -> tuple[dict[str, str], list[str]]:
    """The warnings the write path's checks give the stored version, by field (read only:
    the same checks as a save, without one)."""
    with services.db.read() as conn:
        issues = [issue for check in services.writes.checks if check.rtype == rtype
                  for issue in check(conn, rid, body)]
    return messages.place_warnings(issues, locate(body), hints)


def flagged(query: Mapping[str, str], names: Iterable[str]) -> str:
    """The field an anomaly link names (``?champ=``), when the form has it."""
    wanted = query.get("champ", "")
    return wanted if wanted in set(names) else ""


def rule_note(query: Mapping[str, str]) -> str:
    """The rule an anomaly link names (``?regle=``): its title and remedy, in French."""
    try:
        rule = catalog.rule(query.get("regle", ""))
    except KeyError:
        return ""
    return f"{rule.id} {rule.title} : {rule.remedy}"


def with_rule(notes: dict[str, str], query: Mapping[str, str], names: Iterable[str]
              ) -> tuple[dict[str, str], str]:
    """``notes`` with the linked rule's remedy on the linked field (unless a check already
    says something there); and that field, to highlight."""
    field, text = flagged(query, names), rule_note(query)
    out = dict(notes)
    if field and text and field not in out:
        out[field] = text
    return out, field
