"""The editor's forms as plain values: each field's value is a string, or a tuple of
strings for a field of many values (checkboxes, codes, equipment rows). The same values are
read from a stored version, read from a posted form, compared to tell what changed between
two versions, and merged when someone else saved meanwhile."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from openror.terminology import Terminology
from openror.web.editor.vocab import Vocabulary, code_of

Value = str | tuple[str, ...]
Values = dict[str, Value]

TEXT, TEXTAREA, SELECT, SEARCH, CHECKBOXES, NUMBER, DATE, CHECKBOX, CODES, ROWS = (
    "text", "textarea", "select", "search", "checkboxes", "number", "date", "checkbox",
    "codes", "rows")
#: several codes of one vocabulary, one search-as-you-type input each (``<name>-<j>``):
#: the stored ones, then a few empty inputs for more (ui.FormView.texts)
SEARCHES = "searches"
#: a commune, typed and found with the gazetteer (place_form.read_commune), not with the
#: whole JDV_J124 list; its search list holds the communes of the place's département
COMMUNE = "commune"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str
    help: str = ""
    vocabulary: Vocabulary | None = None
    #: what to do when the value is refused (shown next to the field)
    advice: str = ""
    #: shown « obligatoire » to the user, and checked by the form before the write path
    #: (editor.template_use); the validation's rules still run
    required: bool = False
    #: shown, not editable: an entry template fixes it (editor.template_use)
    read_only: bool = False


@dataclass
class Form:
    """A form as shown: its values, the error of each field (by field id), and the summary
    of errors that belong to no field."""

    values: Values
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    #: fields that both this person and someone else changed (a conflict)
    clashes: frozenset[str] = frozenset()
    #: the quality rules' warnings, « à vérifier », by field (web.field_notes)
    notes: dict[str, str] = field(default_factory=dict)


_SPLIT = re.compile(r"[\s,;]+")


def read(fields: Sequence[Field], form: Mapping[str, str], terminology: Terminology,
         rows: Callable[[Mapping[str, str]], tuple[str, ...]] | None = None) -> Values:
    """The values of a posted form, as typed (trimmed); search fields become codes."""
    values: Values = {}
    for f in fields:
        raw = form.get(f.name, "")
        if f.kind == CHECKBOXES:
            prefix = f"{f.name}-"
            values[f.name] = tuple(sorted({v.strip() for k, v in form.items()
                                           if k.startswith(prefix) and v.strip()}))
        elif f.kind == CODES:
            values[f.name] = tuple(dict.fromkeys(c for c in _SPLIT.split(raw) if c))
        elif f.kind == CHECKBOX:
            values[f.name] = "oui" if raw else ""
        elif f.kind == SEARCH and f.vocabulary is not None:
            values[f.name] = code_of(f.vocabulary, terminology, raw)
        elif f.kind == SEARCHES and f.vocabulary is not None:
            values[f.name] = _searches(f, form, terminology)
        elif f.kind == ROWS:
            values[f.name] = rows(form) if rows else ()
        else:
            values[f.name] = raw.strip()
    return values


def _searches(f: Field, form: Mapping[str, str], terminology: Terminology
               ) -> tuple[str, ...]:
    """The codes of a field of several search inputs, in row order, once each."""
    assert f.vocabulary is not None
    prefix = f"{f.name}-"
    rows = sorted((int(k[len(prefix):]), v) for k, v in form.items()
                  if k.startswith(prefix) and k[len(prefix):].isdigit())
    found = (code_of(f.vocabulary, terminology, typed) for _, typed in rows)
    return tuple(dict.fromkeys(code for code in found if code))


def changed(fields: Sequence[Field], before: Values, after: Values) -> list[Field]:
    return [f for f in fields if before.get(f.name, "") != after.get(f.name, "")]


def merge(fields: Sequence[Field], base: Values, theirs: Values, mine: Values
          ) -> tuple[Values, frozenset[str]]:
    """Mine reapplied on theirs: a field I changed (from the version I read) keeps my value,
    any other takes theirs. Also the fields we both changed differently."""
    merged: Values = {}
    clashes = set()
    for f in fields:
        old, new, own = (v.get(f.name, "") for v in (base, theirs, mine))
        merged[f.name] = own if own != old else new
        if old not in (own, new) and own != new:
            clashes.add(f.name)
    return merged, frozenset(clashes)
