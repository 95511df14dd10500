"""Scheduling an activity on a cultural-calendar date warns with the reason; "Schedule anyway"
saves it (the acceptance test of the clash warning)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from palava.context.calendar_services import holidays_install
from palava.engagement.activity_forms import ActivityForm
from palava.engagement.models import Activity
from palava.missions.models import Membership, Mission, Role
from tests.context.calendar_helpers import Geo, make_geo, member_in, weekly

pytestmark = pytest.mark.django_db

EID = "Eid al-Fitr (20\u201322 March 2026)"


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _url(member: Membership, name: str, activity: Activity | None = None) -> str:
    kwargs: dict[str, Any] = {"mission_slug": member.mission.slug}
    if activity is not None:
        kwargs["activity_id"] = activity.public_id
    return reverse(f"activities:{name}", kwargs=kwargs)


def _form(geo: Geo, **extra: Any) -> dict[str, Any]:
    data = {
        "activity_type": "dialogue_forum",
        "title": "Forum on grazing land",
        "status": "planned",
        "admin_unit": geo.north_town.pcode,
        "starts_at": "2026-03-21T09:00",
        "ends_at": "2026-03-21T12:30",
    }
    data.update(extra)
    return data


def _ack(content: str) -> str:
    found = re.search(r'name="calendar_ack" value="([0-9a-f]+)"', content)
    assert found is not None, "the warning carries the key of the clashes it shows"
    return found.group(1)


@pytest.fixture
def world(mission: Mission) -> tuple[Geo, Membership]:
    geo = make_geo(mission)
    officer = member_in(mission, Role.OFFICER)
    holidays_install(actor=officer.user, membership=officer, which="islamic")
    return geo, officer


def test_clash_warns_first_then_schedule_anyway_saves(world: tuple[Geo, Membership]) -> None:
    geo, officer = world
    weekly(
        officer,
        "Beni market",
        (5,),  # Saturday 21 March 2026
        admin_unit=geo.north,
        note="Roads are crowded <script>alert(1)</script>",
    )
    client = _client(officer)
    # first submission: not saved, the warning lists each reason with the event's note
    response = client.post(_url(officer, "create"), _form(geo))
    assert response.status_code == 400
    content = response.content.decode()
    assert not Activity.objects.exists()
    assert EID in content
    assert "Beni market (21 March 2026)" in content
    assert "Roads are crowded &lt;script&gt;" in content
    assert "<script>alert(1)" not in content
    assert "Schedule anyway" in content
    # ticking the box without the warning's key (or with another one) is not enough
    response = client.post(_url(officer, "create"), _form(geo, schedule_anyway="on"))
    assert response.status_code == 400
    response = client.post(
        _url(officer, "create"), _form(geo, schedule_anyway="on", calendar_ack="f" * 32)
    )
    assert response.status_code == 400
    # second submission with the box ticked: saved
    response = client.post(
        _url(officer, "create"), _form(geo, schedule_anyway="on", calendar_ack=_ack(content))
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    # editing without moving it does not warn again
    response = client.post(_url(officer, "edit", activity), _form(geo, title="Renamed forum"))
    assert response.status_code == 302
    # moving it to another clashing day warns about that day
    response = client.post(
        _url(officer, "edit", activity),
        _form(geo, starts_at="2026-03-20T09:00", ends_at="2026-03-20T11:00"),
    )
    assert response.status_code == 400
    assert EID in response.content.decode()
    assert "Beni market" not in response.content.decode()


def test_no_warning_on_a_free_day_or_for_a_past_activity(world: tuple[Geo, Membership]) -> None:
    geo, officer = world
    client = _client(officer)
    response = client.post(
        _url(officer, "create"),
        _form(geo, starts_at="2026-04-07T09:00", ends_at="2026-04-07T11:00"),
    )
    assert response.status_code == 302
    # an activity recorded as held is not being scheduled: no warning
    response = client.post(_url(officer, "create"), _form(geo, status="held", title="Held forum"))
    assert response.status_code == 302
    assert Activity.objects.count() == 2


def test_warning_is_in_the_readers_language(world: tuple[Geo, Membership]) -> None:
    geo, officer = world
    client = _client(officer)
    response = client.post(_url(officer, "create"), _form(geo), headers={"Accept-Language": "fr"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "(20\u201322 mars 2026)" in content


def test_form_exposes_the_clashes(world: tuple[Geo, Membership]) -> None:
    geo, officer = world
    form = ActivityForm(_form(geo), membership=officer)
    assert not form.is_valid()
    assert [item.reason for item in form.calendar_clashes] == [EID]
    assert form.non_field_errors()
    assert (
        "schedule_anyway"
        not in ActivityForm(_form(geo, starts_at="2026-04-07T09:00"), membership=officer).errors
    )
