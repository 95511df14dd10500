"""Rumour log pages: list with filters and empty state, record a rumour, detail with the spread
chart and place table, link messages from a search, counter-message, status; a restricted
message never shows to a role without message.restricted_view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse

from palava.audit.models import AuditEvent
from palava.feedback.models import Rumour, RumourStatus
from palava.feedback.rumours import services
from palava.missions.models import Role
from tests.feedback.helpers_inbox import (
    RESTRICTED_BODY,
    SECRET_WORD,
    categories,
    client_of,
    make_channel,
    make_geo,
    make_message,
    member_in,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(mission) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    geo = make_geo(mission)
    cats = categories(mission)
    inbound = make_channel(mission)
    manager = member_in(mission, Role.MANAGER)
    officer = member_in(mission, Role.OFFICER)
    said = [
        make_message(
            inbound,
            "Le vaccin rend les enfants stériles, disent-ils au marché",
            unit=geo.north_town if i % 2 else geo.south_town,
            category=cats["rumour"],
            received_at=T0 + timedelta(days=i),
        )
        for i in range(4)
    ]
    secret = make_message(
        inbound, RESTRICTED_BODY + " vaccin", unit=geo.north_town, category=cats["sea"]
    )
    return {
        "geo": geo,
        "said": said,
        "secret": secret,
        "manager": manager,
        "officer": officer,
    }


def _url(name: str, mission: Any, **kwargs: Any) -> str:
    return reverse(f"rumours:{name}", kwargs={"mission_slug": mission.slug, **kwargs})


def test_record_link_and_follow_a_rumour(mission, world) -> None:  # type: ignore[no-untyped-def]
    client = client_of(world["officer"])
    assert "No rumours recorded yet." in client.get(_url("list", mission)).content.decode()
    created = client.post(
        _url("new", mission),
        {
            "claim": "The vaccine makes children sterile",
            "risk": "high",
            "admin_unit": world["geo"].north.pk,
            "first_seen_at": "2026-03-02T10:00",
        },
    )
    assert created.status_code == 302
    rumour = Rumour.objects.get()
    assert rumour.first_seen_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 10:00 at UTC+2
    search = client.get(
        _url("link", mission, rumour_id=rumour.public_id), {"q": "vaccin"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    for message in world["said"]:
        assert str(message.public_id) in search
    assert SECRET_WORD not in search
    assert str(world["secret"].public_id) not in search
    linked = client.post(
        _url("link", mission, rumour_id=rumour.public_id),
        {"ids": [str(m.public_id) for m in world["said"]]},
    )
    assert linked.status_code == 302
    page = client.get(_url("detail", mission, rumour_id=rumour.public_id)).content.decode()
    assert 'class="chart chart-spread"' in page
    assert page.count('class="spread-bar"') >= 4  # one bar per day with messages
    assert "4 linked messages" in page
    assert "Uvira" in page
    assert "Béni" in page
    listing = client.get(_url("list", mission), {"risk": "high"}).content.decode()
    assert "R-0001" in listing
    assert (
        "No rumour matches these filters."
        in client.get(_url("list", mission), {"risk": "low"}).content.decode()
    )


def test_counter_and_status_forms(mission, world) -> None:  # type: ignore[no-untyped-def]
    member = world["officer"]
    rumour = services.rumour_create(
        mission=mission, actor="test", membership=member, claim="Claim", admin_unit=None
    )
    client = client_of(member)
    client.post(
        _url("counter", mission, rumour_id=rumour.public_id),
        {"counter_message": "Les faits: le vaccin est sûr.", "channels": ["radio", "leaders"]},
    )
    client.post(
        _url("status", mission, rumour_id=rumour.public_id), {"status": "false", "note": ""}
    )
    rumour.refresh_from_db()
    assert rumour.counter_channels == ["radio", "leaders"]
    assert rumour.status == RumourStatus.FALSE
    page = client.get(_url("detail", mission, rumour_id=rumour.public_id)).content.decode()
    assert "Community radio, Through community leaders" in page


def test_restricted_link_is_hidden_from_officers(mission, world) -> None:  # type: ignore[no-untyped-def]
    rumour = services.rumour_create(
        mission=mission,
        actor="test",
        membership=world["manager"],
        claim="Claim",
        messages=[world["secret"], world["said"][0]],
    )
    officer_page = client_of(world["officer"]).get(
        _url("detail", mission, rumour_id=rumour.public_id)
    )
    text = officer_page.content.decode()
    assert "1 linked message" in text
    assert SECRET_WORD not in text
    manager_page = client_of(world["manager"]).get(
        _url("detail", mission, rumour_id=rumour.public_id)
    )
    assert SECRET_WORD in manager_page.content.decode()
    seen = AuditEvent.objects.filter(
        action="message.list", object_id=str(world["secret"].public_id)
    )
    assert seen.count() == 1  # the manager's view of the restricted message is audited


@pytest.mark.parametrize(
    ("role", "can_view", "can_manage"),
    [(Role.ANALYST, True, False), (Role.LIAISON, True, True), (Role.PARTNER, False, False)],
)
def test_permissions(mission, world, role, can_view, can_manage) -> None:  # type: ignore[no-untyped-def]
    rumour = services.rumour_create(
        mission=mission, actor="test", membership=world["manager"], claim="Claim"
    )
    client = client_of(member_in(mission, role))
    assert client.get(_url("list", mission)).status_code == (200 if can_view else 403)
    detail = client.get(_url("detail", mission, rumour_id=rumour.public_id))
    assert detail.status_code == (200 if can_view else 403)
    assert client.get(_url("new", mission)).status_code == (200 if can_manage else 403)


def test_list_query_count_does_not_grow_with_rows(mission, world) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_of(world["manager"])
    services.rumour_create(mission=mission, actor="test", membership=world["manager"], claim="One")
    client.get(_url("list", mission))
    with CaptureQueriesContext(connection) as few:
        client.get(_url("list", mission))
    for i in range(6):
        services.rumour_create(
            mission=mission, actor="test", membership=world["manager"], claim=f"Claim {i}"
        )
    with CaptureQueriesContext(connection) as many:
        client.get(_url("list", mission))
    assert len(many) == len(few)
