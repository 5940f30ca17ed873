"""ST3: a national structure identifier describes one structure per region."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from openror.quality.directory import Directory
from openror.quality.facts import Organization
from openror.quality.model import Finding

_CABINETS = frozenset({"SA05", "SA07", "SA08", "SA09"})


def _in_scope(org: Organization) -> bool:
    if org.closed or not org.idnat:
        return False
    if org.kind == "legal-entity":
        return True
    return org.kind == "site" and org.category not in _CABINETS


def duplicates(directory: Directory) -> Iterator[Finding]:
    groups: dict[tuple[str, str | None], list[Organization]] = defaultdict(list)
    for org in directory.organizations.values():
        if _in_scope(org):
            assert org.idnat is not None
            groups[(org.idnat, org.region)].append(org)
    for (idnat, _), members in groups.items():
        for org in members:
            site = directory.site_of(org.id) if org.kind == "site" else None
            where = directory.where(site, region=org.region)
            if len(members) == 1:
                yield Finding("ST3", f"Organization/{org.id}", "conformant", where)
                continue
            others = ", ".join(sorted(m.id for m in members if m is not org))
            yield Finding("ST3", f"Organization/{org.id}", "deviating", where,
                          f"identifiant national {idnat} aussi porté par {others}")
