"""Messages API: list and search with filters and counts, one message, label corrections.
No phone number, name or pseudonym in any answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from palava.accounts.tokens import token_create
from palava.audit.models import AuditEvent
from palava.feedback.models import ChannelType, LabelSource, Message
from palava.missions.models import Membership, Mission, Role
from tests.factories import MembershipFactory, MissionFactory
from tests.feedback.helpers_inbox import (
    PHONE,
    PHONE_DIGITS,
    Geo,
    categories,
    make_channel,
    make_cluster,
    make_geo,
    make_message,
    member_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def geo(mission: Mission) -> Geo:
    return make_geo(mission)


def _api(member: Membership) -> Client:
    raw = token_create(
        actor=member.user, user=member.user, mission=member.mission, name="t", days=1
    ).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _url(geo: Geo, tail: str = "") -> str:
    return f"/api/v1/missions/{geo.mission.slug}/messages{tail}"


def _seed(geo: Geo) -> dict[str, Message]:
    cats = categories(geo.mission)
    sms = make_channel(geo.mission, name="SMS")
    cluster = make_cluster(geo.mission)
    return {
        "water": make_message(
            sms,
            "Le puits de Béni est cassé",
            unit=geo.north_town,
            category=cats["need_water"],
            urgency="urgent",
            language="fr",
            phone=PHONE,
            reporter=True,
            cluster=cluster,
            latitude=0.4912345,
            longitude=29.4712345,
        ),
        "water2": make_message(
            sms,
            "Toujours pas d'eau à Béni",
            unit=geo.north_town,
            category=cats["need_water"],
            language="fr",
            phone=PHONE,
            reporter=True,
            cluster=cluster,
        ),
        "attack": make_message(
            make_channel(geo.mission, ChannelType.HOTLINE, name="Line"),
            "Armed men at the market",
            unit=geo.south_town,
            category=cats["security_threat"],
            urgency="life_threatening",
            language="en",
        ),
    }


def _assert_no_identity(payload: Any) -> None:
    text = json.dumps(payload)
    assert PHONE_DIGITS not in "".join(ch for ch in text if ch.isdigit())
    for key in ("sender_phone", "sender_name", "sender_pseudonym", "pseudonym", "phone"):
        assert f'"{key}"' not in text


def test_list_shapes_counts_and_filters(geo: Geo) -> None:
    rows = _seed(geo)
    api = _api(member_in(geo.mission, Role.ANALYST))
    everything = api.get(_url(geo)).json()
    assert everything["count"] == 3
    first = everything["items"][0]
    assert set(first) >= {
        "id",
        "channel",
        "received_at",
        "body",
        "category",
        "urgency",
        "admin_unit",
        "is_restricted",
        "reporter",
        "cluster",
    }
    _assert_no_identity(everything)
    water = next(i for i in everything["items"] if i["id"] == str(rows["water"].public_id))
    assert water["category"] == "need_water"
    assert water["category_parent"] == "need"
    assert water["reporter"] == str(rows["water"].reporter.public_id)  # type: ignore[union-attr]
    assert water["admin_unit"] == "CD1001"

    def count(**query: str) -> int:
        return int(api.get(_url(geo), query).json()["count"])

    assert count(category="need") == 2
    assert count(place="CD10") == 2
    assert count(urgency="life_threatening") == 1
    assert count(language="fr") == 2
    assert count(q="beni eau") == 1
    assert count(cluster=str(rows["water"].cluster.public_id)) == 2  # type: ignore[union-attr]
    assert count(channel=str(rows["attack"].channel.public_id)) == 1
    assert count(status="open") == 3
    page = api.get(_url(geo), {"limit": "1", "offset": "1"}).json()
    assert page["count"] == 3
    assert len(page["items"]) == 1


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "501"},
        {"urgency": "apocalyptic"},
        {"since": "yesterday"},
        {"q": "x" * 201},
        {"cluster": "not-a-uuid"},
        {"sort": "random"},
    ],
)
def test_list_refuses_bad_parameters(geo: Geo, query: dict[str, str]) -> None:
    api = _api(member_in(geo.mission, Role.OFFICER))
    response = api.get(_url(geo), query)
    assert response.status_code == 422
    assert "detail" in response.json()


def test_detail_with_visible_counts_and_rounded_coordinates(geo: Geo) -> None:
    rows = _seed(geo)
    officer = (
        _api(member_in(geo.mission, Role.OFFICER))
        .get(_url(geo, f"/{rows['water'].public_id}"))
        .json()
    )
    assert officer["cluster_size"] == 2
    assert officer["reporter_other_messages"] == 1
    assert (officer["latitude"], officer["longitude"]) == (0.491, 29.471)
    _assert_no_identity(officer)
    analyst = (
        _api(member_in(geo.mission, Role.ANALYST))
        .get(_url(geo, f"/{rows['water'].public_id}"))
        .json()
    )
    assert analyst["latitude"] is None
    assert analyst["longitude"] is None


def test_patch_relabels_and_sets_status(geo: Geo) -> None:
    rows = _seed(geo)
    api = _api(member_in(geo.mission, Role.LIAISON))
    response = api.patch(
        _url(geo, f"/{rows['attack'].public_id}"),
        data=json.dumps(
            {
                "category": "violence_incident",
                "urgency": "urgent",
                "admin_unit": "CD20",
                "status": "reviewed",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["category"], body["category_source"]) == ("violence_incident", "staff")
    assert (body["urgency"], body["status"], body["admin_unit"]) == ("urgent", "reviewed", "CD20")
    message = Message.objects.get(pk=rows["attack"].pk)
    assert message.place_source == LabelSource.STAFF
    assert AuditEvent.objects.filter(action="message.relabel").count() == 1
    assert AuditEvent.objects.filter(action="message.status").count() == 1


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"category": "no_such_code"}, 422),
        ({"admin_unit": "CD20"}, 422),  # outside the liaison's province
        ({"site": "NOPE"}, 422),
        ({"status": "new"}, 422),
        ({"urgency": "someday"}, 422),
    ],
)
def test_patch_refuses_bad_values(geo: Geo, payload: dict[str, str], status: int) -> None:
    rows = _seed(geo)
    api = _api(member_in(geo.mission, Role.LIAISON, geo.north))
    response = api.patch(
        _url(geo, f"/{rows['water'].public_id}"),
        data=json.dumps(payload),
        content_type="application/json",
    )
    assert response.status_code == status
    assert not AuditEvent.objects.filter(action__in=["message.relabel", "message.status"]).exists()


def test_patch_into_the_restricted_queue_then_gone(geo: Geo) -> None:
    rows = _seed(geo)
    api = _api(member_in(geo.mission, Role.OFFICER))
    response = api.patch(
        _url(geo, f"/{rows['attack'].public_id}"),
        data=json.dumps({"category": "gbv"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["is_restricted"] is True
    assert api.get(_url(geo, f"/{rows['attack'].public_id}")).status_code == 404
    assert api.get(_url(geo)).json()["count"] == 2


def test_roles_and_missions(geo: Geo) -> None:
    rows = _seed(geo)
    analyst = _api(member_in(geo.mission, Role.ANALYST))
    response = analyst.patch(
        _url(geo, f"/{rows['water'].public_id}"),
        data=json.dumps({"status": "closed"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    partner = _api(member_in(geo.mission, Role.PARTNER))
    assert partner.get(_url(geo)).status_code == 403
    outsider = _api(MembershipFactory(mission=MissionFactory(), role=Role.ADMIN))
    assert outsider.get(_url(geo)).status_code == 404
    assert outsider.get(_url(geo, f"/{rows['water'].public_id}")).status_code == 404
    assert Client().get(_url(geo)).status_code == 401
