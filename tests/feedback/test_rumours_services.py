"""The rumour log: record a rumour, link the messages that repeat it (only messages the member
may see; never a restricted one for a role without message.restricted_view), its spread per day
and per place, the counter-message with the channels used and an optional broadcast draft."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from palava.feedback.models import BroadcastStatus, RumourStatus
from palava.feedback.rumours import selectors, services
from palava.missions.models import Role
from tests.feedback.helpers_inbox import (
    RESTRICTED_BODY,
    SECRET_WORD,
    categories,
    make_channel,
    make_geo,
    make_message,
    member_in,
)
from tests.feedback.helpers_outbound import sending_channel

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 11:00 in Lubumbashi


@pytest.fixture
def world(mission) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    geo = make_geo(mission)
    cats = categories(mission)
    inbound = make_channel(mission, name="SMS 1234")
    manager = member_in(mission, Role.MANAGER)  # sees the restricted queue
    officer = member_in(mission, Role.OFFICER)  # does not
    return {"geo": geo, "cats": cats, "inbound": inbound, "manager": manager, "officer": officer}


def _rumour(world: dict[str, Any], **kwargs: Any) -> Any:
    values: dict[str, Any] = {
        "claim": "The vaccine campaign makes children sterile",
        "admin_unit": world["geo"].north,
        "first_seen_at": T0,
    }
    values.update(kwargs)
    member = values.pop("member", world["manager"])
    return services.rumour_create(
        mission=member.mission, actor=member.user, membership=member, **values
    )


def _say(world: dict[str, Any], at: datetime, unit: Any, body: str = "", **kwargs: Any) -> Any:
    return make_message(
        world["inbound"],
        body or "On dit que le vaccin rend les enfants stériles",
        unit=unit,
        category=world["cats"]["rumour"],
        received_at=at,
        **kwargs,
    )


def test_rumours_are_numbered(world) -> None:  # type: ignore[no-untyped-def]
    first = _rumour(world)
    second = _rumour(world, claim="Armed men will attack the market on Friday")
    assert (first.reference, second.reference) == ("R-0001", "R-0002")
    assert first.status == RumourStatus.MONITORING
    assert list(first.places.all()) == [world["geo"].north]


def test_linking_updates_first_and_last_seen_and_places(world) -> None:  # type: ignore[no-untyped-def]
    geo = world["geo"]
    rumour = _rumour(world, first_seen_at=T0 + timedelta(days=3))
    early = _say(world, T0, geo.north_town)
    late = _say(world, T0 + timedelta(days=5), geo.south_town)
    added = services.rumour_link_messages(
        rumour=rumour, actor="test", membership=world["manager"], messages=[early, late]
    )
    assert added == 2
    rumour.refresh_from_db()
    assert rumour.first_seen_at == T0
    assert rumour.last_seen_at == T0 + timedelta(days=5)
    assert set(rumour.places.all()) == {geo.north, geo.north_town, geo.south_town}
    again = services.rumour_link_messages(
        rumour=rumour, actor="test", membership=world["manager"], messages=[early]
    )
    assert again == 0


def test_restricted_messages_never_linkable_or_visible_without_the_permission(world) -> None:  # type: ignore[no-untyped-def]
    geo = world["geo"]
    rumour = _rumour(world)
    secret = make_message(
        world["inbound"],
        RESTRICTED_BODY,
        unit=geo.north_town,
        category=world["cats"]["sea"],
        received_at=T0,
    )
    public = _say(world, T0, geo.north_town)
    with pytest.raises(ValidationError):  # the officer may not see it, so may not link it
        services.rumour_link_messages(
            rumour=rumour, actor="test", membership=world["officer"], messages=[secret]
        )
    assert not list(
        selectors.linkable_messages(membership=world["officer"], rumour=rumour, query=SECRET_WORD)
    )
    assert list(
        selectors.linkable_messages(membership=world["manager"], rumour=rumour, query=SECRET_WORD)
    ) == [secret]
    services.rumour_link_messages(
        rumour=rumour, actor="test", membership=world["manager"], messages=[secret, public]
    )
    assert list(selectors.rumour_messages(membership=world["officer"], rumour=rumour)) == [public]
    assert selectors.rumour_spread(membership=world["officer"], rumour=rumour).total == 1
    assert selectors.rumour_spread(membership=world["manager"], rumour=rumour).total == 2
    listed = selectors.rumour_list(membership=world["officer"]).get(pk=rumour.pk)
    assert listed.message_count == 1  # type: ignore[attr-defined]


def test_spread_per_day_and_place_in_the_mission_time_zone(world) -> None:  # type: ignore[no-untyped-def]
    geo = world["geo"]
    rumour = _rumour(world)
    said = [
        _say(world, T0, geo.north_town),
        _say(world, T0 + timedelta(hours=1), geo.north_town),
        # 23:30 UTC on day 3 is already day 4 in Lubumbashi (UTC+2).
        _say(world, T0 + timedelta(days=2, hours=14, minutes=30), geo.south_town),
    ]
    services.rumour_link_messages(
        rumour=rumour, actor="test", membership=world["manager"], messages=said
    )
    spread = selectors.rumour_spread(membership=world["manager"], rumour=rumour)
    assert spread.days == [
        (date(2026, 3, 2), 2),
        (date(2026, 3, 3), 0),
        (date(2026, 3, 4), 0),
        (date(2026, 3, 5), 1),
    ]
    assert [(u.pcode if u else None, n) for u, n in spread.places] == [
        ("CD1001", 2),
        ("CD2001", 1),
    ]
    assert spread.channels == [("SMS 1234", 3)]


def test_counter_message_with_a_broadcast_draft(world, mission) -> None:  # type: ignore[no-untyped-def]
    sender, _secret = sending_channel(mission, mode="sandbox")
    rumour = _rumour(world)
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        countered = services.rumour_counter(
            rumour=rumour,
            actor="test",
            membership=world["manager"],
            counter_message="Le vaccin est sûr; il protège contre la rougeole.",
            channels=["radio", "community_meeting"],
            broadcast_channel=sender,
        )
    assert countered.status == RumourStatus.COUNTERED
    assert countered.countered_at == T0 + timedelta(days=1)
    assert countered.counter_channels == ["radio", "community_meeting", "sms_broadcast"]
    draft = countered.counter_broadcast
    assert draft is not None
    assert draft.status == BroadcastStatus.DRAFT
    assert list(draft.admin_units.all()) == [world["geo"].north]
    assert "rougeole" in draft.texts["fr"]
    with pytest.raises(PermissionDenied):  # officers may not prepare broadcasts
        services.rumour_counter(
            rumour=rumour,
            actor="test",
            membership=world["officer"],
            counter_message="x",
            channels=["radio"],
            broadcast_channel=sender,
        )
    with pytest.raises(ValidationError):
        services.rumour_counter(
            rumour=rumour,
            actor="test",
            membership=world["manager"],
            counter_message="x",
            channels=["carrier pigeon"],
        )


def test_status_and_scope(world, mission) -> None:  # type: ignore[no-untyped-def]
    geo = world["geo"]
    rumour = _rumour(world)
    services.rumour_set_status(
        rumour=rumour,
        actor="test",
        membership=world["manager"],
        status=RumourStatus.FALSE,
        note="Health ministry confirmed",
    )
    rumour.refresh_from_db()
    assert rumour.status == RumourStatus.FALSE
    assert "Health ministry confirmed" in rumour.notes
    south_officer = member_in(mission, Role.OFFICER, geo.south)
    assert selectors.rumour_get(membership=south_officer, public_id=rumour.public_id) is None
    with pytest.raises(ValidationError):  # a place outside their area
        _rumour(world, member=south_officer, admin_unit=geo.north_town)
    with pytest.raises(ValidationError):  # no place: only whole-mission members
        _rumour(world, member=south_officer, admin_unit=None)
    mine = _rumour(world, member=south_officer, admin_unit=geo.south_town)
    assert [r.pk for r in selectors.rumour_list(membership=south_officer)] == [mine.pk]
    analyst = member_in(mission, Role.ANALYST)
    with pytest.raises(PermissionDenied):
        _rumour(world, member=analyst)


def test_list_filters(world) -> None:  # type: ignore[no-untyped-def]
    geo = world["geo"]
    north = _rumour(world, risk="high")
    south = _rumour(world, claim="Les casques bleus volent le bétail", admin_unit=geo.south_town)
    member = world["manager"]

    def found(**kwargs: Any) -> list[int]:
        filters = selectors.RumourFilters(**kwargs)
        return [r.pk for r in selectors.rumour_list(membership=member, filters=filters)]

    assert found(risk="high") == [north.pk]
    assert found(place="CD20") == [south.pk]
    assert found(query="betail") == [south.pk]
    services.rumour_set_status(
        rumour=south, actor="test", membership=member, status=RumourStatus.VERIFYING
    )
    assert found(status="verifying") == [south.pk]
