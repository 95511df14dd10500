"""Engagement settings: the audited service, its validation, the page and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from palava.audit.models import AuditEvent
from palava.engagement.models import EngagementSettings
from palava.engagement.selectors import engagement_settings_get
from palava.engagement.settings_services import engagement_settings_update
from palava.missions.models import Role
from tests.engagement import helpers_plan as h

pytestmark = pytest.mark.django_db


def test_first_update_creates_the_row_and_audits(mission: Any, member_of: Any) -> None:
    manager = member_of(Role.MANAGER)
    assert engagement_settings_get(mission).pk is None
    row = engagement_settings_update(
        actor=manager.user, mission=mission, coverage_days=30, target_women_pct=40
    )
    assert row.pk is not None
    assert (row.coverage_days, row.target_women_pct, row.youth_max_age) == (30, 40, 35)
    assert row.created_by == manager.user
    event = AuditEvent.objects.get(action="engagement.settings.update")
    assert event.changes["coverage_days"] == 30
    assert event.mission == mission
    again = engagement_settings_update(actor=manager.user, mission=mission, reminder_days=3)
    assert again.pk == row.pk
    assert again.coverage_days == 30
    assert EngagementSettings.objects.count() == 1
    assert AuditEvent.objects.filter(action="engagement.settings.update").count() == 2


def test_no_change_writes_no_audit_row(mission: Any) -> None:
    engagement_settings_update(actor=None, mission=mission, coverage_days=30)
    engagement_settings_update(actor=None, mission=mission, coverage_days=30)
    assert AuditEvent.objects.filter(action="engagement.settings.update").count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"youth_min_age": 35, "youth_max_age": 35}, "youth_max_age"),
        ({"youth_min_age": 40}, "youth_max_age"),  # above the default upper age 35
        ({"youth_max_age": 200}, "youth_max_age"),
        ({"target_women_pct": 101}, "target_women_pct"),
        ({"coverage_days": 0}, "coverage_days"),
        ({"coverage_days": 5000}, "coverage_days"),
        ({"reminder_days": 0}, "reminder_days"),
    ],
)
def test_invalid_values_are_refused(mission: Any, fields: dict[str, int], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        engagement_settings_update(actor=None, mission=mission, **fields)
    assert field in caught.value.message_dict
    assert not EngagementSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="engagement.settings.update").exists()


def test_unknown_fields_are_refused(mission: Any) -> None:
    with pytest.raises(ValidationError):
        engagement_settings_update(actor=None, mission=mission, mission_id=99)


def _url(mission: Any) -> str:
    return reverse("engagement:settings", kwargs={"mission_slug": mission.slug})


VALID = {
    "target_women_pct": "35",
    "target_youth_pct": "20",
    "target_minority_pct": "5",
    "youth_min_age": "15",
    "youth_max_age": "24",
    "coverage_days": "60",
    "reminder_days": "3",
}


def test_page_get_and_post(mission: Any, member_of: Any, client_for: Any) -> None:
    client = client_for(member_of(Role.MANAGER).user)
    page = client.get(_url(mission))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="90"' in html  # the default coverage window
    assert "These are the default values" in html
    response = client.post(_url(mission), VALID)
    assert response.status_code == 302
    row = EngagementSettings.objects.get(mission=mission)
    assert (row.youth_min_age, row.youth_max_age, row.coverage_days) == (15, 24, 60)
    assert "Engagement settings saved." in client.get(_url(mission)).content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"youth_min_age": "30", "youth_max_age": "20"}, "must be above the lower age"),
        ({"target_youth_pct": "150"}, "less than or equal to 100"),
        ({"coverage_days": "abc"}, "Enter a whole number"),
        ({"coverage_days": ""}, "This field is required"),
        ({"reminder_days": "9" * 40}, "less than or equal to 365"),
    ],
)
def test_page_shows_errors(
    mission: Any, member_of: Any, client_for: Any, change: dict[str, str], message: str
) -> None:
    client = client_for(member_of(Role.MANAGER).user)
    response = client.post(_url(mission), {**VALID, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EngagementSettings.objects.exists()


@pytest.mark.parametrize("role", [Role.OFFICER, Role.LIAISON, Role.ANALYST, Role.VIEWER])
def test_only_settings_roles_reach_the_page(
    mission: Any, member_of: Any, client_for: Any, role: str
) -> None:
    client = client_for(member_of(role).user)
    assert client.get(_url(mission)).status_code == 403
    assert client.post(_url(mission), VALID).status_code == 403
    assert not EngagementSettings.objects.exists()


def test_api_get_and_patch(mission: Any, member_of: Any) -> None:
    url = f"/api/v1/missions/{mission.slug}/engagement/settings"
    analyst = h.api(member_of(Role.ANALYST))
    body = analyst.get(url).json()
    assert body["coverage_days"] == 90
    assert body["saved"] is False
    patch = analyst.patch(url, {"coverage_days": 10}, content_type="application/json")
    assert patch.status_code == 403
    manager = h.api(member_of(Role.MANAGER))
    response = manager.patch(url, {"coverage_days": 10}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["coverage_days"] == 10
    assert response.json()["saved"] is True
    bad = manager.patch(url, {"youth_min_age": 50}, content_type="application/json")
    assert bad.status_code == 400
    assert "lower age" in bad.json()["detail"]
    out_of_range = manager.patch(url, {"coverage_days": -1}, content_type="application/json")
    assert out_of_range.status_code == 422
    assert engagement_settings_get(mission).coverage_days == 10
