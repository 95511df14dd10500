"""Hand-built geography for places tests: squares as GeoJSON and a two-province mission."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from palava.missions.models import Mission
from palava.places.models import AdminUnit, Site
from tests.factories import AdminUnitFactory, MissionFactory, SiteFactory


def square(
    x0: float,
    y0: float,
    x1: float,
    y1: float,
    *,
    hole: tuple[float, float, float, float] | None = None,
) -> dict[str, Any]:
    """A GeoJSON polygon over lon x0..x1, lat y0..y1 (optionally with a square hole)."""
    rings = [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]
    if hole is not None:
        h0, k0, h1, k1 = hole
        rings.append([[h0, k0], [h0, k1], [h1, k1], [h1, k0], [h0, k0]])
    return {"type": "Polygon", "coordinates": rings}


@dataclass
class TwoProvinces:
    """COD (0..20 x 0..10) with North (lon 0..10) and South (lon 10..20) provinces, a territory
    in each (the western half of the province) and a village in each territory."""

    mission: Mission
    country: AdminUnit
    north: AdminUnit
    south: AdminUnit
    north_territory: AdminUnit
    south_territory: AdminUnit
    north_village: Site
    south_village: Site


def two_provinces(mission: Mission | None = None) -> TwoProvinces:
    mission = mission or MissionFactory()
    country = AdminUnitFactory(
        mission=mission, pcode="CD", name="Congo", boundary=square(0, 0, 20, 10)
    )
    north = AdminUnitFactory(
        parent=country,
        pcode="CD10",
        name="Nord-Kivu",
        alt_names=["North Kivu"],
        boundary=square(0, 0, 10, 10),
    )
    south = AdminUnitFactory(
        parent=country,
        pcode="CD20",
        name="Sud-Kivu",
        alt_names=["South Kivu"],
        boundary=square(10, 0, 20, 10),
    )
    north_territory = AdminUnitFactory(
        parent=north, pcode="CD1001", name="Béni", boundary=square(0, 0, 5, 10)
    )
    south_territory = AdminUnitFactory(
        parent=south, pcode="CD2001", name="Uvira", boundary=square(10, 0, 15, 10)
    )
    north_village = SiteFactory(
        admin_unit=north_territory, code="V-N1", name="Mutwanga", latitude=5, longitude=2
    )
    south_village = SiteFactory(
        admin_unit=south_territory, code="V-S1", name="Kiliba", latitude=5, longitude=12
    )
    return TwoProvinces(
        mission=mission,
        country=country,
        north=north,
        south=south,
        north_territory=north_territory,
        south_territory=south_territory,
        north_village=north_village,
        south_village=south_village,
    )
