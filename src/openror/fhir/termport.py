"""The slice of the terminology API the validator uses (openror.terminology implements it).

Typing against this Protocol keeps the validator testable with a small fake and independent
of how the terminology package stores its tables.
"""

from __future__ import annotations

from typing import Protocol


class CodeCheckLike(Protocol):
    @property
    def status(self) -> str: ...

    @property
    def message(self) -> str: ...


class TerminologyLike(Protocol):
    def check(self, vs: str | None, system: str | None, code: str) -> CodeCheckLike: ...

    def canonical_system(self, system: str) -> str: ...

    def knows_system(self, system: str) -> bool: ...
