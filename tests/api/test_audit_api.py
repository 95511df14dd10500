"""Reading the audit trail through the API: filtered, scoped, and itself audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from palava.audit.models import AuditEvent
from palava.missions.models import Membership, Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _audit_url(member: Membership) -> str:
    return f"/api/v1/missions/{member.mission.slug}/audit"


def test_reading_the_trail_writes_an_audit_read_row(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    # given a manager with a token
    manager = member_of(Role.MANAGER)
    client = api_client(token_for(manager))
    # when they read the trail filtered by action
    response = client.get(_audit_url(manager), {"action": "token.create"})
    # then one audit.read row names them and the mission, with the filter's name only
    assert response.status_code == 200
    reads = AuditEvent.objects.filter(action="audit.read")
    assert reads.count() == 1
    read = reads.get()
    assert read.actor_id == manager.user.pk
    assert read.mission_id == manager.mission.pk
    assert read.changes == {"action": "[redacted]"}
    # and the read itself is not in what they were shown
    assert all(item["action"] != "audit.read" for item in response.json()["items"])


def test_refused_read_writes_no_audit_row(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    officer = member_of(Role.OFFICER)
    response = api_client(token_for(officer)).get(_audit_url(officer))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="audit.read").exists()


def test_filters_narrow_the_trail_to_the_mission(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    # given two missions with members (membership.create rows in each)
    admin = member_of(Role.ADMIN)
    viewer = member_of(Role.VIEWER)
    MembershipFactory(role=Role.ADMIN)  # another mission
    client = api_client(token_for(admin))
    # when the admin filters by action and by actor
    by_action = client.get(_audit_url(admin), {"action": "membership.create"}).json()
    by_actor = client.get(_audit_url(admin), {"actor": admin.user.username.upper()}).json()
    # then only this mission's matching rows come back, newest first
    assert by_action["count"] == 2
    assert {item["object_id"] for item in by_action["items"]} == {
        str(admin.public_id),
        str(viewer.public_id),
    }
    # (the first read is itself on the trail by the time of the second)
    assert [item["action"] for item in by_actor["items"]] == ["audit.read", "token.create"]


def test_time_window_filters(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    admin = member_of(Role.ADMIN)
    client = api_client(token_for(admin))
    future = (timezone.now() + timedelta(days=1)).isoformat()
    past = (timezone.now() - timedelta(days=1)).isoformat()
    assert client.get(_audit_url(admin), {"since": future}).json()["count"] == 0
    assert client.get(_audit_url(admin), {"until": past}).json()["count"] == 0
    assert client.get(_audit_url(admin), {"since": past, "until": future}).json()["count"] > 0


def test_naive_datetime_filter_is_refused(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    admin = member_of(Role.ADMIN)
    response = api_client(token_for(admin)).get(_audit_url(admin), {"since": "2026-01-01T00:00:00"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "since"]


def test_over_long_filter_is_refused(
    member_of: Callable[..., Membership],
    token_for: Callable[..., str],
    api_client: Callable[[str | None], Client],
) -> None:
    admin = member_of(Role.ADMIN)
    response = api_client(token_for(admin)).get(_audit_url(admin), {"object_id": "x" * 5000})
    assert response.status_code == 422
