"""Great-circle distance."""

from __future__ import annotations

import math

#: mean Earth radius (IUGG), km
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in km between two WGS84 points on a spherical Earth (error < 0.5 %)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    # min() guards against h creeping above 1 by rounding for antipodal points
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
