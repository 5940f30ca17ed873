"""What every import source produces, and the contract a source implements.

A source only *reads*: it turns files into :class:`Record`s (a FHIR resource as the registry
describes it, found again by its natural key) and :class:`Reject`s (a line it refuses, with
the field and what is wrong). The import run (``importers.run``) does the rest: checking,
staging, applying in all-or-nothing batches through the write path, reconciliation.

Records refer to each other by natural key, never by internal id: a reference is written as a
logical reference ``{"type": "Organization", "identifier": {"system": …, "value": …}}`` and
the run turns it into ``{"reference": "Organization/<id>"}`` when it applies the record.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from openror.services.batch import ID_KEY

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = ["ID_KEY", "KeepsReference", "Key", "Record", "Reject", "Source", "Summary",
           "logical_reference"]

#: Order in which resource types are applied, so that references point backwards.
TYPE_RANK = {"Organization": 0, "Location": 2, "HealthcareService": 3, "Practitioner": 4,
             "PractitionerRole": 5, "Task": 6, "Questionnaire": 1}


@dataclass(frozen=True)
class Key:
    """A natural key: the identifier by which a record finds its resource again."""

    system: str
    value: str


@dataclass(frozen=True)
class Record:
    line: int  # 1-based line (or entry number) in its file, for rejects
    resource: dict[str, Any]  # no id; logical references by identifier
    key: Key
    #: top-level elements this registry owns: replaced on re-import; every other element is
    #: left as professionals, referents or operators entered it
    owned: frozenset[str]
    #: extension URLs this registry owns (inside ``extension``, which is otherwise shared)
    owned_extensions: frozenset[str] = frozenset()
    #: apply order among records of the same type (e.g. legal entities before sites)
    rank: int = 0
    #: scope label used to decide which vanished resources to close (e.g. a département)
    scope: str = ""
    #: records of one FHIR transaction share a group number: applied together or not at all
    group: int = 0
    #: what the registry itself says of this record, kept apart from the resource (which people
    #: may edit later): written by the source's ``keep_references`` in the record's batch
    reference: Mapping[str, Any] | None = None

    @property
    def type(self) -> str:
        return str(self.resource["resourceType"])

    @property
    def order(self) -> int:
        """Apply order: ungrouped records first, each transaction contiguous; within them, by
        type (targets of references first), then by the source's rank."""
        return self.group * 10_000_000 + TYPE_RANK.get(self.type, 9) * 1000 + self.rank


@dataclass(frozen=True)
class Reject:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, field {self.field}: {self.message}"


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    rejected: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        parts = [f"{self.created} created", f"{self.updated} updated",
                 f"{self.unchanged} unchanged", f"{self.closed} closed",
                 f"{self.rejected} rejected"]
        parts += [f"{v} {k}" for k, v in self.extra.items()]
        return ", ".join(parts)


class Source(Protocol):
    """An import source (``openror import <name> PATH…``)."""

    name: str
    #: provenance label written on the fields this source owns ("registry" for FINESS/RPPS)
    provenance: str

    def parse(self, paths: Sequence[Path]) -> Iterator[Record | Reject]:
        """Stream records and rejects; never raise on bad input (reject the line instead)."""
        ...

    def close(self, resource: dict[str, Any]) -> dict[str, Any] | None:
        """The closed copy of a resource that vanished from a newer file, or None to keep it
        as it is (sources that never close anything return None)."""
        ...

    def key_systems(self) -> frozenset[str]:
        """Identifier systems of the natural keys this source manages (to find vanished ones)."""
        ...

    def scope_of_key(self, key: Key) -> str:
        """Scope of an existing resource's key; vanished resources are closed only within the
        scopes the imported file covers (a regional file closes nothing elsewhere)."""
        ...


@runtime_checkable
class KeepsReference(Protocol):
    """A source that also keeps the registry's own word in reference tables (FINESS)."""

    def keep_references(self, conn: sa.Connection, references: list[Mapping[str, Any]]
                        ) -> int:
        """Record the references of the records a batch applied, inside that batch's
        transaction; return how many reference rows changed."""
        ...

    def mark_vanished_references(self, conn: sa.Connection, present: set[tuple[str, Key]],
                                 scopes: list[str]) -> int:
        """Mark, as the run closes vanished resources, the reference rows whose key is not in
        ``present`` (type, key of every staged record) within ``scopes``; return how many."""
        ...


def logical_reference(rtype: str, key: Key) -> dict[str, Any]:
    return {"type": rtype, "identifier": {"system": key.system, "value": key.value}}
