"""Is a point in France? Bounding boxes of metropolitan France and of each overseas
département or collectivity.

Boxes, not shapes: the check is meant to reject coordinates that are plainly wrong (swapped
latitude/longitude, Lambert metres read as degrees, a point in another country far away), not to
decide borders. Each box has a margin of about 0.1° around the land, except the northern edge of
metropolitan France, kept just above Bray-Dunes (51.09°N) so that London and Dover are outside.
"""

from __future__ import annotations

#: name -> (south, north, west, east) in degrees WGS84
BOXES: dict[str, tuple[float, float, float, float]] = {
    "metropole": (41.25, 51.1, -5.3, 9.65),  # incl. Corsica and Ouessant
    "guadeloupe": (15.75, 16.6, -61.9, -60.9),
    "martinique": (14.3, 14.95, -61.3, -60.7),
    "guyane": (2.0, 5.9, -54.7, -51.5),
    "reunion": (-21.5, -20.75, 55.1, 55.95),
    "mayotte": (-13.1, -12.5, 44.9, 45.4),
    "saint-pierre-et-miquelon": (46.65, 47.2, -56.5, -56.05),
    "saint-barthelemy": (17.8, 18.0, -63.0, -62.75),
    "saint-martin": (18.0, 18.15, -63.2, -62.95),
    "wallis-et-futuna": (-14.45, -13.1, -178.3, -176.05),
    "polynesie": (-28.0, -7.7, -155.0, -134.3),
    "nouvelle-caledonie": (-23.0, -17.9, 158.0, 172.2),  # incl. the Chesterfield islands
}


def territory_of(lat: float, lon: float) -> str | None:
    """Name of the box holding the point, or None."""
    for name, (south, north, west, east) in BOXES.items():
        if south <= lat <= north and west <= lon <= east:
            return name
    return None


def in_france(lat: float, lon: float) -> bool:
    return territory_of(lat, lon) is not None
