"""The places API: gazetteer lists and details, sites, search, locating, access and scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from palava.audit.models import AuditEvent
from palava.missions.models import Membership, Mission, Role
from palava.places.locate import locate_cache_clear
from palava.places.models import AccessStatus
from palava.places.scope import scope_for
from palava.places.services import access_status_record, population_set
from tests.factories import AdminUnitFactory, MembershipFactory, SiteFactory
from tests.places.geo import TwoProvinces, two_provinces

pytestmark = pytest.mark.django_db

ClientFor = Callable[[Membership], Client]


@pytest.fixture
def world(mission: Mission) -> TwoProvinces:
    locate_cache_clear()
    return two_provinces(mission)


@pytest.fixture
def client_of(
    token_for: Callable[..., str], api_client: Callable[[str | None], Client]
) -> ClientFor:
    def make(member: Membership) -> Client:
        return api_client(token_for(member))

    return make


def _base(world: TwoProvinces) -> str:
    return f"/api/v1/missions/{world.mission.slug}"


def test_list_paginates_and_filters(
    world: TwoProvinces, member_of: Callable[..., Membership], client_of: ClientFor
) -> None:
    client = client_of(member_of(Role.VIEWER))
    everything = client.get(f"{_base(world)}/places", {"limit": 2}).json()
    assert everything["count"] == 5
    assert [i["pcode"] for i in everything["items"]] == ["CD", "CD10"]
    provinces = client.get(f"{_base(world)}/places", {"level": 1}).json()
    assert [i["pcode"] for i in provinces["items"]] == ["CD10", "CD20"]
    first = provinces["items"][0]
    assert first["parent_pcode"] == "CD"
    assert first["alt_names"] == ["North Kivu"]
    assert first["has_boundary"] is True
    assert first["retired"] is False
    children = client.get(f"{_base(world)}/places", {"parent": "CD20"}).json()
    assert [i["pcode"] for i in children["items"]] == ["CD2001"]
    searched = client.get(f"{_base(world)}/places", {"q": "KIVU"}).json()
    assert [i["pcode"] for i in searched["items"]] == ["CD10", "CD20"]
    exact_first = client.get(f"{_base(world)}/places", {"q": "south kivu"}).json()
    assert [i["pcode"] for i in exact_first["items"]] == ["CD20"]
    assert client.get(f"{_base(world)}/places", {"level": 7}).status_code == 422


def test_detail_has_ancestors_counts_access_population_and_optional_boundary(
    world: TwoProvinces, member_of: Callable[..., Membership], client_of: ClientFor
) -> None:
    population_set(
        actor=None, unit=world.north_territory, year=2024, sex="f", age_band="0-4", count=7
    )
    population_set(
        actor=None, unit=world.north_territory, year=2024, sex="m", age_band="0-4", count=5
    )
    access_status_record(
        actor=None,
        place=world.north,
        level="restricted",
        effective_from=dt.date(2026, 1, 1),
        reason="checkpoints",
    )
    client = client_of(member_of(Role.PARTNER))
    detail = client.get(f"{_base(world)}/places/CD10").json()
    assert detail["ancestors"] == [{"pcode": "CD", "name": "Congo", "level": 0, "visible": True}]
    assert (detail["children_count"], detail["sites_count"]) == (1, 0)
    assert detail["access"]["level"] == "restricted"
    assert detail["access"]["reason"] == "checkpoints"
    assert detail["access"]["site_code"] is None
    assert detail["population"] == {
        "year": 2024,
        "female": 7,
        "male": 5,
        "total": 12,
        "from_children": True,
    }
    assert detail["boundary"] is None
    shaped = client.get(f"{_base(world)}/places/CD10", {"include_boundary": True}).json()
    assert shaped["boundary"]["type"] == "Polygon"
    bare = client.get(f"{_base(world)}/places/CD2001").json()
    assert (bare["access"], bare["population"]) == (None, None)
    assert client.get(f"{_base(world)}/places/NOPE").status_code == 404


def test_sites_of_a_unit_include_its_descendants(
    world: TwoProvinces, member_of: Callable[..., Membership], client_of: ClientFor
) -> None:
    client = client_of(member_of(Role.VIEWER))
    sites = client.get(f"{_base(world)}/places/CD/sites").json()
    assert sites["count"] == 2
    assert [s["code"] for s in sites["items"]] == ["V-S1", "V-N1"]
    assert sites["items"][1] == {
        "code": "V-N1",
        "name": "Mutwanga",
        "kind": "village",
        "latitude": 5.0,
        "longitude": 2.0,
        "admin_unit_pcode": "CD1001",
        "names": {},
        "alt_names": [],
        "retired": False,
    }


def test_search_for_pickers(
    world: TwoProvinces, member_of: Callable[..., Membership], client_of: ClientFor
) -> None:
    client = client_of(member_of(Role.ANALYST))
    hits = client.get(f"{_base(world)}/place-search", {"q": "mutwanga"}).json()
    assert hits == [
        {"kind": "site", "code": "V-N1", "name": "Mutwanga", "level": None, "unit_pcode": "CD1001"}
    ]
    units = client.get(f"{_base(world)}/place-search", {"q": "kivu", "limit": "1"}).json()
    assert [h["code"] for h in units] == ["CD10"]
    assert client.get(f"{_base(world)}/place-search").json() == []
    assert client.get(f"{_base(world)}/place-search", {"limit": 0}).status_code == 422


def test_locate_by_polygon_and_by_nearest_site(
    world: TwoProvinces, member_of: Callable[..., Membership], client_of: ClientFor
) -> None:
    client = client_of(member_of(Role.LIAISON))
    inside = client.get(f"{_base(world)}/locate", {"lat": 5, "lon": 2}).json()
    assert inside["unit"]["pcode"] == "CD1001"
    assert (inside["method"], inside["site"], inside["distance_km"]) == ("polygon", None, None)
    # just outside the country's polygon, 33 km from a village on the border
    SiteFactory(admin_unit=world.north_territory, code="V-EDGE", latitude=0.1, longitude=2)
    near = client.get(f"{_base(world)}/locate", {"lat": "-0.2", "lon": "2"}).json()
    assert near["method"] == "nearest_site"
    assert near["site"]["code"] == "V-EDGE"
    assert near["unit"]["pcode"] == "CD1001"
    assert near["distance_km"] == pytest.approx(33.36, abs=0.01)
    nowhere = client.get(f"{_base(world)}/locate", {"lat": -40, "lon": 2}).json()
    assert nowhere["unit"] is None
    assert client.get(f"{_base(world)}/locate", {"lat": 91, "lon": 2}).status_code == 422
    assert client.get(f"{_base(world)}/locate", {"lat": 1}).status_code == 422


def test_recording_access_for_a_unit_and_for_a_site(
    world: TwoProvinces, member_of: Callable[..., Membership], client_of: ClientFor
) -> None:
    officer = member_of(Role.OFFICER)
    client = client_of(officer)
    url = f"{_base(world)}/places/CD1001/access"
    response = client.post(
        url,
        {"level": "no_go", "effective_from": "2026-02-01", "reason": "clashes"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["level"] == "no_go"
    for_site = client.post(
        url,
        {"level": "restricted", "effective_from": "2026-02-02", "site_code": "V-N1"},
        content_type="application/json",
    )
    assert for_site.status_code == 201
    assert for_site.json()["site_code"] == "V-N1"
    rows = AccessStatus.objects.order_by("effective_from")
    assert [(r.level, r.site_id, r.created_by_id) for r in rows] == [
        ("no_go", None, officer.user.pk),
        ("restricted", world.north_village.pk, officer.user.pk),
    ]
    assert AuditEvent.objects.filter(action="access_status.record", actor=officer.user).count() == 2


@pytest.mark.parametrize(
    "body",
    [
        {"level": "closed", "effective_from": "2026-02-01"},
        {"level": "no_go", "effective_from": "yesterday"},
        {"level": "no_go"},
        {"level": "no_go", "effective_from": "2026-02-01", "reason": "x" * 2001},
    ],
)
def test_bad_access_bodies_are_refused(
    world: TwoProvinces,
    member_of: Callable[..., Membership],
    client_of: ClientFor,
    body: dict[str, str],
) -> None:
    client = client_of(member_of(Role.MANAGER))
    response = client.post(
        f"{_base(world)}/places/CD1001/access", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert not AccessStatus.objects.exists()


def test_an_unknown_site_code_is_not_found(
    world: TwoProvinces, member_of: Callable[..., Membership], client_of: ClientFor
) -> None:
    response = client_of(member_of(Role.MANAGER)).post(
        f"{_base(world)}/places/CD1001/access",
        {"level": "no_go", "effective_from": "2026-02-01", "site_code": "NOPE"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_admin_sets_and_lifts_a_members_scope(
    world: TwoProvinces, member_of: Callable[..., Membership], client_of: ClientFor
) -> None:
    admin = member_of(Role.ADMIN)
    officer = member_of(Role.OFFICER)
    client = client_of(admin)
    url = f"{_base(world)}/members/{officer.user.username}/scope"
    response = client.put(
        url, {"pcodes": ["CD1001", "CD10", "CD10"]}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "username": officer.user.username,
        "whole_mission": False,
        "pcodes": ["CD10"],
    }
    assert scope_for(Membership.objects.get(pk=officer.pk)).paths == (world.north.path,)
    # the officer now gets 404 for the south
    assert client_of(officer).get(f"{_base(world)}/places/CD20").status_code == 404
    lifted = client.put(url, {"pcodes": []}, content_type="application/json").json()
    assert lifted["whole_mission"] is True
    assert client_of(officer).get(f"{_base(world)}/places/CD20").status_code == 200


def test_scope_errors(
    world: TwoProvinces, member_of: Callable[..., Membership], client_of: ClientFor
) -> None:
    client = client_of(member_of(Role.ADMIN))
    officer = member_of(Role.OFFICER)
    url = f"{_base(world)}/members/{officer.user.username}/scope"
    unknown = client.put(url, {"pcodes": ["CD10", "XX"]}, content_type="application/json")
    assert unknown.status_code == 422
    assert "XX" in unknown.json()["detail"]
    # a unit of another mission is as unknown as a made-up one
    foreign = AdminUnitFactory(pcode="FOREIGN")
    response = client.put(url, {"pcodes": [foreign.pcode]}, content_type="application/json")
    assert response.status_code == 422
    stranger = MembershipFactory(role=Role.OFFICER)
    response = client.put(
        f"{_base(world)}/members/{stranger.user.username}/scope",
        {"pcodes": []},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert client.put(url, {"pcodes": "CD10"}, content_type="application/json").status_code == 422
    assert scope_for(officer).is_whole_mission


def test_only_admins_manage_scope_and_viewers_cannot_record_access(
    world: TwoProvinces, member_of: Callable[..., Membership], client_of: ClientFor
) -> None:
    manager = member_of(Role.MANAGER)
    response = client_of(manager).put(
        f"{_base(world)}/members/{manager.user.username}/scope",
        {"pcodes": ["CD10"]},
        content_type="application/json",
    )
    assert response.status_code == 403
    viewer = member_of(Role.VIEWER)
    response = client_of(viewer).post(
        f"{_base(world)}/places/CD10/access",
        {"level": "no_go", "effective_from": "2026-02-01"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert scope_for(manager).is_whole_mission
