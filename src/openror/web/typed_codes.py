"""The code a typed text stands for, in the search-as-you-type fields of the guided entry and
of the editor: a text input with ``list=`` and a ``<datalist>`` of « Libellé (code) »
options, which browsers filter as the person types and which send back the option's text.

One reading for both forms: « Libellé (code) » as the list sends it, the bare code, or a
label typed in full (case, accents, hyphens and apostrophes aside). What names no choice is
kept for validation to refuse next to its field, the way each form shows it back:

- the guided entry keeps the text as typed (``keep_typed``): the draft holds it and the
  step draws it again in its input, for the person to correct;
- the editor keeps the unknown trailing code of « Libellé (9999) »: the write path's own
  message names that code (« code '9999' is not in JDV_J16 »), and the input shows it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Protocol

from openror.geo import normalise_name

#: « Libellé (code) »: a code of up to 20 characters, without spaces or parentheses
_TRAILING_CODE = re.compile(r"\(([^()\s]{1,20})\)\s*$")


class Coded(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def label(self) -> str: ...


def fold(text: str) -> str:
    """Lower case without accents or extra spaces: how the entry sorts and compares labels."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.lower().split())


def _same_label(label: str, typed: str) -> bool:
    return fold(label) == fold(typed) or normalise_name(label) == normalise_name(typed)


def read_code(choices: Iterable[Coded], typed: str, keep_typed: bool = True) -> str:
    """The code of ``typed`` among ``choices`` ("" for an empty text); see the module."""
    text = typed.strip()
    if not text:
        return ""
    known = list(choices)
    codes = {c.code for c in known}
    trailing = _TRAILING_CODE.search(text)
    if trailing and trailing.group(1) in codes:
        return trailing.group(1)
    if text in codes:
        return text
    for choice in known:
        if _same_label(choice.label, text):
            return choice.code
    if trailing and not keep_typed:
        return trailing.group(1)
    return text
