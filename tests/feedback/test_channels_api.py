"""Channel API: list, create (secret in that answer only), read, rotate; ``/channels`` acts on
the token's own mission."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from palava.accounts.tokens import token_create
from palava.feedback.models import Channel, ChannelType
from palava.missions.models import Membership, Mission, Role
from tests.factories import AdminUnitFactory, MembershipFactory, MissionFactory
from tests.feedback.helpers_channels import TWILIO_TOKEN, make_channel

pytestmark = pytest.mark.django_db


def api_client(member: Membership) -> Client:
    raw = token_create(
        actor=member.user, user=member.user, mission=member.mission, name="t", days=1
    ).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def admin_api(member_of: Any) -> Client:
    return api_client(member_of(Role.ADMIN))


def test_create_returns_the_secret_once(mission: Mission, admin_api: Client) -> None:
    AdminUnitFactory(mission=mission, level=1, pcode="CD61")
    response = post(
        admin_api,
        f"/api/v1/missions/{mission.slug}/channels",
        {
            "name": "Gateway",
            "channel_type": "generic",
            "ip_allowlist": ["10.0.0.0/8"],
            "default_admin_unit": "CD61",
            "ack_enabled": True,
            "ack_texts": {"fr": "Merci"},
        },
    )
    assert response.status_code == 201
    data = response.json()
    channel = Channel.objects.get()
    assert data["secret"] == channel.secret
    assert len(data["secret"]) >= 43
    assert data["webhook_url"] == f"http://testserver/hooks/{channel.public_id}/"
    assert data["default_admin_unit"] == "CD61"
    assert data["message_count"] == 0
    # reading it again never shows the secret
    again = admin_api.get(f"/api/v1/missions/{mission.slug}/channels/{channel.public_id}")
    assert again.status_code == 200
    assert "secret" not in again.json()
    assert channel.secret not in again.content.decode()
    listing = admin_api.get(f"/api/v1/missions/{mission.slug}/channels").json()
    assert listing["count"] == 1
    assert channel.secret not in json.dumps(listing)


def test_africastalking_callback_url_carries_the_token(mission: Mission, admin_api: Client) -> None:
    data = post(
        admin_api,
        f"/api/v1/missions/{mission.slug}/channels",
        {"name": "AT", "channel_type": "africastalking"},
    ).json()
    assert data["callback_url"] == f"{data['webhook_url']}?token={data['secret']}"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": "T", "channel_type": "twilio"}, 422),
        ({"name": "X", "channel_type": "pigeon"}, 422),
        ({"name": "X", "channel_type": "generic", "default_admin_unit": "NOPE"}, 422),
        ({"name": "X", "channel_type": "generic", "ip_allowlist": ["nope"]}, 422),
        ({"name": "", "channel_type": "generic"}, 422),
    ],
)
def test_create_errors(
    mission: Mission, admin_api: Client, body: dict[str, Any], status: int
) -> None:
    response = post(admin_api, f"/api/v1/missions/{mission.slug}/channels", body)
    assert response.status_code == status
    assert "detail" in response.json()
    assert Channel.objects.count() == 0


def test_rotate_returns_the_new_secret(mission: Mission, admin_api: Client) -> None:
    twilio = make_channel(mission, ChannelType.TWILIO).channel
    url = f"/api/v1/missions/{mission.slug}/channels/{twilio.public_id}/rotate"
    assert post(admin_api, url, {}).status_code == 422  # Twilio needs the new token
    new_token = "9" * 32
    data = post(admin_api, url, {"secret": new_token, "grace_hours": 1}).json()
    assert data["secret"] == new_token
    assert data["previous_secret_expires_at"] is not None
    twilio.refresh_from_db()
    assert (twilio.secret, twilio.previous_secret) == (new_token, TWILIO_TOKEN)
    hotline = make_channel(mission, ChannelType.HOTLINE).channel
    url = f"/api/v1/missions/{mission.slug}/channels/{hotline.public_id}/rotate"
    assert post(admin_api, url, {}).status_code == 422


def test_own_mission_routes(mission: Mission, admin_api: Client) -> None:
    created = post(admin_api, "/api/v1/channels", {"name": "Own", "channel_type": "generic"})
    assert created.status_code == 201
    assert Channel.objects.get().mission == mission
    listing = admin_api.get("/api/v1/channels").json()
    assert [c["name"] for c in listing["items"]] == ["Own"]
    # another mission's token sees only its own channels
    other = api_client(MembershipFactory(mission=MissionFactory(), role=Role.ADMIN))
    assert other.get("/api/v1/channels").json()["count"] == 0


@pytest.mark.parametrize("role", [Role.MANAGER, Role.OFFICER, Role.VIEWER])
def test_non_admins_cannot_create(mission: Mission, member_of: Any, role: str) -> None:
    client = api_client(member_of(role))
    body = {"name": "X", "channel_type": "generic"}
    assert post(client, "/api/v1/channels", body).status_code == 403
    assert post(client, f"/api/v1/missions/{mission.slug}/channels", body).status_code == 403
    listed = client.get("/api/v1/channels").status_code
    assert listed == (200 if role == Role.MANAGER else 403)


def test_channel_of_another_mission_is_404(mission: Mission, admin_api: Client) -> None:
    other = make_channel(MissionFactory(), ChannelType.GENERIC).channel
    response = admin_api.get(f"/api/v1/missions/{mission.slug}/channels/{other.public_id}")
    assert response.status_code == 404
    bad = admin_api.get(f"/api/v1/missions/{mission.slug}/channels/not-a-uuid")
    assert bad.status_code == 404
