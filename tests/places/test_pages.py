"""Places pages: the browser and search, a place's profile, its map data, recording access."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from palava.audit.models import AuditEvent
from palava.missions.models import Role
from palava.places.models import AccessStatus
from palava.places.services import access_status_record, membership_scope_set, population_set
from tests.factories import ActorFactory, MembershipFactory, MissionFactory
from tests.places.geo import TwoProvinces, two_provinces

pytestmark = pytest.mark.django_db


@pytest.fixture
def geo() -> TwoProvinces:
    return two_provinces(MissionFactory(require_two_factor=False))


def _client(geo: TwoProvinces, role: str = Role.OFFICER, *scope: Any) -> tuple[Client, Any]:
    member = MembershipFactory(mission=geo.mission, role=role)
    if scope:
        membership_scope_set(actor=None, membership=member, units=scope)
    client = Client()
    client.force_login(member.user)
    return client, member


def _url(geo: TwoProvinces, tail: str = "") -> str:
    return f"/m/{geo.mission.slug}/places/{tail}"


def test_browser_opens_the_country_and_lists_its_provinces_with_counts(geo: TwoProvinces) -> None:
    # given a whole-mission officer
    client, _member = _client(geo)
    # when they open the places page
    response = client.get(_url(geo))
    # then the single country is opened: its provinces are listed with their unit counts
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nord-Kivu" in body
    assert "Sud-Kivu" in body
    assert f"{_url(geo)}CD10/" in body
    assert "1 unit inside" in body


def test_empty_gazetteer_points_an_admin_to_the_import_page() -> None:
    # given a mission without places and its administrator
    mission = MissionFactory(require_two_factor=False)
    admin = MembershipFactory(mission=mission, role=Role.ADMIN)
    client = Client()
    client.force_login(admin.user)
    # when they open the places page
    body = client.get(f"/m/{mission.slug}/places/").content.decode()
    # then the empty state links to the import page
    assert "The gazetteer is empty" in body
    assert f'href="/m/{mission.slug}/places/import/"' in body


def test_empty_gazetteer_has_no_import_link_for_a_viewer() -> None:
    mission = MissionFactory(require_two_factor=False)
    viewer = MembershipFactory(mission=mission, role=Role.VIEWER)
    client = Client()
    client.force_login(viewer.user)
    body = client.get(f"/m/{mission.slug}/places/").content.decode()
    assert "The gazetteer is empty" in body
    assert "/places/import/" not in body


def test_search_finds_an_alternate_spelling_without_accents(geo: TwoProvinces) -> None:
    client, _member = _client(geo)
    # when searching "north kivu" (an alternate name) and "beni" (no accent)
    body = client.get(_url(geo), {"q": "north kivu"}).content.decode()
    assert f"{_url(geo)}CD10/" in body
    body = client.get(_url(geo), {"q": "beni"}).content.decode()
    assert "Béni" in body
    assert f"{_url(geo)}CD1001/" in body


def test_scoped_member_starts_at_their_province_and_does_not_find_another(
    geo: TwoProvinces,
) -> None:
    # given a member scoped to the north
    client, _member = _client(geo, Role.LIAISON, geo.north)
    # when they browse and search
    body = client.get(_url(geo)).content.decode()
    found = client.get(_url(geo), {"q": "uvira"}).content.decode()
    # then only the north is offered
    assert "Nord-Kivu" in body
    assert "Sud-Kivu" not in body
    assert "CD2001" not in found
    assert "0 places found" in found


def test_profile_shows_breadcrumb_children_sites_access_and_pyramid(geo: TwoProvinces) -> None:
    # given population figures and an access status for the north province
    population_set(actor=None, unit=geo.north, year=2024, sex="f", age_band="0-4", count=1200)
    population_set(actor=None, unit=geo.north, year=2024, sex="m", age_band="0-4", count=1100)
    population_set(actor=None, unit=geo.north, year=2024, sex="f", age_band="5-17", count=900)
    access_status_record(
        actor=None,
        place=geo.north,
        level="restricted",
        effective_from=timezone.localdate() - timedelta(days=3),
        reason="Road cut",
    )
    client, _member = _client(geo)
    # when the profile is opened
    response = client.get(_url(geo, "CD10/"))
    body = response.content.decode()
    # then it shows the hierarchy, the map container, the pyramid (SVG and table) and access
    assert response.status_code == 200
    assert f'href="{_url(geo)}CD/"' in body  # breadcrumb: the country
    assert f"{_url(geo)}CD1001/" in body  # child
    assert 'data-map-url="' + _url(geo, "CD10/map.geojson") + '"' in body
    assert '<svg class="chart chart-pyramid"' in body
    assert "<title>0-4: Female 1,200</title>" in body or "Female 1,200" in body
    assert "access access-restricted" in body
    assert "Road cut" in body
    assert 'style="' not in body  # strict CSP: no style attributes


def test_breadcrumb_does_not_link_ancestors_outside_scope(geo: TwoProvinces) -> None:
    # given a member scoped to the north territory only
    client, _member = _client(geo, Role.OFFICER, geo.north_territory)
    # when they open their territory
    body = client.get(_url(geo, "CD1001/")).content.decode()
    # then the province and country are named but not linked
    assert "Nord-Kivu" in body
    assert f'href="{_url(geo)}CD10/"' not in body
    assert f'href="{_url(geo)}CD/"' not in body


@pytest.mark.parametrize("pcode", ["CD20", "CD2001", "CD", "NOPE"])
def test_scoped_member_gets_404_outside_their_area(geo: TwoProvinces, pcode: str) -> None:
    client, _member = _client(geo, Role.OFFICER, geo.north)
    assert client.get(_url(geo, f"{pcode}/")).status_code == 404
    assert client.get(_url(geo, f"{pcode}/map.geojson")).status_code == 404


def test_map_data_has_boundaries_children_and_sites(geo: TwoProvinces) -> None:
    client, _member = _client(geo)
    # when the country's map data is fetched
    response = client.get(_url(geo, "CD/map.geojson"))
    data = response.json()
    # then it is a FeatureCollection with the unit, its provinces and every site inside
    assert response["Content-Type"].startswith("application/geo+json")
    roles = {(f["properties"]["role"], f["properties"]["code"]) for f in data["features"]}
    assert roles == {
        ("unit", "CD"),
        ("child", "CD10"),
        ("child", "CD20"),
        ("site", "V-N1"),
        ("site", "V-S1"),
    }
    site = next(f for f in data["features"] if f["properties"]["code"] == "V-N1")
    assert site["geometry"] == {"type": "Point", "coordinates": [2.0, 5.0]}


def test_map_data_of_a_scoped_member_leaves_out_other_provinces(geo: TwoProvinces) -> None:
    # given a member scoped to the north, looking at the north
    client, _member = _client(geo, Role.ANALYST, geo.north)
    data = client.get(_url(geo, "CD10/map.geojson")).json()
    codes = {f["properties"]["code"] for f in data["features"]}
    # then nothing of the south is there
    assert codes == {"CD10", "CD1001", "V-N1"}


def test_recording_an_access_status_writes_history_and_audit(geo: TwoProvinces) -> None:
    client, _member = _client(geo, Role.LIAISON)
    # when a liaison assistant records "no-go" for the south
    response = client.post(
        _url(geo, "CD20/access/"),
        {"level": "no_go", "effective_from": timezone.localdate().isoformat(), "reason": "Clashes"},
    )
    # then it is stored, audited and the profile shows it
    assert response.status_code == 302
    status = AccessStatus.objects.get(admin_unit=geo.south)
    assert status.level == "no_go"
    assert AuditEvent.objects.filter(action="access_status.record").count() == 1
    body = client.get(_url(geo, "CD20/")).content.decode()
    assert "access access-no_go" in body


@pytest.mark.parametrize(
    "data",
    [
        {"level": "closed", "effective_from": "2026-01-01"},
        {"level": "no_go", "effective_from": "not a date"},
        {"level": "no_go", "effective_from": "2099-01-01"},
    ],
)
def test_invalid_access_status_is_refused(geo: TwoProvinces, data: dict[str, str]) -> None:
    client, _member = _client(geo)
    response = client.post(_url(geo, "CD20/access/"), data)
    assert response.status_code == 400
    assert not AccessStatus.objects.exists()


def test_viewer_sees_access_but_may_not_record_it(geo: TwoProvinces) -> None:
    client, _member = _client(geo, Role.VIEWER)
    body = client.get(_url(geo, "CD20/")).content.decode()
    assert "Record a new access status" not in body
    response = client.post(
        _url(geo, "CD20/access/"), {"level": "no_go", "effective_from": "2026-01-01"}
    )
    assert response.status_code == 403


def test_scoped_member_cannot_record_access_outside_their_area(geo: TwoProvinces) -> None:
    client, _member = _client(geo, Role.OFFICER, geo.north)
    response = client.post(
        _url(geo, "CD20/access/"), {"level": "no_go", "effective_from": "2026-01-01"}
    )
    assert response.status_code == 404
    assert not AccessStatus.objects.exists()


def test_profile_lists_the_actors_of_the_place_within_clearance(geo: TwoProvinces) -> None:
    # given an actor in the north territory and a strictly confidential one there
    ActorFactory(mission=geo.mission, name="Mwami Kabare", admin_unit=geo.north_territory)
    ActorFactory(
        mission=geo.mission,
        name="Commander Secret",
        actor_type="armed_group_figure",
        admin_unit=geo.north_territory,
    )
    client, _member = _client(geo, Role.OFFICER)
    # when an officer (confidential clearance) opens the province
    body = client.get(_url(geo, "CD10/")).content.decode()
    # then the actor inside it is listed, the strictly confidential one is not
    assert "Mwami Kabare" in body
    assert "Commander Secret" not in body


def test_place_list_queries_are_bounded(
    geo: TwoProvinces, django_assert_max_num_queries: Any
) -> None:
    client, _member = _client(geo, Role.OFFICER, geo.north, geo.south)
    client.get(_url(geo))  # warm the session
    with django_assert_max_num_queries(12):
        assert client.get(_url(geo)).status_code == 200


def test_place_profile_queries_are_bounded(
    geo: TwoProvinces, django_assert_max_num_queries: Any
) -> None:
    for n in range(15):
        ActorFactory(mission=geo.mission, name=f"Chief {n}", admin_unit=geo.north_territory)
    client, _member = _client(geo)
    with django_assert_max_num_queries(25):
        assert client.get(_url(geo, "CD10/")).status_code == 200
