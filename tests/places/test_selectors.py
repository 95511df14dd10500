"""Reading places: lists, hierarchy, sites, access status and population."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from palava.missions.models import Membership, Mission, Role
from palava.places import selectors
from palava.places.services import access_status_record, admin_unit_update, population_set
from tests.factories import AdminUnitFactory, MembershipFactory, SiteFactory
from tests.places.geo import TwoProvinces, two_provinces

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(mission: Mission) -> TwoProvinces:
    return two_provinces(mission)


@pytest.fixture
def member(mission: Mission) -> Membership:
    return MembershipFactory(mission=mission, role=Role.VIEWER)


def test_list_filters_by_level_parent_and_retirement(
    world: TwoProvinces, member: Membership
) -> None:
    # given a retired province besides the two current ones
    old = AdminUnitFactory(parent=world.country, pcode="CD30", name="Old")
    admin_unit_update(actor=None, unit=old, retired_at=timezone.now())
    # then lists are ordered by path and leave the retired unit out unless asked
    pcodes = [u.pcode for u in selectors.admin_unit_list(membership=member, level=1)]
    assert pcodes == ["CD10", "CD20"]
    with_retired = selectors.admin_unit_list(membership=member, level=1, include_retired=True)
    assert [u.pcode for u in with_retired] == ["CD10", "CD20", "CD30"]
    under_north = selectors.admin_unit_list(membership=member, parent_pcode="CD10")
    assert [u.pcode for u in under_north] == ["CD1001"]
    assert len(selectors.admin_unit_list(membership=member)) == 5


def test_other_missions_units_are_never_listed_or_found(
    world: TwoProvinces, member: Membership
) -> None:
    other = two_provinces()
    assert selectors.admin_unit_get(membership=member, pcode="CD10") == world.north
    outsider = MembershipFactory(mission=other.mission)
    assert selectors.admin_unit_get(membership=outsider, pcode="CD10") == other.north
    assert selectors.admin_unit_get(membership=member, pcode="NOPE") is None
    assert all(
        u.mission_id == world.mission.pk for u in selectors.admin_unit_list(membership=member)
    )


def test_children_in_name_order_without_retired(world: TwoProvinces, member: Membership) -> None:
    extra = AdminUnitFactory(parent=world.north, pcode="CD1002", name="Aru")
    retired = AdminUnitFactory(parent=world.north, pcode="CD1003", name="Zed")
    admin_unit_update(actor=None, unit=retired, retired_at=timezone.now())
    children = selectors.admin_unit_children(membership=member, unit=world.north)
    assert list(children) == [extra, world.north_territory]
    everything = selectors.admin_unit_children(
        membership=member, unit=world.north, include_retired=True
    )
    assert len(everything) == 3


def test_ancestors_for_a_whole_mission_member(world: TwoProvinces, member: Membership) -> None:
    crumbs = selectors.admin_unit_ancestors(membership=member, unit=world.north_territory)
    assert [(c.pcode, c.name, c.level, c.visible) for c in crumbs] == [
        ("CD", "Congo", 0, True),
        ("CD10", "Nord-Kivu", 1, True),
    ]
    assert selectors.admin_unit_ancestors(membership=member, unit=world.country) == []


def test_counts_of_children_and_sites(world: TwoProvinces, member: Membership) -> None:
    counts = selectors.admin_unit_counts(membership=member, unit=world.north_territory)
    assert (counts.children, counts.sites) == (0, 1)
    counts = selectors.admin_unit_counts(membership=member, unit=world.country)
    assert (counts.children, counts.sites) == (2, 0)
    by_unit = selectors.admin_unit_children_counts(
        membership=member, units=[world.country, world.north, world.north_territory]
    )
    assert by_unit == {world.country.pk: 2, world.north.pk: 1, world.north_territory.pk: 0}


def test_sites_in_a_unit_include_descendants_unless_asked(
    world: TwoProvinces, member: Membership
) -> None:
    assert list(selectors.sites_in_unit(membership=member, unit=world.country)) == [
        world.south_village,
        world.north_village,
    ]
    direct = selectors.sites_in_unit(membership=member, unit=world.country, descendants=False)
    assert not direct.exists()
    assert selectors.site_get(membership=member, code="V-N1") == world.north_village
    assert selectors.site_get(membership=member, code="nope") is None


def test_current_access_is_the_latest_dated_today_or_before(
    world: TwoProvinces, member: Membership
) -> None:
    # given a history with a future entry and two entries on the same day
    today = dt.date(2026, 3, 10)
    unit = world.north_territory
    for level, day in [
        ("accessible", dt.date(2026, 1, 1)),
        ("restricted", dt.date(2026, 3, 1)),
        ("no_go", dt.date(2026, 3, 1)),
        ("accessible", dt.date(2026, 4, 1)),
    ]:
        access_status_record(actor=None, place=unit, level=level, effective_from=day)
    access_status_record(
        actor=None, place=world.north_village, level="restricted", effective_from=today
    )
    # then the later entry of the latest past day is in force, and the site's own row is not
    current = selectors.access_current(membership=member, place=unit, today=today)
    assert current is not None
    assert current.level == "no_go"
    site_current = selectors.access_current(
        membership=member, place=world.north_village, today=today
    )
    assert site_current is not None
    assert site_current.level == "restricted"
    # and nothing is in force before the first entry; no inheritance from the parent
    assert (
        selectors.access_current(membership=member, place=unit, today=dt.date(2025, 1, 1)) is None
    )
    assert selectors.access_current(membership=member, place=world.north, today=today) is None
    # and the bulk form agrees
    bulk = selectors.access_current_for_units(
        membership=member, units=[unit, world.north], today=today
    )
    assert {k: v.level for k, v in bulk.items()} == {unit.pk: "no_go"}


def test_current_access_defaults_to_today_in_the_mission_time_zone(
    world: TwoProvinces, member: Membership
) -> None:
    access_status_record(
        actor=None, place=world.north, level="restricted", effective_from=dt.date(2000, 1, 1)
    )
    future = dt.date.today() + dt.timedelta(days=400)  # noqa: DTZ011
    access_status_record(actor=None, place=world.north, level="no_go", effective_from=future)
    current = selectors.access_current(membership=member, place=world.north)
    assert current is not None
    assert current.level == "restricted"
    assert selectors.access_current_for_units(membership=member, units=[world.north])[
        world.north.pk
    ].level == ("restricted")


def test_access_history_newest_first_with_or_without_sites(
    world: TwoProvinces, member: Membership
) -> None:
    unit = world.north_territory
    first = access_status_record(
        actor=None, place=unit, level="accessible", effective_from=dt.date(2026, 1, 1)
    )
    site_row = access_status_record(
        actor=None, place=world.north_village, level="no_go", effective_from=dt.date(2026, 2, 1)
    )
    assert list(selectors.access_history(membership=member, place=unit)) == [site_row, first]
    assert list(selectors.access_history(membership=member, place=unit, include_sites=False)) == [
        first
    ]
    assert list(selectors.access_history(membership=member, place=world.north_village)) == [
        site_row
    ]


def _cells(unit: object, year: int, cells: dict[tuple[str, str], int]) -> None:
    for (sex, band), count in cells.items():
        population_set(actor=None, unit=unit, year=year, sex=sex, age_band=band, count=count)  # type: ignore[arg-type]


def test_pyramid_of_a_unit_with_its_own_figures_in_age_order(
    world: TwoProvinces, member: Membership
) -> None:
    _cells(
        world.north_territory,
        2024,
        {("f", "80+"): 1, ("m", "5-9"): 7, ("f", "0-4"): 10, ("m", "0-4"): 9, ("f", "unknown"): 2},
    )
    pyramid = selectors.population_pyramid(membership=member, unit=world.north_territory)
    assert pyramid.year == 2024
    assert not pyramid.from_children
    assert [(r.age_band, r.female, r.male, r.total) for r in pyramid.rows] == [
        ("0-4", 10, 9, 19),
        ("5-9", 0, 7, 7),
        ("80+", 1, 0, 1),
        ("unknown", 2, 0, 2),
    ]
    assert (pyramid.female, pyramid.male, pyramid.total) == (13, 16, 29)


def test_pyramid_sums_children_recursively_when_a_unit_has_no_figures(
    world: TwoProvinces, member: Membership
) -> None:
    # given figures for a territory, and for a second province only through a sector
    _cells(world.north_territory, 2024, {("f", "0-4"): 10, ("m", "0-4"): 5})
    sector = AdminUnitFactory(parent=world.south_territory, pcode="CD200101")
    _cells(sector, 2024, {("f", "0-4"): 1, ("m", "0-4"): 2})
    # and the province itself has figures, which win over its children's
    _cells(world.south, 2024, {("f", "0-4"): 100, ("m", "0-4"): 100})
    # then the country adds the north (from its territory) and the south (its own figures)
    country = selectors.population_pyramid(membership=member, unit=world.country)
    assert country.from_children
    assert (country.female, country.male) == (110, 105)
    north = selectors.population_pyramid(membership=member, unit=world.north)
    assert (north.total, north.from_children) == (15, True)
    assert selectors.population_years(membership=member, unit=world.country) == [2024]


def test_pyramid_uses_the_latest_year_unless_one_is_given(
    world: TwoProvinces, member: Membership
) -> None:
    _cells(world.north, 2020, {("f", "0-4"): 1})
    _cells(world.north, 2024, {("f", "0-4"): 2})
    assert selectors.population_pyramid(membership=member, unit=world.north).female == 2
    older = selectors.population_pyramid(membership=member, unit=world.north, year=2020)
    assert (older.year, older.female) == (2020, 1)
    missing = selectors.population_pyramid(membership=member, unit=world.north, year=1999)
    assert (missing.year, missing.is_empty) == (1999, True)


def test_pyramid_without_any_figures_is_empty(world: TwoProvinces, member: Membership) -> None:
    pyramid = selectors.population_pyramid(membership=member, unit=world.country)
    assert pyramid.is_empty
    assert pyramid.year is None
    assert pyramid.total == 0


def test_list_query_count_is_constant(
    world: TwoProvinces, member: Membership, django_assert_num_queries: object
) -> None:
    for n in range(5):
        SiteFactory(admin_unit=world.north_territory, code=f"X{n}")
    with django_assert_num_queries(2):  # type: ignore[operator]
        sites = list(selectors.sites_in_unit(membership=member, unit=world.country))
        assert {s.admin_unit.pcode for s in sites} == {"CD1001", "CD2001"}
