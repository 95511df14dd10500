"""Activity services: validation of what is linked, bounds on input, and audit rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from palava.audit.models import AuditEvent
from palava.engagement import activity_services as services
from palava.engagement.models import Activity, ActivityStatus, AttendanceCount, Participant
from palava.feedback.models import Category
from palava.missions.models import Mission, Role
from tests.engagement.helpers_activities import make_activity, make_actor, make_geo
from tests.factories import AdminUnitFactory, MembershipFactory, MissionFactory, SiteFactory


def _actions(obj: Any) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(obj.public_id))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_create_sets_places_and_facilitators_and_audits(mission: Mission) -> None:
    # given a geography and a member
    geo = make_geo(mission)
    member = MembershipFactory(mission=mission, role=Role.OFFICER)
    # when an activity is recorded
    activity = make_activity(
        mission,
        geo.north,
        actor=member.user,
        places=[geo.south],
        facilitators=[member.user],
        languages=["fr", " sw ", "fr"],
        minutes="Chief X said *secret* things",
    )
    # then the links are stored and one audit row records it, without the minutes
    assert list(activity.places.all()) == [geo.south]
    assert list(activity.facilitators.all()) == [member.user]
    assert activity.languages == ["fr", "sw"]
    event = AuditEvent.objects.get(action="engagement.activity.create")
    assert event.changes["admin_unit"] == "AC10"
    assert "secret" not in str(event.changes)


@pytest.mark.django_db
def test_create_refuses_foreign_place_site_and_facilitator(mission: Mission) -> None:
    geo = make_geo(mission)
    other = MissionFactory()
    foreign_unit = AdminUnitFactory(mission=other)
    outsider = MembershipFactory(mission=other)
    with pytest.raises(ValidationError) as exc:
        make_activity(mission, foreign_unit)
    assert "admin_unit" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        make_activity(mission, geo.north, facilitators=[outsider.user])
    assert "facilitators" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        make_activity(mission, geo.north, site=SiteFactory(admin_unit=foreign_unit))
    assert "site" in exc.value.error_dict
    assert not Activity.objects.filter(mission=mission).exists()


def test_site_must_lie_in_the_place(mission: Mission) -> None:
    geo = make_geo(mission)
    inside = SiteFactory(admin_unit=geo.north_town)
    outside = SiteFactory(admin_unit=geo.south)
    assert make_activity(mission, geo.north, site=inside).site == inside
    with pytest.raises(ValidationError) as exc:
        make_activity(mission, geo.north, site=outside)
    assert "site" in exc.value.error_dict


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"languages": [f"l{i}" for i in range(11)]}, "languages"),
        ({"languages": ["x" * 41]}, "languages"),
        ({"languages": "fr"}, "languages"),
        ({"minutes": "x" * 20_001}, "minutes"),
        ({"title": "t" * 201}, "title"),
        ({"status": ActivityStatus.CANCELLED}, "cancel_reason"),
        ({"ends_at": timezone.now() - dt.timedelta(days=30)}, "ends_at"),
    ],
)
def test_create_refuses_bad_values(mission: Mission, fields: dict[str, Any], field: str) -> None:
    geo = make_geo(mission)
    with pytest.raises(ValidationError) as exc:
        make_activity(mission, geo.north, **fields)
    assert field in exc.value.error_dict


def test_update_audits_changed_fields_only(mission: Mission) -> None:
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north)
    services.activity_update(actor=None, activity=activity, title="Forum renamed", venue="")
    services.activity_update(actor=None, activity=activity, minutes="names here")
    events = list(AuditEvent.objects.filter(action="engagement.activity.update").order_by("id"))
    assert events[0].changes == {"title": "Forum renamed"}
    assert events[1].changes == {"minutes": "[redacted]"}
    # a follow-up of itself is refused
    with pytest.raises(ValidationError):
        services.activity_update(actor=None, activity=activity, follow_up_of=activity)
    with pytest.raises(ValueError, match="mission"):
        services.activity_update(actor=None, activity=activity, mission=MissionFactory())


def test_set_status_needs_a_reason_to_cancel(mission: Mission) -> None:
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north)
    with pytest.raises(ValidationError):
        services.activity_set_status(actor=None, activity=activity, status="cancelled")
    with pytest.raises(ValidationError):
        services.activity_set_status(actor=None, activity=activity, status="bogus")
    done = services.activity_set_status(
        actor=None, activity=activity, status="cancelled", reason="Rain"
    )
    assert (done.status, done.cancel_reason) == ("cancelled", "Rain")
    held = services.activity_set_status(actor=None, activity=activity, status="held")
    assert held.cancel_reason == ""
    assert _actions(activity).count("engagement.activity.status") == 2


def test_participants_add_and_remove(mission: Mission) -> None:
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north)
    chief = make_actor(mission, geo.north)
    participant = services.participant_add(
        actor=None, activity=activity, actor_record=chief, role="chair"
    )
    with pytest.raises(ValidationError):
        services.participant_add(actor=None, activity=activity, actor_record=chief)
    other = MissionFactory()
    foreign = make_actor(other, AdminUnitFactory(mission=other))
    with pytest.raises(ValidationError):
        services.participant_add(actor=None, activity=activity, actor_record=foreign)
    with pytest.raises(ValidationError):
        services.participant_add(
            actor=None, activity=activity, actor_record=make_actor(mission, geo.north), role="king"
        )
    services.participant_remove(actor=None, participant=participant)
    assert not Participant.objects.filter(activity=activity).exists()
    actions = AuditEvent.objects.values_list("action", flat=True)
    assert "engagement.activity.participant.add" in actions
    assert "engagement.activity.participant.remove" in actions


def test_attendance_replaces_cells_and_skips_zeros(mission: Mission) -> None:
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north)
    services.attendance_set(
        actor=None,
        activity=activity,
        counts={("f", "18-35", "idp"): 12, ("m", "36-59", "general"): 0},
    )
    services.attendance_set(
        actor=None,
        activity=activity,
        counts={("f", "18-35", "host"): 5, ("x", "unknown", "minority"): 3},
    )
    cells = {
        (c.sex, c.age_band, c.group): c.count
        for c in AttendanceCount.objects.filter(activity=activity)
    }
    assert cells == {("f", "18-35", "host"): 5, ("x", "unknown", "minority"): 3}
    event = AuditEvent.objects.filter(action="engagement.activity.attendance.set").last()
    assert event is not None
    assert set(event.changes) == {"cells", "total"}


@pytest.mark.parametrize(
    "counts",
    [
        {("f", "18-35", "idp"): -1},
        {("f", "18-35", "idp"): 100_001},
        {("f", "18-35", "idp"): 10**30},
        {("f", "18-35", "idp"): True},
        {("f", "18-35", "idp"): "7"},
        {("q", "18-35", "idp"): 1},
        {("f", "18-35"): 1},
        {"f": 1},
    ],
)
def test_attendance_refuses_hostile_counts(mission: Mission, counts: dict[Any, Any]) -> None:
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north)
    services.attendance_set(actor=None, activity=activity, counts={("m", "60+", "host"): 2})
    with pytest.raises(ValidationError):
        services.attendance_set(actor=None, activity=activity, counts=counts)
    # the previous cells are kept
    assert AttendanceCount.objects.filter(activity=activity).count() == 1


def test_issue_add_checks_category_and_messages(mission: Mission) -> None:
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north)
    category = Category.objects.create(mission=mission, code="water", name="Water")
    foreign = Category.objects.create(mission=MissionFactory(), code="water", name="Water")
    issue = services.issue_add(
        actor=None, activity=activity, summary="  The well is dry  ", category=category
    )
    assert issue.summary == "The well is dry"
    for bad in (
        {"summary": ""},
        {"summary": "x" * 2001},
        {"summary": "ok", "category": foreign},
    ):
        with pytest.raises(ValidationError):
            services.issue_add(actor=None, activity=activity, **bad)
    services.issue_remove(actor=None, issue=issue)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "engagement.activity.issue.add" in actions
    assert "engagement.activity.issue.remove" in actions
