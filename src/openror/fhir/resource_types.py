"""The registry of resource types the server knows, and what it lets clients do with each.

The CapabilityStatement, the routes and the write path all read this one table, so what the
server says it does and what it does cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

ROR_SD = "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/"


def _sd(*names: str) -> tuple[str, ...]:
    return tuple(ROR_SD + n for n in names)


READ = ("read", "vread", "history-instance", "history-type", "search-type")
WRITE = ("create", "update", "patch", "delete")


@dataclass(frozen=True)
class ResourceType:
    name: str
    profiles: tuple[str, ...]
    interactions: tuple[str, ...]
    #: kind of functional identifier the server assigns when a new resource has none
    functional_identifier: str | None = None
    #: writes the server itself makes (the quality run publishing its indicators) on a type
    #: clients may only read: the write path accepts them from the system caller alone
    server_writes: tuple[str, ...] = ()

    def allows(self, interaction: str) -> bool:
        return interaction in self.interactions


REGISTRY: dict[str, ResourceType] = {
    rt.name: rt
    for rt in (
        ResourceType("Organization", _sd("ror-organization", "ror-internal-organization",
                                          "ror-core-organization-uf"), READ + WRITE),
        ResourceType("HealthcareService", _sd("ror-healthcareservice"), READ + WRITE,
                     functional_identifier="offer"),
        ResourceType("Location", _sd("ror-location"), READ + WRITE, functional_identifier="place"),
        ResourceType("Practitioner", _sd("ror-practitioner"), READ + WRITE),
        ResourceType("PractitionerRole", _sd("ror-practitionerrole"), READ + WRITE),
        ResourceType("Task", _sd("ror-task"), READ + WRITE),
        ResourceType("Questionnaire", _sd("ror-questionnaire-healthcareservice"), READ + WRITE),
        ResourceType("Measure", _sd("ror-measure"), READ, server_writes=("update",)),
        ResourceType("MeasureReport", _sd("ror-measurereport"), READ,
                     server_writes=("update",)),
    )
}


def get(name: str) -> ResourceType | None:
    return REGISTRY.get(name)


#: types served apart from the directory's resources, from tables of their own: the write path,
#: search, history and export do not know them (a Subscription belongs to one API client and
#: holds its endpoint: sync.subscriptions, docs/api/subscriptions.md)
OWN_TABLES: dict[str, ResourceType] = {
    "Subscription": ResourceType(
        "Subscription", ("http://hl7.org/fhir/StructureDefinition/Subscription",),
        ("read", "create", "update", "delete", "search-type")),
}
