"""Locating coordinates: point in polygon (deepest unit) and nearest site, on hand-built cases."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from palava.missions.models import Mission
from palava.places.locate import (
    Area,
    AreaIndex,
    SiteIndex,
    check_coordinates,
    geometry_from_geojson,
    haversine_km,
    locate,
    locate_admin_unit,
    locate_cache_clear,
    nearest_site,
)
from palava.places.models import AdminUnit
from palava.places.services import admin_unit_update, site_update
from tests.factories import AdminUnitFactory, MissionFactory, SiteFactory
from tests.places.geo import square, two_provinces

coord = st.floats(min_value=-5, max_value=25, allow_nan=False, allow_infinity=False)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    locate_cache_clear()
    yield
    locate_cache_clear()


def _area(unit_id: int, level: int, pcode: str, geojson: dict[str, object]) -> Area:
    geometry = geometry_from_geojson(geojson)
    assert geometry is not None
    return Area(unit_id=unit_id, level=level, pcode=pcode, geometry=geometry)


# --- Pure geometry: property tests -----------------------------------------------------------

SQUARE = _area(1, 1, "A", square(0, 0, 10, 10))
NESTED = _area(2, 2, "A1", square(2, 2, 6, 6))
HOLED = _area(3, 1, "H", square(12, 0, 20, 8, hole=(14, 2, 16, 4)))
INDEX = AreaIndex([SQUARE, NESTED, HOLED])


@given(lon=coord, lat=coord)
def test_a_point_is_found_exactly_when_a_square_covers_it(lon: float, lat: float) -> None:
    found = INDEX.find(lat=lat, lon=lon)
    in_nested = 2 <= lon <= 6 and 2 <= lat <= 6
    in_square = 0 <= lon <= 10 and 0 <= lat <= 10
    in_holed = 12 <= lon <= 20 and 0 <= lat <= 8 and not (14 < lon < 16 and 2 < lat < 4)
    expected = "A1" if in_nested else "A" if in_square else "H" if in_holed else None
    assert (found.pcode if found else None) == expected


@given(
    lon=st.floats(min_value=14.0001, max_value=15.9999),
    lat=st.floats(min_value=2.0001, max_value=3.9999),
)
def test_a_point_in_a_hole_is_not_inside(lon: float, lat: float) -> None:
    assert INDEX.find(lat=lat, lon=lon) is None


@given(lon=st.floats(min_value=2, max_value=6), lat=st.floats(min_value=2, max_value=6))
def test_nested_polygons_give_the_deepest_or_the_asked_level(lon: float, lat: float) -> None:
    deepest = INDEX.find(lat=lat, lon=lon)
    assert deepest is not None
    assert deepest.pcode == "A1"
    province = INDEX.find(lat=lat, lon=lon, level=1)
    assert province is not None
    assert province.pcode == "A"
    assert INDEX.find(lat=lat, lon=lon, level=3) is None


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (0, 0, "A"),  # a corner
        (10, 5, "A"),  # an outer edge
        (2, 4, "A1"),  # the nested unit's edge: the deeper unit wins
        (14, 3, "H"),  # the hole's edge belongs to the polygon
        (15, 3, None),  # inside the hole
        (10.000001, 5, None),
    ],
)
def test_boundary_points_count_as_inside(lon: float, lat: float, expected: str | None) -> None:
    found = INDEX.find(lat=lat, lon=lon)
    assert (found.pcode if found else None) == expected


def test_a_shared_border_goes_to_the_unit_holding_the_point_then_the_smaller_pcode() -> None:
    west = _area(1, 1, "W", square(0, 0, 5, 5))
    east = _area(2, 1, "E", square(5, 0, 10, 5))
    index = AreaIndex([west, east])
    on_border = index.find(lat=2, lon=5)
    assert on_border is not None
    assert on_border.pcode == "E"
    assert [a.pcode for a in index.covering(lat=2, lon=5)] == ["E", "W"]
    inside_west = index.find(lat=2, lon=4.9)
    assert inside_west is not None
    assert inside_west.pcode == "W"
    assert len(index) == 2


def test_geometry_parsing_accepts_features_and_repairs_or_skips_bad_shapes() -> None:
    feature = {"type": "Feature", "properties": {}, "geometry": square(0, 0, 1, 1)}
    parsed = geometry_from_geojson(feature)
    assert parsed is not None
    assert parsed.area == 1
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}
    repaired = geometry_from_geojson(bowtie)
    assert repaired is not None
    assert repaired.is_valid
    assert repaired.area == pytest.approx(2)
    for bad in (
        None,
        "polygon",
        {"type": "Polygon", "coordinates": "x"},
        {"type": "Nope"},
        {"type": "Point", "coordinates": [1, 1]},
        {"type": "Polygon", "coordinates": []},
        {"type": "Feature", "geometry": None},
    ):
        assert geometry_from_geojson(bad) is None, bad


sites_strategy = st.lists(
    st.tuples(
        st.floats(min_value=-60, max_value=60, allow_nan=False),
        st.floats(min_value=-179, max_value=179, allow_nan=False),
    ),
    min_size=1,
    max_size=40,
)


@given(
    points=sites_strategy,
    lat=st.floats(min_value=-60, max_value=60),
    lon=st.floats(min_value=-179, max_value=179),
)
def test_nearest_site_agrees_with_brute_force(
    points: list[tuple[float, float]], lat: float, lon: float
) -> None:
    index = SiteIndex(list(range(len(points))), [p[0] for p in points], [p[1] for p in points])
    found = index.nearest(lat=lat, lon=lon)
    assert found is not None
    best_id, km = found
    distances = [haversine_km(lat, lon, p[0], p[1]) for p in points]
    assert km == pytest.approx(min(distances), abs=1e-6)
    assert distances[best_id] == pytest.approx(min(distances), abs=1e-6)
    assert index.nearest(lat=lat, lon=lon, max_km=min(distances) - 1e-3) is None
    assert index.nearest(lat=lat, lon=lon, max_km=min(distances) + 1e-3) is not None
    masked = index.nearest(lat=lat, lon=lon, mask=[False] * len(points))
    assert masked is None


def test_haversine_known_distances() -> None:
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.195, abs=0.01)
    assert haversine_km(-1.68, 29.22, -1.68, 29.22) == 0
    # Goma to Bukavu, about 100 km
    assert haversine_km(-1.679, 29.222, -2.508, 28.861) == pytest.approx(100, abs=5)
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088)


def test_an_empty_site_index_finds_nothing() -> None:
    assert SiteIndex([], [], []).nearest(lat=0, lon=0) is None


@pytest.mark.parametrize(
    ("lat", "lon"), [(91, 0), (0, 181), (-90.5, 0), (math.nan, 0), (0, math.inf)]
)
def test_coordinates_off_the_globe_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(ValueError, match=r"coordinates|latitude"):
        check_coordinates(lat, lon)


# --- Through the database --------------------------------------------------------------------


@pytest.mark.django_db
def test_locate_admin_unit_returns_the_deepest_unit_or_the_asked_level(mission: Mission) -> None:
    world = two_provinces(mission)
    assert locate_admin_unit(mission=mission, lat=5, lon=2) == world.north_territory
    assert locate_admin_unit(mission=mission, lat=5, lon=7) == world.north
    assert locate_admin_unit(mission=mission, lat=5, lon=7, level=0) == world.country
    assert locate_admin_unit(mission=mission, lat=5, lon=2, level=1) == world.north
    assert locate_admin_unit(mission=mission, lat=50, lon=50) is None
    assert locate_admin_unit(mission=mission, lat=5, lon=7, level=2) is None
    # another mission's polygons are not used
    assert locate_admin_unit(mission=MissionFactory(), lat=5, lon=2) is None


@pytest.mark.django_db
def test_asking_a_level_without_polygons_gives_the_ancestor_at_that_level(
    mission: Mission,
) -> None:
    # given a country without a polygon and a province with one
    country = AdminUnitFactory(mission=mission, pcode="CD")
    province = AdminUnitFactory(parent=country, pcode="CD1", boundary=square(0, 0, 1, 1))
    # then the country is found through the province's path
    assert locate_admin_unit(mission=mission, lat=0.5, lon=0.5, level=0) == country
    assert locate_admin_unit(mission=mission, lat=0.5, lon=0.5) == province


@pytest.mark.django_db
def test_the_index_follows_boundary_changes_and_retirement(mission: Mission) -> None:
    world = two_provinces(mission)
    assert locate_admin_unit(mission=mission, lat=5, lon=2) == world.north_territory
    # when the territory's polygon shrinks / then the cached index is rebuilt
    admin_unit_update(actor=None, unit=world.north_territory, boundary=square(0, 0, 1, 1))
    assert locate_admin_unit(mission=mission, lat=5, lon=2) == world.north
    # when the province is retired / then the country is what is left
    from django.utils import timezone

    admin_unit_update(actor=None, unit=world.north, retired_at=timezone.now())
    assert locate_admin_unit(mission=mission, lat=5, lon=3) == world.country


@pytest.mark.django_db
def test_unusable_boundaries_are_skipped(mission: Mission) -> None:
    AdminUnitFactory(mission=mission, pcode="BAD", boundary={"type": "Polygon", "coordinates": "x"})
    good = AdminUnitFactory(mission=mission, pcode="OK", boundary=square(0, 0, 1, 1))
    assert locate_admin_unit(mission=mission, lat=0.5, lon=0.5) == good


@pytest.mark.django_db
def test_nearest_site_within_a_distance_and_a_unit(mission: Mission) -> None:
    world = two_provinces(mission)
    near = nearest_site(mission=mission, lat=5, lon=3)
    assert near is not None
    assert near.site == world.north_village
    assert near.distance_km == pytest.approx(haversine_km(5, 3, 5, 2))
    assert nearest_site(mission=mission, lat=5, lon=3, max_km=10) is None
    in_south = nearest_site(mission=mission, lat=5, lon=3, within=world.south)
    assert in_south is not None
    assert in_south.site == world.south_village
    assert nearest_site(mission=MissionFactory(), lat=5, lon=3) is None


@pytest.mark.django_db
def test_nearest_site_follows_moves_and_retirement(mission: Mission) -> None:
    world = two_provinces(mission)
    assert nearest_site(mission=mission, lat=5, lon=3).site == world.north_village  # type: ignore[union-attr]
    site_update(actor=None, site=world.north_village, latitude=9, longitude=9)
    from django.utils import timezone

    site_update(actor=None, site=world.south_village, retired_at=timezone.now())
    near = nearest_site(mission=mission, lat=9, lon=9.5)
    assert near is not None
    assert near.site == world.north_village
    assert near.distance_km < 60


@pytest.mark.django_db
def test_locate_by_polygon_refined_by_site_or_by_nearest_site(mission: Mission) -> None:
    world = two_provinces(mission)
    # a sector without a polygon, with a village, inside the northern territory
    sector = AdminUnitFactory(parent=world.north_territory, pcode="CD100101")
    SiteFactory(admin_unit=sector, code="V-N2", name="Kasindi", latitude=8, longitude=1)
    # polygon only: nothing deeper nearby
    by_polygon = locate(mission=mission, lat=5, lon=7)
    assert by_polygon is not None
    assert (by_polygon.unit, by_polygon.method, by_polygon.site) == (world.north, "polygon", None)
    # polygon, then the sector of the nearest village inside the territory
    refined = locate(mission=mission, lat=8.1, lon=1.1)
    assert refined is not None
    assert (refined.unit, refined.method) == (sector, "polygon_and_site")
    assert refined.distance_km is not None
    # the nearest village lies in the polygon's own unit, not deeper: the polygon decides
    same = locate(mission=mission, lat=5, lon=4.9, max_km=1000)
    assert same is not None
    assert (same.unit, same.method) == (world.north_territory, "polygon")
    # outside every polygon: the nearest site within reach
    outside = locate(mission=mission, lat=-0.1, lon=2, max_km=1000)
    assert outside is not None
    assert (outside.unit, outside.method) == (world.north_territory, "nearest_site")
    assert locate(mission=mission, lat=-30, lon=2) is None


@pytest.mark.django_db
def test_locate_ignores_sites_under_a_deeper_polygon(mission: Mission) -> None:
    # given a province split into a territory with a polygon (west) and one without (east)
    province = AdminUnitFactory(mission=mission, pcode="P", boundary=square(0, 0, 10, 10))
    west = AdminUnitFactory(parent=province, pcode="PW", boundary=square(0, 0, 5, 10))
    east = AdminUnitFactory(parent=province, pcode="PE")
    SiteFactory(admin_unit=west, code="W1", latitude=5, longitude=4.99)
    SiteFactory(admin_unit=east, code="E1", latitude=5, longitude=9)
    # when a point in the east is nearer the western village / then the east village decides
    found = locate(mission=mission, lat=5, lon=5.2, max_km=1000)
    assert found is not None
    assert (found.unit, found.method) == (east, "polygon_and_site")


@pytest.mark.django_db
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lon=coord, lat=coord)
def test_locate_through_the_database_matches_the_squares(
    mission: Mission, lon: float, lat: float
) -> None:
    assume(not (lon in (0, 5, 10, 15, 20) or lat in (0, 10)))
    if not AdminUnit.objects.filter(mission=mission).exists():
        two_provinces(mission)
    found = locate_admin_unit(mission=mission, lat=lat, lon=lon)
    expected = None
    if 0 < lat < 10 and 0 < lon < 20:
        expected = "CD1001" if lon < 5 else "CD10" if lon < 10 else "CD2001" if lon < 15 else "CD20"
    assert (found.pcode if found else None) == expected
