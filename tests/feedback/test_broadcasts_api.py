"""The broadcast and rumour APIs: create, schedule, statistics and audience counts (never a
number); the rumour log with its spread; restricted messages never linkable or counted for a
role without message.restricted_view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from palava.accounts.tokens import token_create
from palava.feedback.broadcasts.services import broadcasts_send_due
from palava.feedback.outbound.services import outbound_send_due
from palava.missions.models import Membership, Role
from tests.feedback.helpers_broadcasts import keyword, opted_in_reporter
from tests.feedback.helpers_inbox import (
    RESTRICTED_BODY,
    categories,
    make_channel,
    make_geo,
    make_message,
    member_in,
)
from tests.feedback.helpers_outbound import sending_channel

pytestmark = pytest.mark.django_db


def _api(member: Membership) -> Client:
    raw = token_create(actor=member.user, user=member.user, mission=member.mission, name="t")
    return Client(headers={"Authorization": f"Bearer {raw.raw}"})


@pytest.fixture
def world(mission) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    geo = make_geo(mission)
    inbound = make_channel(mission)
    sender, _secret = sending_channel(mission, mode="sandbox")
    phones = [opted_in_reporter(inbound, geo.north_town)[1] for _ in range(3)]
    keyword(inbound, phones[0], "STOP")
    return {"geo": geo, "inbound": inbound, "sender": sender, "phones": phones}


def test_broadcast_lifecycle_over_the_api(mission, world) -> None:  # type: ignore[no-untyped-def]
    manager = _api(member_in(mission, Role.MANAGER))
    base = f"/api/v1/missions/{mission.slug}/broadcasts"
    created = manager.post(
        base,
        {
            "title": "Town hall",
            "texts": {"fr": "Réunion publique jeudi.", "en": "Town hall on Thursday."},
            "default_language": "fr",
            "channel": str(world["sender"].public_id),
            "areas": ["CD10"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft"
    assert body["areas"] == ["CD10"]
    audience = manager.get(f"{base}/{body['id']}/audience").json()
    assert audience == {
        "total": 2,
        "reporters": 2,
        "actors": 0,
        "suppressed": 1,
        "duplicates": 0,
    }
    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    scheduled = manager.post(
        f"{base}/{body['id']}/schedule", {"scheduled_at": soon}, content_type="application/json"
    )
    assert scheduled.json()["status"] == "scheduled"
    broadcasts_send_due(now=datetime.now(UTC) + timedelta(minutes=6))
    outbound_send_due(now=datetime.now(UTC) + timedelta(minutes=6))
    done = manager.get(f"{base}/{body['id']}").json()
    assert done["status"] == "sent"
    assert done["stats"] == {
        "total": 3,
        "queued": 0,
        "sent": 0,
        "delivered": 2,
        "failed": 0,
        "suppressed": 1,
        "cancelled": 0,
        "percent_done": 100,
    }
    listed = manager.get(base).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    text = manager.get(base).content.decode()
    for phone in world["phones"]:
        assert phone[-7:] not in text


def test_broadcast_api_errors(mission, world) -> None:  # type: ignore[no-untyped-def]
    manager = _api(member_in(mission, Role.MANAGER))
    base = f"/api/v1/missions/{mission.slug}/broadcasts"
    missing_text = manager.post(
        base,
        {
            "title": "x",
            "texts": {"en": "y"},
            "default_language": "fr",
            "channel": str(world["sender"].public_id),
        },
        content_type="application/json",
    )
    assert missing_text.status_code == 422
    assert "default language" in missing_text.json()["detail"]
    analyst = _api(member_in(mission, Role.ANALYST))
    assert analyst.get(base).status_code == 200
    refused = analyst.post(base, {}, content_type="application/json")
    assert refused.status_code in (403, 422)
    assert (
        analyst.post(
            base,
            {"title": "x", "texts": {"fr": "y"}, "channel": str(world["sender"].public_id)},
            content_type="application/json",
        ).status_code
        == 403
    )


def test_rumour_api_and_restricted_messages(mission, world) -> None:  # type: ignore[no-untyped-def]
    cats = categories(mission)
    geo = world["geo"]
    said = make_message(
        world["inbound"],
        "Ils disent que l'eau est empoisonnée",
        unit=geo.north_town,
        category=cats["rumour"],
    )
    secret = make_message(
        world["inbound"], RESTRICTED_BODY, unit=geo.north_town, category=cats["sea"]
    )
    officer = _api(member_in(mission, Role.OFFICER))
    manager = _api(member_in(mission, Role.MANAGER))
    base = f"/api/v1/missions/{mission.slug}/rumours"
    created = officer.post(
        base,
        {
            "claim": "The water is poisoned",
            "risk": "high",
            "admin_unit": "CD10",
            "messages": [str(said.public_id)],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    rumour = created.json()
    assert rumour["reference"] == "R-0001"
    assert rumour["message_count"] == 1
    assert sum(day["messages"] for day in rumour["spread"]) == 1
    assert rumour["spread_by_place"] == [{"place": "CD1001", "messages": 1}]
    url = f"{base}/{rumour['id']}"
    refused = officer.post(
        f"{url}/messages", {"messages": [str(secret.public_id)]}, content_type="application/json"
    )
    assert refused.status_code == 422
    linked = manager.post(
        f"{url}/messages", {"messages": [str(secret.public_id)]}, content_type="application/json"
    )
    assert linked.json() == {"linked": 1}
    assert manager.get(url).json()["message_count"] == 2
    as_officer = officer.get(url).json()
    assert as_officer["message_count"] == 1
    assert str(secret.public_id) not in as_officer["messages"]
    assert officer.get(base).json()["items"][0]["message_count"] == 1
    countered = officer.post(
        f"{url}/counter",
        {"counter_message": "L'eau a été testée: elle est potable.", "channels": ["radio"]},
        content_type="application/json",
    ).json()
    assert countered["status"] == "countered"
    assert countered["counter_channels"] == ["radio"]
    status = officer.post(f"{url}/status", {"status": "false"}, content_type="application/json")
    assert status.json()["status"] == "false"
    assert officer.get(base, {"status": "false"}).json()["count"] == 1
    assert officer.get(base, {"place": "CD20"}).json()["count"] == 0
