"""French administrative geography: communes (current and former codes), départements,
régions, postal codes, approximate coordinates, distance.

``default_gazetteer()`` gives the bundled data (COG 2026, La Poste 2020); a database loaded by
``openror import geo`` is stacked on top with ``Gazetteer.with_rows`` (see
``openror.store.geo_tables.load_gazetteer``). This package imports nothing from the store.
"""

from .bounds import in_france
from .bundled import default_gazetteer
from .current import current_gazetteer, use_gazetteer
from .distance import EARTH_RADIUS_KM, haversine_km
from .gazetteer import Gazetteer
from .model import Commune, Departement, GeoRows, PostalName, Region
from .names import NAME_STEPS, normalise_name

__all__ = [
    "EARTH_RADIUS_KM",
    "NAME_STEPS",
    "Commune",
    "Departement",
    "Gazetteer",
    "GeoRows",
    "PostalName",
    "Region",
    "current_gazetteer",
    "default_gazetteer",
    "haversine_km",
    "in_france",
    "normalise_name",
    "use_gazetteer",
]
