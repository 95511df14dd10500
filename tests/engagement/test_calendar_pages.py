"""The calendar page, its iCalendar download and the calendar API, on records made directly."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from palava.engagement.calendar_selectors import CalendarFilters, calendar_items
from palava.engagement.models import ActivityStatus, ActivityType, CommitmentStatus
from palava.missions.models import Role
from tests.engagement import helpers_plan as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(mission: Any) -> dict[str, Any]:
    places = h.tree(mission)
    today = timezone.localdate()
    first = today.replace(day=1)
    return {
        "places": places,
        "today": today,
        "forum": h.activity(
            mission, places["V111"], h.at(first), title="Forum de Kalehe, phase 2; jeunes"
        ),
        "council": h.activity(
            mission,
            places["T21"],
            h.at(first),
            title="South council",
            activity_type=ActivityType.RECONCILIATION_COUNCIL,
            status=ActivityStatus.PLANNED,
        ),
        "overdue": h.commitment(mission, places["T11"], first, made_on=first),
        "later": h.commitment(mission, places["T12"], h.month_last(today)),
        "done": h.commitment(
            mission, places["T11"], first, status=CommitmentStatus.DONE, made_on=first
        ),
        "secret": h.commitment(mission, places["T11"], first, sensitivity=3, made_on=first),
        "deliverable": h.deliverable(h.project(mission, places["T12"]), h.month_last(today)),
    }


def _get(client: Client, mission: Any, name: str = "engagement:calendar", **params: str) -> Any:
    return client.get(reverse(name, kwargs={"mission_slug": mission.slug}), params)


def test_month_grid_shows_visible_items(
    mission: Any, world: dict[str, Any], member_of: Any, client_for: Any
) -> None:
    officer = member_of(Role.OFFICER)
    response = _get(client_for(officer.user), mission)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Forum de Kalehe, phase 2; jeunes" in html
    assert "South council" in html
    assert world["overdue"].reference in html
    assert world["later"].reference in html
    assert world["done"].reference not in html  # closed commitments are not due
    assert world["secret"].reference not in html  # above the officer's clearance
    assert "Well QIP-1" in html
    assert 'aria-current="date"' in html
    if world["today"].day > 1:
        assert "cal-overdue" in html
    assert "Chief Kabila Mwamba" not in html  # names of people never shown


def test_scoped_member_sees_only_their_area(
    mission: Any, world: dict[str, Any], member_of: Any, client_for: Any
) -> None:
    member = h.scope(member_of(Role.LIAISON), world["places"]["P2"])
    html = _get(client_for(member.user), mission).content.decode()
    assert "South council" in html
    assert "Forum de Kalehe" not in html
    assert world["later"].reference not in html


def test_filters_by_place_with_descendants_and_by_type(
    mission: Any, world: dict[str, Any], member_of: Any, client_for: Any
) -> None:
    client = client_for(member_of(Role.MANAGER).user)
    html = _get(client, mission, place="p1").content.decode()
    assert "Forum de Kalehe" in html  # V111 lies inside P1
    assert world["secret"].reference in html  # a manager's clearance allows it
    assert "South council" not in html
    html = _get(client, mission, type=ActivityType.RECONCILIATION_COUNCIL).content.decode()
    assert "South council" in html
    assert "Forum de Kalehe" not in html
    assert world["overdue"].reference not in html
    html = _get(client, mission, type="commitments").content.decode()
    assert world["overdue"].reference in html
    assert "South council" not in html


def test_unknown_place_is_a_clear_error_not_everything(
    mission: Any, world: dict[str, Any], member_of: Any, client_for: Any
) -> None:
    member = h.scope(member_of(Role.OFFICER), world["places"]["P2"])
    response = _get(client_for(member.user), mission, place="P1")  # outside the scope
    assert response.status_code == 200
    html = response.content.decode()
    assert "No place with this P-code in your area." in html
    assert "South council" not in html


def test_month_navigation_and_empty_state(
    mission: Any, world: dict[str, Any], member_of: Any, client_for: Any
) -> None:
    client = client_for(member_of(Role.ANALYST).user)
    html = _get(client, mission, month="2024-02", type="commitments").content.decode()
    assert "month=2024-01" in html
    assert "month=2024-03" in html
    assert "type=commitments" in html  # filters kept across months
    assert "29" in html
    assert "Nothing matches these filters this month." in html
    html = _get(client, mission, month="garbage").content.decode()
    assert "South council" in html  # falls back to the current month


def test_roles_without_activity_view_are_refused(
    mission: Any, member_of: Any, client_for: Any
) -> None:
    for role in (Role.PARTNER, Role.VIEWER):
        client = client_for(member_of(role).user)
        assert _get(client, mission).status_code == 403
        assert _get(client, mission, "engagement:calendar_ics").status_code == 403


def test_ics_download(mission: Any, world: dict[str, Any], member_of: Any, client_for: Any) -> None:
    client = client_for(member_of(Role.OFFICER).user)
    response = _get(client, mission, "engagement:calendar_ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    unfolded = body.replace("\r\n ", "")
    assert "SUMMARY:Forum de Kalehe\\, phase 2\\; jeunes (Dialogue forum)" in unfolded
    assert f"UID:activity-{world['forum'].public_id}@palava" in unfolded
    assert f"Commitment {world['overdue'].reference} due" in unfolded
    assert world["secret"].reference not in unfolded
    assert "Chief Kabila Mwamba" not in unfolded
    assert "Civil Affairs" not in unfolded
    assert "Repair the well" not in unfolded
    again = _get(client, mission, "engagement:calendar_ics").content.decode()
    uids = [line for line in unfolded.split("\r\n") if line.startswith("UID:")]
    assert uids == [
        line for line in again.replace("\r\n ", "").split("\r\n") if line.startswith("UID:")
    ]


def test_calendar_items_selector_range_and_filters(
    mission: Any, world: dict[str, Any], member_of: Any
) -> None:
    member = member_of(Role.ADMIN)
    today = world["today"]
    first = today.replace(day=1)
    found = calendar_items(membership=member, start=first, end=first)
    kinds = sorted(item.kind for item in found)
    assert kinds == ["activity", "activity", "commitment", "commitment"]
    assert calendar_items(membership=member, start=first, end=first - dt.timedelta(days=1)) == []
    only = calendar_items(
        membership=member,
        start=first,
        end=first,
        filters=CalendarFilters(place=world["places"]["T21"]),
    )
    assert [item.title for item in only] == ["South council"]


def test_api_calendar(
    mission: Any,
    world: dict[str, Any],
    member_of: Any,
) -> None:
    client = h.api(member_of(Role.OFFICER))
    url = f"/api/v1/missions/{mission.slug}/engagement/calendar"
    first = world["today"].replace(day=1)
    response = client.get(url, {"from": first.isoformat(), "to": h.month_last(first).isoformat()})
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    refs = {item["reference"] for item in items}
    assert world["overdue"].reference in refs
    assert world["secret"].reference not in refs
    assert "Chief Kabila Mwamba" not in response.content.decode()
    too_long = client.get(url, {"from": "2024-01-01", "to": "2025-01-01"})
    assert too_long.status_code == 400
    assert "detail" in too_long.json()
    assert client.get(url, {"from": "2024-01-01", "to": "2024-12-31"}).status_code == 200
    assert client.get(url, {"from": "2024-02-01", "to": "2024-01-01"}).status_code == 400
    assert client.get(url, {"from": "not-a-date"}).status_code == 422
    assert client.get(url, {"type": "nonsense"}).status_code == 400
    assert client.get(url, {"place": "NOPE"}).status_code == 400
    partner = h.api(member_of(Role.PARTNER))
    assert partner.get(url).status_code == 403
