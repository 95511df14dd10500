"""Writes of the cultural calendar: events, retirement, standard holidays; hostile input."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from palava.audit.models import AuditEvent
from palava.context.calendar_services import (
    event_create,
    event_retire,
    event_update,
    holidays_install,
)
from palava.context.models import CalendarEvent, EventCategory
from palava.missions.models import Mission, Role
from tests.context.calendar_helpers import make_geo, member_in, weekly
from tests.factories import AdminUnitFactory, MissionFactory

pytestmark = pytest.mark.django_db


def _create(member: Any, **fields: Any) -> CalendarEvent:
    values: dict[str, Any] = {
        "category": "market",
        "title": "Beni market",
        "rule_kind": "weekly",
        "rule": {"weekdays": [3]},
    }
    values.update(fields)
    return event_create(actor=member.user, membership=member, **values)


def test_create_normalises_and_audits(mission: Mission) -> None:
    geo = make_geo(mission)
    officer = member_in(mission)
    event = _create(
        officer,
        admin_unit=geo.north_town,
        titles={"fr": "  Marché de Beni ", "ar": "سوق بني", "en": ""},
        note="Markets close at noon.",
    )
    assert event.key == "beni-market"
    assert event.rule == {"weekdays": [3]}
    assert event.titles == {"ar": "سوق بني", "fr": "Marché de Beni"}
    assert event.created_by == officer.user
    row = AuditEvent.objects.get(action="context.event.create")
    assert row.changes["admin_unit"] == "CC1001"
    assert "Markets close" not in str(row.changes)


def test_create_mission_wide_needs_whole_mission_scope(mission: Mission) -> None:
    geo = make_geo(mission)
    assert _create(member_in(mission)).admin_unit is None
    scoped = member_in(mission, Role.OFFICER, geo.north)
    with pytest.raises(PermissionDenied):
        _create(scoped)
    # a scoped member may add events inside their area, not above or beside it
    assert _create(scoped, admin_unit=geo.north_town).admin_unit == geo.north_town
    for unit in (geo.country, geo.south):
        with pytest.raises(PermissionDenied):
            _create(scoped, admin_unit=unit)


@pytest.mark.parametrize("role", [Role.ANALYST, Role.VIEWER, Role.PARTNER])
def test_roles_without_edit_are_refused(mission: Mission, role: str) -> None:
    with pytest.raises(PermissionDenied):
        _create(member_in(mission, role))


def test_another_missions_place_is_refused(mission: Mission) -> None:
    other = AdminUnitFactory(mission=MissionFactory())
    with pytest.raises(PermissionDenied):
        _create(member_in(mission), admin_unit=other)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Market \u202egnp.exe"}, "title"),
        ({"title": "Market\x00"}, "title"),
        ({"title": 12}, "title"),
        ({"note": "n" * 2001}, "note"),
        ({"category": "party"}, "category"),
        ({"rule_kind": "daily"}, "rule_kind"),
        ({"rule": {"weekdays": [9]}}, "rule"),
        ({"rule": {"weekdays": [True]}}, "rule"),
        ({"rule": {"weekdays": [3], "evil": "<script>"}}, "rule"),
        ({"rule": "weekdays=3"}, "rule"),
        ({"rule": {"weekdays": list(range(5000))}}, "rule"),
        ({"titles": {"de": "Markt"}}, "titles"),
        ({"titles": {"fr": "m" * 201}}, "titles"),
        ({"titles": ["fr"]}, "titles"),
        ({"key": "bad key!"}, "key"),
        ({"warn": "yes"}, "warn"),
    ],
)
def test_hostile_input_is_refused(mission: Mission, fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _create(member_in(mission), **fields)
    assert field in caught.value.message_dict
    assert not CalendarEvent.objects.exists()


def test_script_tags_are_kept_as_text(mission: Mission) -> None:
    event = _create(member_in(mission), title="<script>alert(1)</script>")
    assert event.title == "<script>alert(1)</script>"
    assert event.key == "scriptalert1script"


def test_update_changes_only_what_differs(mission: Mission) -> None:
    geo = make_geo(mission)
    officer = member_in(mission)
    event = weekly(officer, admin_unit=geo.north)
    before = AuditEvent.objects.count()
    event_update(actor=officer.user, membership=officer, event=event, title="Market day")
    assert AuditEvent.objects.count() == before  # no-op
    event = event_update(
        actor=officer.user,
        membership=officer,
        event=event,
        rule_kind="season",
        rule={"start_month": 8, "start_day": 1, "end_month": 9, "end_day": 30},
        note="Harvest: people are in the fields.",
        admin_unit=geo.north_town,
    )
    assert event.rule_kind == "season"
    assert event.admin_unit == geo.north_town
    row = AuditEvent.objects.filter(action="context.event.update").get()
    assert row.changes["note"] == "(changed)"
    assert row.changes["admin_unit"] == "CC1001"
    with pytest.raises(ValidationError):
        # the season parameters are not those of a weekly rule
        event_update(actor=officer.user, membership=officer, event=event, rule_kind="weekly")
    with pytest.raises(ValueError, match="mission"):
        event_update(actor=officer.user, membership=officer, event=event, mission=None)


def test_update_and_retire_need_the_place_in_scope(mission: Mission) -> None:
    geo = make_geo(mission)
    boss = member_in(mission)
    wide = weekly(boss)
    south = weekly(boss, admin_unit=geo.south)
    scoped = member_in(mission, Role.LIAISON, geo.north)
    for event in (wide, south):
        with pytest.raises(PermissionDenied):
            event_update(actor=scoped.user, membership=scoped, event=event, title="Mine")
        with pytest.raises(PermissionDenied):
            event_retire(actor=scoped.user, membership=scoped, event=event)
    own = weekly(scoped, admin_unit=geo.north)
    with pytest.raises(PermissionDenied):  # cannot move it out of their area
        event_update(actor=scoped.user, membership=scoped, event=own, admin_unit=geo.south)
    retired = event_retire(actor=scoped.user, membership=scoped, event=own)
    assert retired.is_active is False
    assert AuditEvent.objects.filter(action="context.event.retire").count() == 1
    event_retire(actor=scoped.user, membership=scoped, event=own)  # again: nothing more
    assert AuditEvent.objects.filter(action="context.event.retire").count() == 1


def test_holidays_install_is_idempotent_and_translated(mission: Mission) -> None:
    geo = make_geo(mission)
    officer = member_in(mission)
    assert holidays_install(actor=officer.user, membership=officer, which="islamic") == 10
    assert holidays_install(actor=officer.user, membership=officer, which="islamic") == 0
    assert holidays_install(actor=officer.user, membership=officer, which="christian") == 9
    # the same holidays for one province are separate events
    assert (
        holidays_install(
            actor=officer.user,
            membership=officer,
            which="islamic",
            offset_days=1,
            admin_unit=geo.north,
        )
        == 10
    )
    eid = CalendarEvent.objects.get(key="eid_al_fitr", admin_unit__isnull=True)
    assert eid.category == EventCategory.ISLAMIC
    assert eid.title == "Eid al-Fitr"
    assert set(eid.titles) == {"en", "fr", "ar"}
    assert eid.rule == {"hijri_month": 10, "hijri_day": 1, "duration_days": 3, "offset_days": 0}
    shifted = CalendarEvent.objects.get(key="eid_al_fitr", admin_unit=geo.north)
    assert shifted.rule["offset_days"] == 1
    ramadan = CalendarEvent.objects.get(key="ramadan", admin_unit__isnull=True)
    assert ramadan.rule["duration_days"] is None
    easter = CalendarEvent.objects.get(key="good_friday")
    assert easter.rule == {"offset_days": -2, "tradition": "western", "duration_days": 1}
    assert AuditEvent.objects.filter(action="context.event.create").count() == 29
    # a retired holiday is installed again
    event_retire(actor=officer.user, membership=officer, event=eid)
    assert holidays_install(actor=officer.user, membership=officer, which="islamic") == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"which": "pagan"},
        {"which": "islamic", "offset_days": 3},
        {"which": "islamic", "offset_days": True},
        {"which": "christian", "offset_days": 1},
    ],
)
def test_holidays_install_refuses_bad_input(mission: Mission, fields: dict[str, Any]) -> None:
    officer = member_in(mission)
    with pytest.raises(ValidationError):
        holidays_install(actor=officer.user, membership=officer, **fields)


def test_holidays_install_needs_edit_rights_and_scope(mission: Mission) -> None:
    geo = make_geo(mission)
    viewer = member_in(mission, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        holidays_install(actor=viewer.user, membership=viewer, which="islamic")
    scoped = member_in(mission, Role.OFFICER, geo.north)
    with pytest.raises(PermissionDenied):
        holidays_install(actor=scoped.user, membership=scoped, which="islamic")
    created = holidays_install(
        actor=scoped.user, membership=scoped, which="christian", admin_unit=geo.north
    )
    assert created == 9
