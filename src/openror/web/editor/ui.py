"""What a template needs to draw a form's fields: each field's choices, the text to show in
it, whether a box is checked, its error and, after a conflict, the value the other person
saved."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from openror.terminology import Terminology
from openror.web.editor.model import CHECKBOX, CHECKBOXES, COMMUNE, SEARCH, Field, Form
from openror.web.editor.vocab import Choice


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
                  and f.kind != SEARCH]
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
