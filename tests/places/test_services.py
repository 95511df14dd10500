"""Writing places: admin units, sites, access status, population and scope, each audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from palava.audit.models import AuditEvent
from palava.missions.models import Mission, Role
from palava.places.models import AccessStatus, AdminUnit, MembershipScope, PopulationFigure
from palava.places.scope import scope_for
from palava.places.services import (
    access_status_record,
    admin_unit_create,
    admin_unit_update,
    membership_scope_set,
    place_search_text,
    population_set,
    site_create,
    site_update,
)
from tests.factories import (
    AdminUnitFactory,
    MembershipFactory,
    MissionFactory,
    SiteFactory,
    UserFactory,
)
from tests.places.geo import square

pytestmark = pytest.mark.django_db


def test_unit_created_under_a_parent_gets_path_country_and_search_text(mission: Mission) -> None:
    # given a country unit
    user = UserFactory()
    country = admin_unit_create(actor=user, mission=mission, pcode="CD", level=0, name="RDC")
    # when a province is created under it with names and alternate spellings
    province = admin_unit_create(
        actor=user,
        mission=mission,
        pcode="CD61",
        level=1,
        name=" Nord-Kivu ",
        parent=country,
        names={"en": "North Kivu", "fr": "Nord-Kivu"},
        alt_names=["Kivu du Nord"],
        boundary=square(0, 0, 1, 1),
    )
    # then the path chains the P-codes, the country is inherited and names are searchable
    assert province.path == "/CD/CD61/"
    assert province.country == "COD"
    assert province.name == "Nord-Kivu"
    assert province.search_text.split("\n") == ["nord kivu", "north kivu", "kivu du nord"]
    assert province.created_by == user
    # and the audit row names the parent and summarises the boundary
    event = AuditEvent.objects.get(action="admin_unit.create", object_id=str(province.public_id))
    assert event.changes["parent"] == "CD"
    assert event.changes["boundary"] == "Polygon"
    assert event.mission_id == mission.pk


@pytest.mark.parametrize("pcode", ["CD/61", "", " ", "-CD", "CD 61"])
def test_unit_with_a_bad_pcode_is_refused(mission: Mission, pcode: str) -> None:
    with pytest.raises(ValidationError):
        admin_unit_create(actor=None, mission=mission, pcode=pcode, level=0, name="X")
    assert not AdminUnit.objects.exists()


def test_unit_refuses_a_parent_from_another_mission(mission: Mission) -> None:
    foreign = AdminUnitFactory(mission=MissionFactory())
    with pytest.raises(ValidationError, match="another mission"):
        admin_unit_create(
            actor=None, mission=mission, pcode="CD1", level=1, name="X", parent=foreign
        )


def test_unit_refuses_a_parent_at_the_same_or_a_deeper_level(mission: Mission) -> None:
    province = AdminUnitFactory(mission=mission, level=1)
    with pytest.raises(ValidationError, match="higher admin level"):
        admin_unit_create(
            actor=None, mission=mission, pcode="CD1", level=1, name="X", parent=province
        )


def test_duplicate_pcode_in_a_mission_is_refused(mission: Mission) -> None:
    AdminUnitFactory(mission=mission, pcode="CD")
    with pytest.raises(ValidationError):
        AdminUnitFactory(mission=mission, pcode="CD")


def test_update_recomputes_search_text_and_audits_only_changes(mission: Mission) -> None:
    # given a unit
    unit = AdminUnitFactory(mission=mission, name="Beni")
    # when it gets an alternate spelling and the same name
    updated = admin_unit_update(actor=None, unit=unit, name="Beni", alt_names=["Béni-Ville"])
    # then the new spelling is searchable and only the change is audited
    assert updated.search_text == "beni\nbeni ville"
    event = AuditEvent.objects.get(action="admin_unit.update")
    assert event.changes == {"alt_names": "['Béni-Ville']"}


def test_update_without_changes_writes_nothing(mission: Mission) -> None:
    unit = AdminUnitFactory(mission=mission, name="Beni")
    admin_unit_update(actor=None, unit=unit, name="Beni")
    assert not AuditEvent.objects.filter(action="admin_unit.update").exists()


def test_update_can_retire_and_change_geometry(mission: Mission) -> None:
    unit = AdminUnitFactory(mission=mission)
    when = timezone.now()
    updated = admin_unit_update(
        actor=None,
        unit=unit,
        retired_at=when,
        boundary=None,
        centroid_lat=1.5,
        centroid_lon=2.5,
        valid_from=dt.date(2024, 1, 1),
        source_edition="2024",
    )
    assert updated.retired_at == when
    assert (updated.centroid_lat, updated.centroid_lon) == (1.5, 2.5)
    event = AuditEvent.objects.get(action="admin_unit.update")
    assert event.changes["source_edition"] == "2024"


def test_moving_a_unit_rewrites_the_paths_of_its_subtree(mission: Mission) -> None:
    # given two provinces and a territory with a sector under the first
    country = AdminUnitFactory(mission=mission, pcode="CD")
    first = AdminUnitFactory(parent=country, pcode="CD1")
    second = AdminUnitFactory(parent=country, pcode="CD2")
    territory = AdminUnitFactory(parent=first, pcode="CD101")
    sector = AdminUnitFactory(parent=territory, pcode="CD10101")
    # when the territory moves to the second province
    admin_unit_update(actor=None, unit=territory, parent=second)
    # then it and everything under it follow
    territory.refresh_from_db()
    sector.refresh_from_db()
    assert territory.path == "/CD/CD2/CD101/"
    assert sector.path == "/CD/CD2/CD101/CD10101/"
    assert AuditEvent.objects.get(action="admin_unit.update").changes == {"parent": "CD2"}


def test_a_unit_cannot_move_inside_itself(mission: Mission) -> None:
    # given a province with a territory
    province = AdminUnitFactory(mission=mission, pcode="CD1")
    territory = AdminUnitFactory(parent=province, pcode="CD101")
    # then moving the province under its own territory, or under itself, is refused
    for parent in (territory, province):
        with pytest.raises(ValidationError, match="inside itself"):
            admin_unit_update(actor=None, unit=province, parent=parent)
    province.refresh_from_db()
    assert province.path == "/CD1/"


def test_moving_to_another_missions_parent_is_refused(mission: Mission) -> None:
    unit = AdminUnitFactory(mission=mission, level=1)
    foreign = AdminUnitFactory(mission=MissionFactory(), level=0)
    with pytest.raises(ValidationError, match="another mission"):
        admin_unit_update(actor=None, unit=unit, parent=foreign)


def test_moving_to_the_top_level(mission: Mission) -> None:
    parent = AdminUnitFactory(mission=mission, pcode="CD")
    unit = AdminUnitFactory(parent=parent, pcode="CD1")
    assert admin_unit_update(actor=None, unit=unit, parent=None).path == "/CD1/"


def test_site_created_with_search_text_and_audit(mission: Mission) -> None:
    unit = AdminUnitFactory(mission=mission, pcode="CD")
    site = site_create(
        actor=None,
        mission=mission,
        code="S1",
        name="Camp de Kanyaruchinya",
        kind="idp_camp",
        latitude=-1.6,
        longitude=29.2,
        admin_unit=unit,
        alt_names=["Kanya"],
    )
    assert site.search_text == "camp de kanyaruchinya\nkanya"
    assert AuditEvent.objects.get(action="site.create").changes["admin_unit"] == "CD"


def test_site_refuses_a_unit_of_another_mission(mission: Mission) -> None:
    foreign = AdminUnitFactory(mission=MissionFactory())
    with pytest.raises(ValidationError, match="another mission"):
        SiteFactory(mission=mission, admin_unit=foreign)


def test_site_refuses_coordinates_off_the_globe(mission: Mission) -> None:
    unit = AdminUnitFactory(mission=mission)
    with pytest.raises(ValidationError):
        SiteFactory(admin_unit=unit, latitude=91)


def test_site_update_moves_and_renames(mission: Mission) -> None:
    first = AdminUnitFactory(mission=mission)
    second = AdminUnitFactory(mission=mission)
    site = SiteFactory(admin_unit=first, name="Old")
    updated = site_update(
        actor=None, site=site, name="Nouveau Marché", admin_unit=second, kind="market"
    )
    assert updated.admin_unit == second
    assert updated.search_text == "nouveau marche"
    changes = AuditEvent.objects.get(action="site.update").changes
    assert changes == {"name": "Nouveau Marché", "kind": "market", "admin_unit": second.pcode}


def test_site_update_without_changes_writes_nothing(mission: Mission) -> None:
    site = SiteFactory(admin_unit=AdminUnitFactory(mission=mission), name="Same")
    site_update(actor=None, site=site, name="Same", admin_unit=site.admin_unit)
    assert not AuditEvent.objects.filter(action="site.update").exists()


def test_site_cannot_move_to_another_missions_unit(mission: Mission) -> None:
    site = SiteFactory(admin_unit=AdminUnitFactory(mission=mission))
    with pytest.raises(ValidationError, match="another mission"):
        site_update(actor=None, site=site, admin_unit=AdminUnitFactory(mission=MissionFactory()))


def test_access_status_for_a_site_records_its_unit(mission: Mission) -> None:
    site = SiteFactory(admin_unit=AdminUnitFactory(mission=mission))
    status = access_status_record(
        actor=None,
        place=site,
        level="no_go",
        effective_from=dt.date(2026, 1, 1),
        reason=" armed clashes ",
    )
    assert (status.admin_unit, status.site, status.reason) == (
        site.admin_unit,
        site,
        "armed clashes",
    )
    event = AuditEvent.objects.get(action="access_status.record")
    assert event.changes["site"] == site.code
    assert event.changes["level"] == "no_go"


def test_access_status_for_a_unit_and_unknown_levels(mission: Mission) -> None:
    unit = AdminUnitFactory(mission=mission)
    status = access_status_record(
        actor=None, place=unit, level="restricted", effective_from=dt.date(2026, 1, 1)
    )
    assert status.site is None
    with pytest.raises(ValidationError):
        access_status_record(
            actor=None, place=unit, level="closed", effective_from=dt.date(2026, 1, 1)
        )
    assert AccessStatus.objects.count() == 1


def test_population_set_replaces_the_cell(mission: Mission) -> None:
    unit = AdminUnitFactory(mission=mission)
    population_set(actor=None, unit=unit, year=2024, sex="f", age_band="0-4", count=10)
    figure = population_set(
        actor=None, unit=unit, year=2024, sex="f", age_band=" 0-4 ", count=12, source="COD-PS"
    )
    assert PopulationFigure.objects.get() == figure
    assert (figure.count, figure.source) == (12, "COD-PS")
    assert AuditEvent.objects.filter(action="population.set").count() == 2


@pytest.mark.parametrize(("sex", "count"), [("x", 1), ("f", -1)])
def test_population_set_refuses_bad_cells(mission: Mission, sex: str, count: int) -> None:
    unit = AdminUnitFactory(mission=mission)
    with pytest.raises(ValidationError):
        population_set(actor=None, unit=unit, year=2024, sex=sex, age_band="0-4", count=count)


def test_scope_set_replaces_drops_nested_units_and_refreshes_the_cache(mission: Mission) -> None:
    # given a member whose scope has been read once
    country = AdminUnitFactory(mission=mission, pcode="CD")
    north = AdminUnitFactory(parent=country, pcode="CD1")
    south = AdminUnitFactory(parent=country, pcode="CD2")
    territory = AdminUnitFactory(parent=north, pcode="CD101")
    member = MembershipFactory(mission=mission, role=Role.OFFICER)
    assert scope_for(member).is_whole_mission
    # when they are limited to the north, one of its territories and the south
    kept = membership_scope_set(actor=None, membership=member, units=[territory, north, south])
    # then the territory is redundant and the new scope applies at once
    assert [u.pcode for u in kept] == ["CD1", "CD2"]
    assert scope_for(member).paths == ("/CD/CD1/", "/CD/CD2/")
    assert AuditEvent.objects.get(action="membership.scope_set").changes == {
        "admin_unit": "CD1,CD2"
    }
    # and when the scope is replaced by nothing, they see the whole mission again
    membership_scope_set(actor=None, membership=member, units=[])
    assert not MembershipScope.objects.filter(membership=member).exists()
    assert scope_for(member).is_whole_mission


def test_scope_set_refuses_units_of_another_mission(mission: Mission) -> None:
    member = MembershipFactory(mission=mission)
    foreign = AdminUnitFactory(mission=MissionFactory(), pcode="ZZ1")
    with pytest.raises(ValidationError, match="ZZ1"):
        membership_scope_set(actor=None, membership=member, units=[foreign])


def test_place_search_text_ignores_non_strings() -> None:
    text = place_search_text(name="Goma", names={"fr": "Goma", "sw": "Ngoma"}, alt_names=["GOMA"])
    assert text == "goma\nngoma"
