"""Broadcast pages: write a draft with the audience preview, schedule it, watch the delivery
statistics (with htmx polling while sending); no number is ever shown; permissions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from palava.feedback.broadcasts import services
from palava.feedback.models import Broadcast, BroadcastStatus
from palava.feedback.outbound.services import outbound_send_due
from palava.missions.models import Role
from tests.feedback.helpers_broadcasts import (
    broadcast,
    consenting_actor,
    keyword,
    opted_in_reporter,
)
from tests.feedback.helpers_inbox import client_of, make_channel, make_geo, member_in
from tests.feedback.helpers_outbound import sending_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(mission) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    geo = make_geo(mission)
    inbound = make_channel(mission)
    sender, _secret = sending_channel(mission, mode="sandbox")
    phones = [opted_in_reporter(inbound, geo.north_town)[1] for _ in range(3)]
    _actor, actor_phone = consenting_actor(mission, geo.north)
    keyword(inbound, phones[2], "STOP")
    manager = member_in(mission, Role.MANAGER)
    return {
        "geo": geo,
        "sender": sender,
        "phones": [*phones, actor_phone],
        "manager": manager,
        "client": client_of(manager),
    }


def _url(name: str, mission: Any, **kwargs: Any) -> str:
    return reverse(f"broadcasts:{name}", kwargs={"mission_slug": mission.slug, **kwargs})


def test_write_schedule_and_follow_a_broadcast(mission, world) -> None:  # type: ignore[no-untyped-def]
    client = world["client"]
    page = client.get(_url("new", mission))
    assert page.status_code == 200
    assert "Who receives it" in page.content.decode()
    form = {
        "title": "Vaccination campaign",
        "channel": world["sender"].pk,
        "default_language": "fr",
        "text_fr": "Campagne de vaccination lundi au centre de santé.",
        "text_en": "Vaccination campaign on Monday at the health centre.",
        "to_reporters": "on",
        "to_actors": "on",
        "admin_units": [world["geo"].north.pk],
    }
    preview = client.post(_url("preview", mission), form, HTTP_HX_REQUEST="true")
    text = preview.content.decode()
    assert re.search(r'class="big-number">3<', text)  # 2 reporters + 1 actor
    assert "1 number left out: it sent STOP." in text
    created = client.post(_url("new", mission), form)
    assert created.status_code == 302
    obj = Broadcast.objects.get(title="Vaccination campaign")
    assert obj.status == BroadcastStatus.DRAFT
    detail = client.get(created["Location"])
    assert "Who it would reach now" in detail.content.decode()
    scheduled = client.post(_url("schedule", mission, broadcast_id=obj.public_id), {"when": "now"})
    assert scheduled.status_code == 302
    assert Broadcast.objects.get(pk=obj.pk).status == BroadcastStatus.SCHEDULED
    services.broadcasts_send_due()
    while_queued = client.get(_url("detail", mission, broadcast_id=obj.public_id)).content.decode()
    assert 'hx-trigger="every 3s"' in while_queued  # still polling: messages wait for the gateway
    outbound_send_due()
    done = client.get(_url("stats", mission, broadcast_id=obj.public_id)).content.decode()
    assert "hx-trigger" not in done
    assert 'value="100"' in done
    assert re.search(r"Delivered\s*</dt>\s*<dd>\s*<strong>3</strong>", done)
    assert re.search(r"Not sent: opted out\s*</dt>\s*<dd>\s*<strong>1</strong>", done)
    for page in (while_queued, done):
        for phone in world["phones"]:
            assert phone[-7:] not in page


def test_form_errors_are_shown(mission, world) -> None:  # type: ignore[no-untyped-def]
    response = world["client"].post(
        _url("new", mission),
        {
            "title": "No text",
            "channel": world["sender"].pk,
            "default_language": "fr",
            "text_en": "English only",
            "to_reporters": "on",
        },
    )
    assert response.status_code == 200
    assert "Write the text in the default language." in response.content.decode()


def test_list_and_empty_state(mission, world) -> None:  # type: ignore[no-untyped-def]
    client = world["client"]
    assert "No broadcasts yet." in client.get(_url("list", mission)).content.decode()
    broadcast(mission, world["sender"], title="Market day")
    assert "Market day" in client.get(_url("list", mission)).content.decode()


@pytest.mark.parametrize(
    ("role", "can_view", "can_manage"),
    [
        (Role.ANALYST, True, False),
        (Role.OFFICER, True, False),
        (Role.MANAGER, True, True),
        (Role.PARTNER, False, False),
    ],
)
def test_permissions(mission, world, role, can_view, can_manage) -> None:  # type: ignore[no-untyped-def]
    obj = broadcast(mission, world["sender"])
    client = client_of(member_in(mission, role))
    detail = client.get(_url("detail", mission, broadcast_id=obj.public_id))
    assert detail.status_code == (200 if can_view else 403)
    assert client.get(_url("new", mission)).status_code == (200 if can_manage else 403)
    response = client.post(_url("schedule", mission, broadcast_id=obj.public_id), {"when": "now"})
    assert response.status_code == (302 if can_manage else 403)


def test_scoped_member_sees_only_broadcasts_of_their_area(mission, world) -> None:  # type: ignore[no-untyped-def]
    geo = world["geo"]
    south = broadcast(mission, world["sender"], admin_units=[geo.south], title="South only")
    north = broadcast(mission, world["sender"], admin_units=[geo.north_town], title="North")
    client = client_of(member_in(mission, Role.MANAGER, geo.north))
    listing = client.get(_url("list", mission)).content.decode()
    assert "North" in listing
    assert "South only" not in listing
    assert client.get(_url("detail", mission, broadcast_id=south.public_id)).status_code == 404
    assert client.get(_url("detail", mission, broadcast_id=north.public_id)).status_code == 200


def test_list_query_count_does_not_grow_with_rows(mission, world) -> None:  # type: ignore[no-untyped-def]
    client = world["client"]
    broadcast(mission, world["sender"])
    client.get(_url("list", mission))  # warm caches (session, membership)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(_url("list", mission))
    for _ in range(6):
        broadcast(mission, world["sender"])
    with CaptureQueriesContext(connection) as many:
        client.get(_url("list", mission))
    assert len(many) == len(few)
