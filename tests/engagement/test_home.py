"""The engagement landing page: figures, links by role, the next seven days."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from palava.engagement.models import ActivityStatus
from palava.missions.models import Role
from tests.engagement import helpers_plan as h

pytestmark = pytest.mark.django_db


def _url(mission: Any) -> str:
    return reverse("engagement:home", kwargs={"mission_slug": mission.slug})


def test_home_figures_and_upcoming(mission: Any, member_of: Any, client_for: Any) -> None:
    places = h.tree(mission)
    now = timezone.now()
    today = timezone.localdate()
    h.activity(mission, places["T11"], now, title="Held just now")
    h.activity(
        mission,
        places["T12"],
        h.at(today + dt.timedelta(days=2)),
        title="Town hall soon",
        status=ActivityStatus.PLANNED,
    )
    h.activity(mission, places["T11"], now + dt.timedelta(days=20), title="Far away")
    h.commitment(mission, places["T11"], today - dt.timedelta(days=1))
    h.commitment(mission, places["T21"], today + dt.timedelta(days=3))
    response = client_for(member_of(Role.ANALYST).user).get(_url(mission))
    assert response.status_code == 200
    context = response.context
    assert context["held_this_month"] == 1
    assert context["open_commitments"] == 2
    assert context["overdue_commitments"] == 1
    assert context["not_engaged"] == 2  # T12 and T21 were never engaged; T11 was today
    assert context["places_total"] == 3
    html = response.content.decode()
    assert "Town hall soon" in html
    assert "Far away" not in html
    assert "C-0002" in html
    assert reverse("engagement:calendar", kwargs={"mission_slug": mission.slug}) in html
    # An analyst does not manage settings nor record activities.
    assert reverse("engagement:settings", kwargs={"mission_slug": mission.slug}) not in html
    assert reverse("activities:create", kwargs={"mission_slug": mission.slug}) not in html


def test_home_links_follow_the_role(mission: Any, member_of: Any, client_for: Any) -> None:
    html = client_for(member_of(Role.MANAGER).user).get(_url(mission)).content.decode()
    assert reverse("engagement:settings", kwargs={"mission_slug": mission.slug}) in html
    assert reverse("activities:create", kwargs={"mission_slug": mission.slug}) in html
    assert "Nothing planned or due in the next 7 days." in html


@pytest.mark.parametrize("role", [Role.PARTNER, Role.VIEWER])
def test_home_needs_activity_view(mission: Any, member_of: Any, client_for: Any, role: str) -> None:
    assert client_for(member_of(role).user).get(_url(mission)).status_code == 403
