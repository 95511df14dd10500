"""Relationships from the actor profile: add one, end one, the scoped picker, refusals."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from palava.actors.models import Actor, Relationship
from palava.audit.models import AuditEvent
from palava.missions.models import Membership, Role
from tests.actors.conftest import Geo
from tests.factories import ActorFactory, RelationshipFactory

pytestmark = pytest.mark.django_db

MemberIn = Callable[..., Membership]


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _actor(geo: Geo, name: str, unit: Any = None) -> Actor:
    return ActorFactory(mission=geo.mission, name=name, admin_unit=unit)


def _profile(geo: Geo, actor: Actor) -> str:
    return f"/m/{geo.mission.slug}/actors/{actor.public_id}/"


def _add_url(geo: Geo, actor: Actor) -> str:
    return f"{_profile(geo, actor)}relationships/"


def _end_url(geo: Geo, rel: Relationship) -> str:
    return f"/m/{geo.mission.slug}/actors/relationships/{rel.public_id}/end/"


def _mission_today(geo: Geo) -> date:
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(geo.mission.time_zone))


# --- Adding ----------------------------------------------------------------------------------


def test_an_officer_adds_a_relationship_from_the_profile(geo: Geo, member_in: MemberIn) -> None:
    # given an officer on the profile of a chief, and a women's group in the same area
    chief = _actor(geo, "Mwami Kabare", geo.north_town)
    group = _actor(geo, "Mama Amani", geo.north_town)
    client = _client(member_in(Role.OFFICER))
    page = client.get(_profile(geo, chief)).content.decode()
    assert "Add a relationship" in page
    assert f'value="{group.public_id}"' in page  # offered in the picker
    # when they record that the chief leads the group
    response = client.post(
        _add_url(geo, chief),
        {
            "kind": "leads",
            "target": str(group.public_id),
            "start_date": "2024-03-01",
            "information_source": "Field visit, March",
            "confidence": "high",
            "notes": "Seen at the market meeting",
        },
    )
    # then it is recorded from the chief to the group, audited, and shown on the profile
    assert response.status_code == 302
    assert response["Location"] == _profile(geo, chief) + "#relationships"
    rel = Relationship.objects.get(mission=geo.mission)
    assert (rel.source, rel.target, rel.kind) == (chief, group, "leads")
    assert rel.start_date == date(2024, 3, 1)
    assert (rel.confidence, rel.information_source) == ("high", "Field visit, March")
    assert AuditEvent.objects.filter(action="relationship.create").count() == 1
    shown = client.get(_profile(geo, group)).content.decode()
    assert "Led by" in shown
    assert "Mwami Kabare" in shown


def test_the_inverse_reading_records_the_relationship_the_other_way(
    geo: Geo, member_in: MemberIn
) -> None:
    # given a group's profile
    group = _actor(geo, "Jeunesse Unie", geo.north_town)
    youth = _actor(geo, "Amani Kasongo", geo.north_town)
    client = _client(member_in(Role.OFFICER))
    # when "Has as member" is chosen with the youth as the other actor
    response = client.post(
        _add_url(geo, group),
        {"kind": "inverse:member_of", "target": str(youth.public_id), "confidence": "medium"},
    )
    # then the youth is a member of the group
    assert response.status_code == 302
    rel = Relationship.objects.get(mission=geo.mission)
    assert (rel.source, rel.target, rel.kind) == (youth, group, "member_of")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "leads", "confidence": "medium"}, "Choose an actor from the list."),
        (
            {
                "kind": "leads",
                "confidence": "medium",
                "start_date": "2024-05-01",
                "end_date": "2024-01-01",
            },
            "The end date is before the start date.",
        ),
        ({"kind": "", "confidence": "medium"}, "This field is required."),
    ],
    ids=["no-target", "dates-reversed", "no-kind"],
)
def test_an_invalid_relationship_is_refused_in_the_form(
    geo: Geo, member_in: MemberIn, data: dict[str, str], message: str
) -> None:
    # given a profile and another actor
    chief = _actor(geo, "Mwami Kabare", geo.north_town)
    other = _actor(geo, "Imam Bakari", geo.north_town)
    if data.get("start_date"):
        data = {**data, "target": str(other.public_id)}
    client = _client(member_in(Role.OFFICER))
    # when the form is posted with a mistake
    response = client.post(_add_url(geo, chief), data)
    # then the profile comes back with the form open and the reason, and nothing is recorded
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert re.search(r'id="add-relationship"\s+open', page)
    assert not Relationship.objects.filter(mission=geo.mission).exists()


def test_a_refusal_of_the_service_is_shown_in_the_form_not_as_an_error(
    geo: Geo, member_in: MemberIn
) -> None:
    # given two actors already allied (a symmetric kind)
    a = _actor(geo, "Mwami Kabare", geo.north_town)
    b = _actor(geo, "Chief Lendu", geo.north_town)
    RelationshipFactory(source=a, target=b, kind="allied_with")
    client = _client(member_in(Role.OFFICER))
    # when the same alliance is recorded again from the other side
    response = client.post(
        _add_url(geo, b),
        {"kind": "allied_with", "target": str(a.public_id), "confidence": "low"},
    )
    # then the service's reason is shown in the form and nothing is added
    assert response.status_code == 400
    assert "This relationship is already recorded." in response.content.decode()
    assert Relationship.objects.filter(mission=geo.mission).count() == 1


def test_an_actor_outside_the_members_area_cannot_be_chosen(geo: Geo, member_in: MemberIn) -> None:
    # given an officer limited to the north, a northern chief and a southern imam
    chief = _actor(geo, "Mwami Kabare", geo.north_town)
    imam = _actor(geo, "Imam Bakari", geo.south_town)
    client = _client(member_in(Role.OFFICER, geo.north))
    # then the southern imam is not offered in the picker
    assert str(imam.public_id) not in client.get(_profile(geo, chief)).content.decode()
    # when the imam's id is posted anyway
    response = client.post(
        _add_url(geo, chief),
        {"kind": "allied_with", "target": str(imam.public_id), "confidence": "medium"},
    )
    # then it is refused like an unknown actor, and nothing is recorded
    assert response.status_code == 400
    assert "Choose an actor from the list." in response.content.decode()
    assert not Relationship.objects.filter(mission=geo.mission).exists()
    # and the southern imam's own profile does not exist for them
    assert client.post(_add_url(geo, imam), {"kind": "leads"}).status_code == 404


def test_the_text_filter_narrows_the_picker_with_and_without_htmx(
    geo: Geo, member_in: MemberIn
) -> None:
    # given a profile and two other actors
    chief = _actor(geo, "Mwami Kabare", geo.north_town)
    imam = _actor(geo, "Imam Bakari", geo.north_town)
    group = _actor(geo, "Mama Amani", geo.north_town)
    client = _client(member_in(Role.OFFICER))
    # when the profile is opened with a filter, or htmx asks for the picker
    page = client.get(_profile(geo, chief), {"rel_q": "bakari"}).content.decode()
    partial = client.get(
        f"{_profile(geo, chief)}relationships/targets/",
        {"rel_q": "amani"},
        HTTP_HX_REQUEST="true",
    )
    # then only the matching actors are offered
    assert f'value="{imam.public_id}"' in page
    assert f'value="{group.public_id}"' not in page
    assert partial.status_code == 200
    assert b"<html" not in partial.content
    assert str(group.public_id).encode() in partial.content
    assert str(imam.public_id).encode() not in partial.content


# --- Ending ----------------------------------------------------------------------------------


def test_end_closes_an_open_relationship_today_by_default(geo: Geo, member_in: MemberIn) -> None:
    # given an open relationship shown with an End button
    chief = _actor(geo, "Mwami Kabare", geo.north_town)
    group = _actor(geo, "Mama Amani", geo.north_town)
    rel = RelationshipFactory(source=chief, target=group, kind="leads")
    client = _client(member_in(Role.OFFICER))
    assert _end_url(geo, rel) in client.get(_profile(geo, group)).content.decode()
    # when End is pressed on the group's profile without a date
    response = client.post(_end_url(geo, rel), {"actor": str(group.public_id)})
    # then it ends today (the mission's day), audited, and the group's profile is shown again
    assert response.status_code == 302
    assert response["Location"] == _profile(geo, group) + "#relationships"
    rel.refresh_from_db()
    assert rel.end_date == _mission_today(geo)
    assert AuditEvent.objects.filter(action="relationship.end").count() == 1
    assert _end_url(geo, rel) not in client.get(_profile(geo, group)).content.decode()


def test_end_takes_a_given_date_and_refuses_one_before_the_start(
    geo: Geo, member_in: MemberIn
) -> None:
    # given a relationship that started on 1 March 2024
    chief = _actor(geo, "Mwami Kabare", geo.north_town)
    group = _actor(geo, "Mama Amani", geo.north_town)
    rel = RelationshipFactory(source=chief, target=group, kind="leads", start_date=date(2024, 3, 1))
    client = _client(member_in(Role.OFFICER))
    # when it is ended before it started
    refused = client.post(_end_url(geo, rel), {"end_date": "2024-01-31"})
    # then the reason is shown next to the button and it stays open
    assert refused.status_code == 400
    assert "The end date is before the start date." in refused.content.decode()
    rel.refresh_from_db()
    assert rel.end_date is None
    # when it is ended on a later date
    done = client.post(_end_url(geo, rel), {"end_date": "2024-06-30"})
    # then that date is kept; ending it again is refused in the page, not with a server error
    assert done.status_code == 302
    rel.refresh_from_db()
    assert rel.end_date == date(2024, 6, 30)
    again = client.post(_end_url(geo, rel), {"end_date": str(_mission_today(geo))})
    assert again.status_code == 400
    assert "This relationship has already ended." in again.content.decode()
    rel.refresh_from_db()
    assert rel.end_date == date(2024, 6, 30)


def test_a_relationship_with_an_end_outside_the_members_area_cannot_be_ended(
    geo: Geo, member_in: MemberIn
) -> None:
    # given a relationship from a northern chief to a southern imam, and a northern officer
    rel = RelationshipFactory(
        source=_actor(geo, "Mwami Kabare", geo.north_town),
        target=_actor(geo, "Imam Bakari", geo.south_town),
        kind="allied_with",
    )
    client = _client(member_in(Role.OFFICER, geo.north))
    # when they try to end it / then it does not exist for them
    assert client.post(_end_url(geo, rel), {}).status_code == 404
    rel.refresh_from_db()
    assert rel.end_date is None


# --- Permissions -----------------------------------------------------------------------------


def test_a_viewer_sees_relationships_but_gets_403_for_adding_and_ending(
    geo: Geo, member_in: MemberIn
) -> None:
    # given a viewer and an open relationship
    chief = _actor(geo, "Mwami Kabare", geo.north_town)
    group = _actor(geo, "Mama Amani", geo.north_town)
    rel = RelationshipFactory(source=chief, target=group, kind="leads")
    client = _client(member_in(Role.VIEWER))
    # then the profile shows the relationship without the forms
    page = client.get(_profile(geo, chief)).content.decode()
    assert "Mama Amani" in page
    assert "Add a relationship" not in page
    assert _end_url(geo, rel) not in page
    # and adding or ending is forbidden
    added = client.post(
        _add_url(geo, chief), {"kind": "allied_with", "target": str(group.public_id)}
    )
    ended = client.post(_end_url(geo, rel), {})
    picker = client.get(f"{_profile(geo, chief)}relationships/targets/", HTTP_HX_REQUEST="true")
    assert (added.status_code, ended.status_code, picker.status_code) == (403, 403, 403)
    rel.refresh_from_db()
    assert rel.end_date is None
    assert Relationship.objects.filter(mission=geo.mission).count() == 1


def test_a_future_start_cannot_be_ended_today_by_default(geo: Geo, member_in: MemberIn) -> None:
    # given a relationship planned to start next week
    rel = RelationshipFactory(
        source=_actor(geo, "Mwami Kabare", geo.north_town),
        target=_actor(geo, "Mama Amani", geo.north_town),
        kind="leads",
        start_date=_mission_today(geo) + timedelta(days=7),
    )
    client = _client(member_in(Role.OFFICER))
    # when End is pressed without a date / then the default (today) is refused with a reason
    response = client.post(_end_url(geo, rel), {})
    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()
