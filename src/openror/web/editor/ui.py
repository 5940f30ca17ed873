"""What a template needs to draw a form's fields: each field's choices, the text to show in
it, whether a box is checked, its error and, after a conflict, the value the other person
saved."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from openror.terminology import Terminology
from openror.web.editor import offer_rows
from openror.web.editor.model import (
    CHECKBOX,
    CHECKBOXES,
    COMMUNE,
    SEARCH,
    SEARCHES,
    Field,
    Form,
)
from openror.web.editor.vocab import Choice
from openror.web.entry import choices as entry_choices

#: empty inputs drawn under the stored codes of a field of several search inputs
EMPTY_SEARCHES = 3


@dataclass
class FormView:
    fields: Mapping[str, Field]
    form: Form
    terminology: Terminology
    #: choices that do not come from a vocabulary (the places of the site…)
    extra: dict[str, list[Choice]] = field(default_factory=dict)
    #: after a conflict: field -> the other person's value, in words
    theirs: dict[str, str] = field(default_factory=dict)
    #: fields the entry template does not ask: drawn folded, under the form
    folded: list[str] = field(default_factory=list)
    #: the field an anomaly leads to (``?champ=``): highlighted
    flagged: str = ""
    #: fields whose template ``enableWhen`` does not hold: drawn hidden
    disabled: frozenset[str] = frozenset()

    def spec(self, name: str) -> Field:
        return self.fields[name]

    def choices(self, name: str) -> list[Choice]:
        if name in self.extra:
            return self.extra[name]
        f = self.fields[name]
        found = f.vocabulary.choices(self.terminology) if f.vocabulary else []
        value = self.form.values.get(name, "")
        current = value if isinstance(value, tuple) else ((value,) if value else ())
        known = {c.code for c in found}
        # a stored code missing from the bundled list stays visible and selected
        found += [Choice(code, f.vocabulary.label(self.terminology, code) if f.vocabulary
                         else code) for code in current if code not in known
                  and f.kind not in (SEARCH, SEARCHES)]
        return found

    def text(self, name: str) -> str:
        """The text of an input: a code of a search field as its list shows it."""
        value = self.form.values.get(name, "")
        if isinstance(value, tuple):
            return ", ".join(value)
        f = self.fields.get(name)
        if f is not None and f.kind in (SEARCH, COMMUNE) and value:
            for choice in self.choices(name):
                if choice.code == value:
                    return choice.text
        return value

    def texts(self, name: str) -> list[str]:
        """The inputs of a field of several search inputs: each stored code as its list
        shows it (« Libellé (code) », a commune as « Nom (code postal) », or the code alone
        when the list lacks it), then empty ones for more."""
        value = self.form.values.get(name, ())
        codes = value if isinstance(value, tuple) else ((value,) if value else ())
        if self.fields[name].kind == offer_rows.COMMUNES:
            return [entry_choices.commune_typed(code) for code in codes] + [""] * EMPTY_SEARCHES
        by_code = {c.code: c.text for c in self.choices(name)}
        return [by_code.get(code, code) for code in codes] + [""] * EMPTY_SEARCHES

    def rows(self, name: str) -> list[dict[str, str]]:
        """The rows of hours or contacts as drawn: the stored ones, then empty ones (a new
        hour row proposes consultations on appointment)."""
        value = self.form.values.get(name, ())
        encoded = value if isinstance(value, tuple) else ()
        attrs = offer_rows.HOURS if name == "horaires" else offer_rows.CONTACTS
        empty = {a: "" for a in attrs}
        if name == "horaires":
            empty["type"] = "07"
        return [offer_rows.decode(r, attrs) for r in encoded] + \
            [dict(empty) for _ in range(offer_rows.EMPTY_ROWS)]

    @property
    def days(self) -> dict[int, str]:
        return dict(entry_choices.DAYS)

    @property
    def levels(self) -> dict[str, tuple[str, str]]:
        """Confidentiality levels (JDV_J222) in plain words: (short label, who sees it)."""
        return dict(entry_choices.LEVELS)

    @property
    def lists(self) -> entry_choices.Lists:
        """The entry's lists (kinds of hours, contact purposes and channels…)."""
        return entry_choices.lists(self.terminology)

    def value(self, name: str) -> str:
        value = self.form.values.get(name, "")
        return value if isinstance(value, str) else ""

    def checked(self, name: str, code: str) -> bool:
        value = self.form.values.get(name, "")
        if self.fields[name].kind == CHECKBOXES:
            return isinstance(value, tuple) and code in value
        return value == code

    def error(self, name: str) -> str | None:
        return self.form.errors.get(name)

    def note(self, name: str) -> str | None:
        """The quality rules' « à vérifier » about the field."""
        return self.form.notes.get(name)

    def shown(self, name: str) -> bool:
        """Drawn in the form (not folded under it)."""
        return name not in self.folded

    def display(self, name: str) -> str:
        """A read-only field's value in words."""
        value = self.form.values.get(name, "")
        codes = value if isinstance(value, tuple) else ((value,) if value else ())
        if self.fields[name].kind == CHECKBOX:
            return "oui" if value else "non"
        if name in ("horaires", "contacts", "zones"):  # rows of the offer form, in words
            return offer_rows.shown(name, value, self.terminology)
        labels = {c.code: c.label for c in self.choices(name)}
        return ", ".join(labels.get(code, code) for code in codes) or "—"

    def clash(self, name: str) -> str | None:
        return self.theirs.get(name) if name in self.form.clashes else None

    def summary(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) of every error, in the order of the form."""
        order = list(self.fields)
        found = sorted(self.form.errors.items(),
                       key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
        return [(name, self.fields[name].label if name in self.fields else name, text)
                for name, text in found]

    @property
    def general(self) -> Sequence[str]:
        return self.form.general
