"""Geographic scope: a member limited to one province never sees the other, anywhere.

The acceptance case: a mission with two provinces and a member scoped to the North. Every
selector and every places API route refuses (404) or leaves out the South's units, sites, access
history and population.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from palava.accounts.tokens import token_create
from palava.missions.models import Membership, Role
from palava.places import selectors
from palava.places.models import AdminUnit
from palava.places.scope import Scope, scope_for
from palava.places.search import place_search
from palava.places.services import access_status_record, membership_scope_set, population_set
from tests.factories import AdminUnitFactory, MembershipFactory
from tests.places.geo import TwoProvinces, two_provinces

pytestmark = pytest.mark.django_db

SOUTH_CODES = {"CD20", "CD2001", "V-S1", "Sud-Kivu", "Uvira", "Kiliba"}


@pytest.fixture
def world() -> TwoProvinces:
    world = two_provinces()
    for unit in (world.north_territory, world.south_territory):
        population_set(actor=None, unit=unit, year=2024, sex="f", age_band="0-4", count=10)
        access_status_record(
            actor=None, place=unit, level="restricted", effective_from=dt.date(2026, 1, 1)
        )
    access_status_record(
        actor=None,
        place=world.south_village,
        level="no_go",
        effective_from=dt.date(2026, 1, 2),
        reason="south secret",
    )
    return world


def _scoped(world: TwoProvinces, role: str = Role.ADMIN) -> Membership:
    member = MembershipFactory(mission=world.mission, role=role)
    membership_scope_set(actor=None, membership=member, units=[world.north])
    return member


def _client(member: Membership) -> Client:
    raw = token_create(
        actor=member.user, user=member.user, mission=member.mission, name="t", days=1
    ).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_every_selector_omits_or_refuses_the_other_province(world: TwoProvinces) -> None:
    member = _scoped(world)
    # lists and getters
    visible = {u.pcode for u in selectors.admin_unit_list(membership=member)}
    assert visible == {"CD10", "CD1001"}
    assert selectors.admin_unit_get(membership=member, pcode="CD20") is None
    assert selectors.admin_unit_get(membership=member, pcode="CD2001") is None
    assert selectors.admin_unit_get(membership=member, pcode="CD") is None
    assert selectors.admin_unit_get(membership=member, pcode="CD1001") == world.north_territory
    assert list(selectors.admin_unit_children(membership=member, unit=world.country)) == [
        world.north
    ]
    counts = selectors.admin_unit_children_counts(membership=member, units=[world.country])
    assert counts == {world.country.pk: 1}
    # sites
    assert list(selectors.sites_in_unit(membership=member, unit=world.country)) == [
        world.north_village
    ]
    assert selectors.site_get(membership=member, code="V-S1") is None
    # access status and history, even when asked about a South record directly
    south = world.south_territory
    assert selectors.access_current(membership=member, place=south) is None
    assert selectors.access_current(membership=member, place=world.south_village) is None
    assert not selectors.access_history(membership=member, place=south).exists()
    assert not selectors.access_history(membership=member, place=world.south_village).exists()
    by_unit = selectors.access_current_for_units(
        membership=member, units=[south, world.north_territory]
    )
    assert set(by_unit) == {world.north_territory.pk}
    # population: nothing for the South, and the country's total is not computed for them
    assert selectors.population_pyramid(membership=member, unit=south).is_empty
    assert selectors.population_pyramid(membership=member, unit=world.country).is_empty
    assert selectors.population_years(membership=member, unit=south) == []
    assert selectors.population_pyramid(membership=member, unit=world.north).total == 10
    # breadcrumbs: names of ancestors only, marked invisible; none for a South unit
    crumbs = selectors.admin_unit_ancestors(membership=member, unit=world.north_territory)
    assert [(c.pcode, c.visible) for c in crumbs] == [("CD", False), ("CD10", True)]
    assert selectors.admin_unit_ancestors(membership=member, unit=south) == []
    # search
    hits = place_search(membership=member, query="kivu")
    assert [h.code for h in hits] == ["CD10"]
    assert place_search(membership=member, query="Kiliba") == []


def test_every_places_api_route_refuses_or_omits_the_other_province(
    world: TwoProvinces,
) -> None:
    member = _scoped(world)
    client = _client(member)
    base = f"/api/v1/missions/{world.mission.slug}"
    # lists leave the South out
    listed = client.get(f"{base}/places", {"limit": 500}).json()
    assert {item["pcode"] for item in listed["items"]} == {"CD10", "CD1001"}
    assert listed["count"] == 2
    assert client.get(f"{base}/places", {"q": "sud"}).json()["count"] == 0
    assert client.get(f"{base}/places", {"parent": "CD20"}).json()["count"] == 0
    # every route naming a South unit answers 404
    for url in (
        f"{base}/places/CD20",
        f"{base}/places/CD2001",
        f"{base}/places/CD",
        f"{base}/places/CD20/sites",
        f"{base}/places/CD2001/sites",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not found."}
    response = client.post(
        f"{base}/places/CD2001/access",
        {"level": "accessible", "effective_from": "2026-02-01"},
        content_type="application/json",
    )
    assert response.status_code == 404
    # a North unit may not name a South site
    response = client.post(
        f"{base}/places/CD1001/access",
        {"level": "accessible", "effective_from": "2026-02-01", "site_code": "V-S1"},
        content_type="application/json",
    )
    assert response.status_code == 404
    # search and locate keep quiet about the South
    search = client.get(f"{base}/place-search", {"q": "kiliba"}).json()
    assert search == []
    located = client.get(f"{base}/locate", {"lat": 5, "lon": 12}).json()
    assert located == {"unit": None, "method": None, "site": None, "distance_km": None}
    assert client.get(f"{base}/locate", {"lat": 5, "lon": 2}).json()["unit"]["pcode"] == "CD1001"
    # the North detail does not leak the South through counts or population
    detail = client.get(f"{base}/places/CD10").json()
    assert detail["population"]["total"] == 10
    assert [a["pcode"] for a in detail["ancestors"]] == ["CD"]
    assert detail["ancestors"][0]["visible"] is False
    # nothing in any answer names the South
    for url in (f"{base}/places?limit=500", f"{base}/places/CD10", f"{base}/places/CD10/sites"):
        text = client.get(url).content.decode()
        assert not any(code in text for code in SOUTH_CODES), url
    # a scoped administrator cannot grant the South, nor lift a scope
    other = MembershipFactory(mission=world.mission, role=Role.VIEWER)
    scope_url = f"{base}/members/{other.user.username}/scope"
    assert (
        client.put(scope_url, {"pcodes": ["CD20"]}, content_type="application/json").status_code
        == 422
    )
    assert client.put(scope_url, {"pcodes": []}, content_type="application/json").status_code == 403
    assert scope_for(other).is_whole_mission


def test_scope_contains_checks_mission_and_paths(world: TwoProvinces) -> None:
    other_unit = AdminUnitFactory()
    whole = Scope(mission_id=world.mission.pk, paths=None)
    assert whole.contains(world.south)
    assert whole.contains(None)
    assert not whole.contains(other_unit)
    scoped = Scope(mission_id=world.mission.pk, paths=(world.north.path,))
    assert scoped.contains(world.north_territory)
    assert not scoped.contains(world.south)
    assert not scoped.contains(None)
    assert not scoped.contains(other_unit)
    nothing = Scope(mission_id=world.mission.pk, paths=())
    assert not nothing.contains(world.north)
    assert not AdminUnit.objects.filter(nothing.q("")).exists()
    assert AdminUnit.objects.filter(scoped.q("")).count() == 2


def test_sibling_pcode_prefixes_do_not_leak(world: TwoProvinces) -> None:
    # given a province whose P-code starts with the scoped one's ("CD10" vs "CD100")
    lookalike = AdminUnitFactory(parent=world.country, pcode="CD100", name="Lookalike")
    member = _scoped(world, Role.VIEWER)
    # then it stays outside the scope
    assert selectors.admin_unit_get(membership=member, pcode=lookalike.pcode) is None


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OFFICER])
def test_scope_applies_to_every_role(world: TwoProvinces, role: str) -> None:
    member = _scoped(world, role)
    assert selectors.admin_unit_get(membership=member, pcode="CD20") is None


def test_scope_is_read_once_per_membership_object(
    world: TwoProvinces, django_assert_num_queries: Callable[[int], object]
) -> None:
    member = _scoped(world)
    fresh = Membership.objects.get(pk=member.pk)
    with django_assert_num_queries(1):  # type: ignore[attr-defined]
        scope_for(fresh)
        scope_for(fresh)
