"""The records of the gazetteer. They are also the rows of the bundle and of the ``geo_*``
tables, so that bundled data and imported data are read the same way."""

from __future__ import annotations

from dataclasses import dataclass, field

#: kinds of INSEE codes (TYPECOM in the COG)
CURRENT_KINDS = ("COM", "ARM")
KINDS = ("COM", "COMD", "COMA", "ARM")


@dataclass(frozen=True, slots=True)
class Commune:
    code: str  # INSEE COG code (5 chars, "2A004" for Corsica)
    name: str
    kind: str  # COM, COMD (déléguée), COMA (associée), ARM (arrondissement municipal)
    departement: str  # "02", "2A", "973"
    region: str  # TRE_R30 region code
    lat: float | None  # WGS84, approximate centre (see data/README.md for the fallbacks)
    lon: float | None
    postal_codes: tuple[str, ...]
    current_code: str  # itself, or the commune it merged into (old codes, COMD, COMA)
    #: the commune this one belongs to: chef-lieu of a COMD/COMA, city of an ARM; "" otherwise
    parent: str = ""

    @property
    def is_current(self) -> bool:
        return self.current_code == self.code


@dataclass(frozen=True, slots=True)
class Departement:
    code: str
    name: str
    region: str
    chef_lieu: str = ""  # INSEE code of the prefecture


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    chef_lieu: str = ""


@dataclass(frozen=True, slots=True)
class PostalName:
    """Another name a commune is known by under a postal code: La Poste name, line 5 (lieu-dit,
    former commune), routing label, or a commune déléguée sharing its parent's code."""

    postal_code: str
    commune_code: str
    name: str


@dataclass(frozen=True)
class GeoRows:
    """Everything a gazetteer is made of; what the bundle and the ``geo_*`` tables hold."""

    regions: tuple[Region, ...] = ()
    departements: tuple[Departement, ...] = ()
    communes: tuple[Commune, ...] = ()
    postal_names: tuple[PostalName, ...] = field(default=())

    def counts(self) -> str:
        return (f"{len(self.communes)} communes, {len(self.departements)} départements, "
                f"{len(self.regions)} régions, {len(self.postal_names)} postal names")
