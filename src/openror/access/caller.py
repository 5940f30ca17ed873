"""Who is asking: the access profile, regions and write rights the read policy and the write
path decide on. Every request has one (anonymous callers included); nothing reads or writes
without it."""

from __future__ import annotations

from dataclasses import dataclass

#: the ROR access profiles (SPEC.md §3.8): 0 open data … 5 no operational capacities
PROFILES = (0, 1, 2, 3, 4, 5)

#: write scope granting every write (national administrator, importers)
WRITE_ALL = "all"
#: write scope prefix of a bed-management feeder: ``capacity:<IdNatStruct of the site>``
#: lets it update the capacity records of that site's places, and nothing else
CAPACITY_SCOPE = "capacity:"


@dataclass(frozen=True)
class Grant:
    """A person's role with its scope (access.roles): an Organization id for a referent, a
    region code for a regional operator, the linked Practitioner id for a professional."""

    role: str
    scope: str | None = None


@dataclass(frozen=True)
class Caller:
    actor: str  # as the change log names it: "client:<id>", "anonymous", "system", …
    profile: int
    regions: frozenset[str] = frozenset()  # regions it may read; empty: every region
    # write scopes: "all", "region:<INSEE code>", "capacity:<IdNatStruct>"
    writes: frozenset[str] = frozenset()
    client_id: str | None = None
    grants: tuple[Grant, ...] = ()  # a person's roles; the write path walks the hierarchy
    # (header, value) pairs an API client's requests carry: its Ror-* onboarding values
    ror_headers: tuple[tuple[str, str], ...] = ()

    @property
    def policy_key(self) -> str:
        """Two callers with the same key see exactly the same data (search snapshots are
        bound to it): a person's roles count too (they see the anomalies they answer)."""
        key = f"p{self.profile}:{','.join(sorted(self.regions))}"
        if self.grants:
            key += ":" + ",".join(sorted(f"{g.role}={g.scope}" for g in self.grants))
        return key

    @property
    def sees_everything(self) -> bool:
        return self.profile == 1 and not self.regions


#: the command line, importers and migrations: everything, every write
SYSTEM = Caller("system", 1, writes=frozenset({WRITE_ALL}))

#: a request without credentials, where anonymous reading is enabled: open data only
ANONYMOUS = Caller("anonymous", 0)
