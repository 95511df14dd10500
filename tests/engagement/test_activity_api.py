"""The activities API: scope, clearance of participants and minutes, writes, hostile bodies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from palava.accounts.tokens import token_create
from palava.core.sensitivity import Sensitivity
from palava.engagement.activity_services import participant_add
from palava.engagement.models import Activity, AttendanceCount
from palava.feedback.models import Category
from palava.missions.models import Membership, Mission, Role
from tests.engagement.helpers_activities import make_activity, make_actor, make_geo, member_in
from tests.factories import AdminUnitFactory, MissionFactory

pytestmark = pytest.mark.django_db


def _client(member: Membership) -> Client:
    raw = token_create(
        actor=member.user, user=member.user, mission=member.mission, name="t", days=1
    ).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _url(member: Membership, tail: str = "") -> str:
    return f"/api/v1/missions/{member.mission.slug}/activities{tail}"


def _send(client: Client, method: str, url: str, body: Any) -> Any:
    return client.generic(method, url, data=json.dumps(body), content_type="application/json")


def test_list_is_scoped_and_paginated(mission: Mission) -> None:
    geo = make_geo(mission)
    make_activity(mission, geo.north, title="North")
    make_activity(mission, geo.south, title="South")
    south = member_in(mission, Role.OFFICER, geo.south)
    body = _client(south).get(_url(south)).json()
    assert [a["title"] for a in body["items"]] == ["South"]
    everyone = member_in(mission, Role.ANALYST)
    body = _client(everyone).get(_url(everyone), {"limit": 1}).json()
    assert body["count"] == 2
    assert len(body["items"]) == 1
    body = _client(everyone).get(_url(everyone), {"place": "AC10"}).json()
    assert [a["title"] for a in body["items"]] == ["North"]
    assert _client(everyone).get(_url(everyone), {"limit": 10_000}).status_code == 422


def test_detail_hides_participants_and_minutes_by_clearance(mission: Mission) -> None:
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north, minutes="Chief said things")
    participant_add(
        actor=None,
        activity=activity,
        actor_record=make_actor(
            mission, geo.north, name="Commander", sensitivity=Sensitivity.STRICTLY_CONFIDENTIAL
        ),
    )
    participant_add(actor=None, activity=activity, actor_record=make_actor(mission, geo.north))
    officer = member_in(mission, Role.OFFICER)
    body = _client(officer).get(_url(officer, f"/{activity.public_id}")).json()
    assert len(body["participants"]) == 1
    assert body["hidden_participants"] == 1
    assert "Commander" not in str(body)
    assert body["minutes"] == "Chief said things"
    manager = member_in(mission, Role.MANAGER)
    body = _client(manager).get(_url(manager, f"/{activity.public_id}")).json()
    assert len(body["participants"]) == 2
    # a bad id and another province's activity are both 404
    south = member_in(mission, Role.OFFICER, geo.south)
    assert _client(south).get(_url(south, f"/{activity.public_id}")).status_code == 404
    assert _client(officer).get(_url(officer, "/not-a-uuid")).status_code == 404


def test_create_update_attendance_participant_issue(mission: Mission) -> None:
    geo = make_geo(mission)
    officer = member_in(mission, Role.OFFICER)
    client = _client(officer)
    response = _send(
        client,
        "POST",
        _url(officer),
        {
            "activity_type": "town_hall",
            "title": "Town hall",
            "admin_unit": "AC1001",
            "places": ["AC20"],
            "starts_at": "2026-03-02T09:00:00+02:00",
            "facilitators": [officer.user.username],
            "languages": ["fr"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["places"] == ["AC20"]
    activity_id = body["id"]
    response = _send(client, "PATCH", _url(officer, f"/{activity_id}"), {"status": "held"})
    assert response.json()["status"] == "held"
    response = _send(
        client,
        "PUT",
        _url(officer, f"/{activity_id}/attendance"),
        {"cells": [{"sex": "f", "age_band": "18-35", "group": "idp", "count": 7}]},
    )
    assert response.status_code == 200
    assert response.json()["total"] == 7
    actor = make_actor(mission, geo.north)
    response = _send(
        client,
        "POST",
        _url(officer, f"/{activity_id}/participants"),
        {"actor": str(actor.public_id)},
    )
    assert response.status_code == 201
    Category.objects.create(mission=mission, code="water", name="Water")
    response = _send(
        client,
        "POST",
        _url(officer, f"/{activity_id}/issues"),
        {"summary": "Dry well", "category": "water"},
    )
    assert response.status_code == 201
    assert response.json()["category"] == "water"


@pytest.mark.parametrize(
    ("method", "tail", "body"),
    [
        ("PUT", "/attendance", {"cells": [{"sex": "f", "age_band": "18-35", "count": -1}]}),
        ("PUT", "/attendance", {"cells": [{"sex": "f", "age_band": "18-35", "count": 10**12}]}),
        ("PUT", "/attendance", {"cells": [{"sex": "q", "age_band": "18-35", "count": 1}]}),
        (
            "PUT",
            "/attendance",
            {"cells": [{"sex": "f", "age_band": "18-35", "count": 1}] * 2},
        ),
        ("PUT", "/attendance", {"cells": "lots"}),
        ("POST", "/participants", {"actor": "not-a-uuid"}),
        ("POST", "/participants", {"actor": "00000000-0000-0000-0000-000000000000"}),
        ("POST", "/issues", {"summary": "x" * 2001}),
        ("POST", "/issues", {"summary": "ok", "category": "nope"}),
        (
            "POST",
            "/issues",
            {"summary": "ok", "messages": ["00000000-0000-0000-0000-000000000000"]},
        ),
        ("PATCH", "", {"title": "t" * 201}),
        ("PATCH", "", {"admin_unit": "NOWHERE"}),
        ("PATCH", "", {"languages": ["x"] * 11}),
        ("PATCH", "", {"minutes": "m" * 20_001}),
        ("PATCH", "", {"facilitators": ["stranger"]}),
        ("PATCH", "", {"ends_at": "2000-01-01T00:00:00Z"}),
        ("PATCH", "", {"title": None}),
    ],
)
def test_hostile_bodies_are_refused(
    mission: Mission, method: str, tail: str, body: dict[str, Any]
) -> None:
    geo = make_geo(mission)
    activity = make_activity(mission, geo.north, title="Original")
    officer = member_in(mission, Role.OFFICER)
    response = _send(_client(officer), method, _url(officer, f"/{activity.public_id}{tail}"), body)
    assert response.status_code == 422, response.content
    assert "detail" in response.json()
    activity.refresh_from_db()
    assert activity.title == "Original"
    assert not AttendanceCount.objects.exists()


def test_foreign_mission_place_and_actor_are_refused(mission: Mission) -> None:
    geo = make_geo(mission)
    other = MissionFactory()
    foreign_unit = AdminUnitFactory(mission=other, pcode="ZZ99")
    foreign_actor = make_actor(other, foreign_unit)
    activity = make_activity(mission, geo.north)
    officer = member_in(mission, Role.OFFICER)
    client = _client(officer)
    response = _send(
        client,
        "POST",
        _url(officer),
        {
            "activity_type": "town_hall",
            "title": "Elsewhere",
            "admin_unit": "ZZ99",
            "starts_at": "2026-03-02T09:00:00Z",
        },
    )
    assert response.status_code == 422
    response = _send(
        client,
        "POST",
        _url(officer, f"/{activity.public_id}/participants"),
        {"actor": str(foreign_actor.public_id)},
    )
    assert response.status_code == 422
    assert Activity.objects.filter(mission=mission).count() == 1


def test_the_matrix_sample_bodies_are_accepted(mission: Mission) -> None:
    # the bodies proposed for API_BODIES in tests/missions/test_matrix.py
    from tests.engagement.matrix_samples import sample_activity
    from tests.factories import ActorFactory

    activity = sample_activity(mission)
    officer = member_in(mission, Role.LIAISON)
    client = _client(officer)
    actor = ActorFactory(mission=mission, name="Matrix Chief")
    calls = [
        (
            "POST",
            "",
            {
                "activity_type": "town_hall",
                "title": "Matrix town hall",
                "admin_unit": "MX01",
                "starts_at": "2026-01-05T09:00:00Z",
            },
        ),
        ("PATCH", f"/{activity.public_id}", {"title": "Matrix forum"}),
        (
            "PUT",
            f"/{activity.public_id}/attendance",
            {"cells": [{"sex": "f", "age_band": "18-35", "group": "idp", "count": 12}]},
        ),
        ("POST", f"/{activity.public_id}/participants", {"actor": str(actor.public_id)}),
        ("POST", f"/{activity.public_id}/issues", {"summary": "The matrix well is dry"}),
    ]
    for method, tail, body in calls:
        response = _send(client, method, _url(officer, tail), body)
        assert 200 <= response.status_code < 300, (tail, response.content)
