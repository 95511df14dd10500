"""Activity selectors: geographic scope, clearance of named participants, filters, totals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from palava.core.sensitivity import Sensitivity
from palava.engagement import activity_selectors as sel
from palava.engagement.activity_services import attendance_set, issue_add, participant_add
from palava.missions.models import Mission, Role
from tests.engagement.helpers_activities import make_activity, make_actor, make_geo, member_in

pytestmark = pytest.mark.django_db


def test_a_member_scoped_to_another_province_sees_none(mission: Mission) -> None:
    # given an activity in the north and a member scoped to the south
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north_town)
    south = member_in(mission, Role.OFFICER, geo.south)
    north = member_in(mission, Role.OFFICER, geo.north)
    # then the southern member sees nothing, the northern member sees it
    assert list(sel.activity_list(membership=south)) == []
    assert sel.activity_get(membership=south, public_id=activity.public_id) is None
    assert [a.pk for a in sel.activity_list(membership=north)] == [activity.pk]
    assert sel.activity_get(membership=north, public_id=activity.public_id) == activity


def test_bad_ids_find_nothing(mission: Mission) -> None:
    member = member_in(mission)
    for value in ("", "not-a-uuid", None, "1" * 500):
        assert sel.activity_get(membership=member, public_id=value) is None


def test_a_strictly_confidential_participant_is_hidden_from_an_officer(mission: Mission) -> None:
    # given an activity with a public chief and a strictly confidential commander
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north)
    chief = make_actor(mission, geo.north, name="Chief Open")
    commander = make_actor(
        mission, geo.north, name="Commander Secret", sensitivity=Sensitivity.STRICTLY_CONFIDENTIAL
    )
    participant_add(actor=None, activity=activity, actor_record=chief)
    participant_add(actor=None, activity=activity, actor_record=commander)
    officer = member_in(mission, Role.OFFICER)
    manager = member_in(mission, Role.MANAGER)
    # when the officer reads it: the commander is only counted
    detail = sel.activity_detail(membership=officer, activity=activity)
    assert [p.actor.name for p in detail.participants] == ["Chief Open"]
    assert detail.hidden_participants == 1
    # the manager (strictly confidential clearance) sees both
    detail = sel.activity_detail(membership=manager, activity=activity)
    assert sorted(p.actor.name for p in detail.participants) == ["Chief Open", "Commander Secret"]
    assert detail.hidden_participants == 0


def test_attendance_totals_and_shares(mission: Mission) -> None:
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north)
    attendance_set(
        actor=None,
        activity=activity,
        counts={
            ("f", "18-35", "minority"): 6,
            ("f", "36-59", "general"): 4,
            ("m", "18-35", "general"): 5,
            ("m", "60+", "idp"): 5,
        },
    )
    result = sel.attendance_of(activity)
    assert result.total == 20
    assert result.by_sex == {"f": 10, "m": 10}
    assert result.women_pct == 50.0
    assert result.youth_pct == 55.0
    assert result.minority_pct == 30.0
    assert sel.attendance_of(make_activity(mission, geo.north)).women_pct is None


def test_filters(mission: Mission) -> None:
    geo = make_geo(mission)
    now = timezone.now()
    town = make_activity(mission, geo.north_town, title="Town hall Beni", activity_type="town_hall")
    south = make_activity(
        mission, geo.south, title="Council", starts_at=now - dt.timedelta(days=40)
    )
    member = member_in(mission)

    def titles(**kw: object) -> list[str]:
        found = sel.activity_list(membership=member, filters=sel.ActivityFilters(**kw))  # type: ignore[arg-type]
        return [a.title for a in found]

    assert titles(place="AC10") == [town.title]
    assert titles(place="NOPE") == []
    assert titles(activity_type="town_hall") == [town.title]
    assert titles(query="council") == [south.title]
    assert titles(since=(now - dt.timedelta(days=10)).date()) == [town.title]
    assert titles(until=(now - dt.timedelta(days=30)).date()) == [south.title]
    assert titles(status="held") == []


def test_issue_messages_limited_to_visible_ones(mission: Mission) -> None:
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north)
    issue_add(actor=None, activity=activity, summary="Water")
    viewer = member_in(mission, Role.ANALYST)
    issues = sel.issues_of(membership=viewer, activity=activity)
    assert [i.summary for i in issues] == ["Water"]
    assert issues[0].visible_messages == []  # type: ignore[attr-defined]


def test_recent_messages_come_from_the_activity_area_and_never_show_the_body(
    mission: Mission,
) -> None:
    from tests.feedback.helpers_inbox import make_channel, make_message

    geo = make_geo(mission)
    channel = make_channel(mission)
    near = make_message(channel, "The well in Beni is dry, call Amina", unit=geo.north_town)
    make_message(channel, "Road blocked in the south", unit=geo.south)
    officer = member_in(mission, Role.OFFICER)
    found = sel.recent_messages(membership=officer, place=geo.north)
    assert [m.pk for m in found] == [near.pk]
    label = sel.message_label(found[0])
    assert "Beni" in label
    assert str(near.public_id)[:8] in label
    assert "dry" not in label
    assert "Amina" not in label
    assert len(sel.recent_messages(membership=officer)) == 2
