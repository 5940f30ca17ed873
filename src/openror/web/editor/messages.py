"""The write path's refusals told in French next to the field they concern.

The form is checked by nothing but the write path (validation, the quality rules checked on
write, the rights), exactly as an API write; each issue is placed on a field by its
``expression`` — the element path of the body the form built — and told with the field's
advice. Issues no field shows go to the summary at the top."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from openror.errors import Issue
from openror.web import field_notes
from openror.web.editor.model import Field, Form

_CODE = re.compile(r"code '([^']+)' is not in")


def field_of(expression: str, where: Sequence[tuple[str, str]],
             hints: Iterable[tuple[str, str]]) -> str | None:
    """The field an element path belongs to: the longest path of ``where`` it starts with
    (a path ending in ``$``: that element itself, not what is inside it), else the first
    hint (an extension URL, a code system) it names."""
    best: tuple[int, str] | None = None
    for path, name in where:
        if path.endswith("$"):
            inside = expression == path[:-1]
        else:
            inside = expression == path or expression.startswith((path + ".", path + "["))
        if inside and (best is None or len(path) > best[0]):
            best = (len(path), name)
    if best is not None:
        return best[1]
    return next((name for text, name in hints if text in expression), None)


def message(issue: Issue, f: Field | None) -> str:
    """What to tell the person: the rule's own French text for the quality rules, else the
    field's advice with what the validation found."""
    if issue.code == "business-rule":
        return issue.diagnostics
    if f is None:
        return f"Donnée refusée : {issue.diagnostics}"
    if issue.code == "required":
        return f"Ce champ est obligatoire. {f.advice}".strip()
    if issue.code == "code-invalid":
        found = _CODE.search(issue.diagnostics)
        what = f"« {found.group(1)} » n'est pas dans la nomenclature. " if found else \
            "Ce code n'est pas dans la nomenclature. "
        return what + f.advice
    return f"{f.advice} (détail : {issue.diagnostics})"


def place_issues(form: Form, issues: Iterable[Issue], fields: dict[str, Field],
                 where: Sequence[tuple[str, str]], hints: Iterable[tuple[str, str]]) -> None:
    """Put each error issue on its field of ``form`` (the first error of a field wins), or
    in the summary. ``fields`` holds the parts of rows too (« Équipement 2 — type »)."""
    for issue in issues:
        if not issue.is_error:
            continue
        name = next((n for e in issue.expression if (n := field_of(e, where, hints))), None)
        if name is None:
            form.general.append(message(issue, None))
            continue
        form.errors.setdefault(name, message(issue, fields.get(name)))


def warnings(issues: Iterable[Issue]) -> list[str]:
    """The quality rules' warnings a saved write came back with (already in French)."""
    return [i.diagnostics for i in issues if not i.is_error and i.code == "business-rule"]


def place_warnings(issues: Iterable[Issue], where: Sequence[tuple[str, str]],
                   hints: Iterable[tuple[str, str]]) -> tuple[dict[str, str], list[str]]:
    """The quality rules' warnings « à vérifier » next to their field (web.field_notes),
    and those no field shows (the summary of the saved page)."""
    placed: list[tuple[str, str]] = []
    general: list[str] = []
    for note in field_notes.notes(issues):
        name = field_of(note.expression, where, hints) if note.expression else None
        if name is None:
            general.append(note.text)
        else:
            placed.append((name, note.text))
    return field_notes.joined(placed), list(dict.fromkeys(general))
