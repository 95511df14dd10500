"""Message selectors: visibility (mission, role, scope, restricted queue), filters, search,
facet counts, map points, clusters and reporter counts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from palava.feedback import selectors
from palava.feedback.models import ChannelType, MessageStatus, Urgency
from palava.feedback.selectors import MessageFilters
from palava.missions.models import Membership, Mission, Role
from palava.missions.services import membership_set
from tests.factories import MissionFactory
from tests.feedback.helpers_inbox import (
    PHONE,
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


def _bodies(found: object) -> set[str]:
    return {m.body for m in found}  # type: ignore[attr-defined]


def test_visible_filters_by_mission_role_and_scope(geo: Geo) -> None:
    cats = categories(geo.mission)
    channel = make_channel(geo.mission)
    make_message(channel, "north water", unit=geo.north_town, category=cats["need_water"])
    make_message(channel, "south food", unit=geo.south_town, category=cats["need_food"])
    make_message(channel, "nowhere yet")
    other = MissionFactory()
    make_message(make_channel(other), "other mission")
    whole = member_in(geo.mission, Role.OFFICER)
    north = member_in(geo.mission, Role.LIAISON, geo.north)
    partner = member_in(geo.mission, Role.PARTNER)
    assert _bodies(selectors.messages_visible(whole)) == {
        "north water",
        "south food",
        "nowhere yet",
    }
    # a scoped member sees only their area, and never unplaced messages
    assert _bodies(selectors.messages_visible(north)) == {"north water"}
    # roles without message.view see nothing even through the selector
    assert not selectors.messages_visible(partner).exists()


def test_inactive_membership_sees_nothing(geo: Geo) -> None:
    make_message(make_channel(geo.mission), "hello")
    member = member_in(geo.mission, Role.MANAGER)
    membership_set(
        actor=None, user=member.user, mission=geo.mission, role=Role.MANAGER, is_active=False
    )
    member = Membership.objects.get(pk=member.pk)
    assert not member.is_active
    assert not selectors.messages_visible(member).exists()


def test_restricted_only_for_roles_with_the_queue(geo: Geo) -> None:
    cats = categories(geo.mission)
    channel = make_channel(geo.mission)
    make_message(channel, "abuse report", unit=geo.north_town, category=cats["sea"])
    make_message(channel, "plain", unit=geo.north_town)
    officer = member_in(geo.mission, Role.OFFICER)
    manager = member_in(geo.mission, Role.MANAGER)
    assert _bodies(selectors.messages_visible(officer)) == {"plain"}
    assert _bodies(selectors.messages_visible(manager)) == {"abuse report", "plain"}
    # the inbox never mixes them in; the queue has only them
    inbox = selectors.message_list(membership=manager)
    queue = selectors.message_list(membership=manager, filters=MessageFilters(queue="restricted"))
    assert _bodies(inbox) == {"plain"}
    assert _bodies(queue) == {"abuse report"}
    assert not selectors.message_list(
        membership=officer, filters=MessageFilters(queue="restricted")
    ).exists()


def test_filters_each_dimension(geo: Geo) -> None:
    cats = categories(geo.mission)
    sms = make_channel(geo.mission, name="SMS")
    hotline = make_channel(geo.mission, ChannelType.HOTLINE, name="Line")
    tz = ZoneInfo(geo.mission.time_zone)
    make_message(
        sms,
        "Le puits est cassé à Béni",
        unit=geo.north_town,
        category=cats["need_water"],
        urgency=Urgency.URGENT,
        language="fr",
        received_at=datetime(2026, 3, 2, 23, 30, tzinfo=tz),
    )
    make_message(
        hotline,
        "Armed men at the market",
        unit=geo.south_town,
        category=cats["security_threat"],
        urgency=Urgency.LIFE_THREATENING,
        language="en",
        status=MessageStatus.REVIEWED,
        received_at=datetime(2026, 3, 3, 0, 30, tzinfo=tz),
    )
    make_message(sms, "no place here", language="en", received_at=datetime(2026, 3, 4, tzinfo=tz))
    member = member_in(geo.mission, Role.ANALYST)

    def found(**kwargs: object) -> set[str]:
        return _bodies(selectors.message_list(membership=member, filters=MessageFilters(**kwargs)))  # type: ignore[arg-type]

    assert found(channel=str(hotline.public_id)) == {"Armed men at the market"}
    assert found(channel="not-a-uuid") == set()
    # a parent category includes its children
    assert found(category="need") == {"Le puits est cassé à Béni"}
    assert found(urgency=Urgency.LIFE_THREATENING) == {"Armed men at the market"}
    assert found(place="CD10") == {"Le puits est cassé à Béni"}  # a territory inside
    assert found(place="CD") == {"Le puits est cassé à Béni", "Armed men at the market"}
    assert found(place="none") == {"no place here"}
    assert found(place="XX99") == set()
    assert found(language="fr") == {"Le puits est cassé à Béni"}
    assert found(status=MessageStatus.REVIEWED) == {"Armed men at the market"}
    # days are the mission's days (23:30 on the 2nd and 00:30 on the 3rd, local time)
    assert found(since=date(2026, 3, 3), until=date(2026, 3, 3)) == {"Armed men at the market"}
    assert found(until=date(2026, 3, 2)) == {"Le puits est cassé à Béni"}
    # words: case, accents and order ignored
    assert found(query="CASSE puits") == {"Le puits est cassé à Béni"}
    assert found(query="puits market") == set()


def test_sort_by_urgency_then_newest(geo: Geo) -> None:
    channel = make_channel(geo.mission)
    now = datetime(2026, 5, 1, 12, tzinfo=ZoneInfo("UTC"))
    make_message(channel, "routine new", urgency=Urgency.ROUTINE, received_at=now)
    make_message(channel, "no urgency", received_at=now + timedelta(hours=1))
    make_message(
        channel, "life old", urgency=Urgency.LIFE_THREATENING, received_at=now - timedelta(days=2)
    )
    make_message(channel, "urgent", urgency=Urgency.URGENT, received_at=now - timedelta(days=1))
    member = member_in(geo.mission, Role.OFFICER)
    ordered = selectors.message_list(membership=member, filters=MessageFilters(sort="urgency"))
    assert [m.body for m in ordered] == ["life old", "urgent", "routine new", "no urgency"]
    newest = selectors.message_list(membership=member)
    assert next(m.body for m in newest) == "no urgency"
    oldest = selectors.message_list(membership=member, filters=MessageFilters(sort="oldest"))
    assert next(m.body for m in oldest) == "life old"


def test_facets_count_alternatives_and_roll_up(geo: Geo) -> None:
    cats = categories(geo.mission)
    channel = make_channel(geo.mission, name="SMS")
    make_message(channel, "w1", unit=geo.north_town, category=cats["need_water"], urgency="urgent")
    make_message(channel, "w2", unit=geo.north_town, category=cats["need_water"], urgency="routine")
    make_message(channel, "f1", unit=geo.south_town, category=cats["need_food"], urgency="urgent")
    make_message(channel, "t1", unit=geo.south, category=cats["tension_dispute"])
    make_message(channel, "x")
    member = member_in(geo.mission, Role.OFFICER)
    facets = selectors.message_facets(
        membership=member, filters=MessageFilters(category="need_water")
    )
    assert facets.total == 2
    # the category facet ignores its own filter: it shows the alternatives
    counts = {i.value: (i.count, i.depth) for i in facets.category}
    assert counts["need"] == (3, 0)  # water 2 + food 1
    assert counts["need_water"] == (2, 1)
    assert counts["tension_dispute"] == (1, 0)
    # other facets are narrowed by the category filter
    assert {i.value: i.count for i in facets.urgency} == {"urgent": 1, "routine": 1}
    # one country: places roll up to provinces
    places = {i.value: i.count for i in selectors.message_facets(membership=member).place}
    assert places == {"CD10": 2, "CD20": 2, "none": 1}
    # a chosen province drills down to its territories
    inside = selectors.message_facets(membership=member, filters=MessageFilters(place="CD20"))
    assert {i.value: i.count for i in inside.place} == {"CD2001": 1, "CD20": 1}


def test_map_aggregates_by_place_and_rolls_up(geo: Geo) -> None:
    cats = categories(geo.mission)
    channel = make_channel(geo.mission)
    for _ in range(3):
        make_message(
            channel,
            "w",
            unit=geo.north_town,
            category=cats["need_water"],
            urgency="routine",
            latitude=0.123456,
            longitude=29.654321,
        )
    make_message(
        channel,
        "attack",
        unit=geo.north_town,
        category=cats["security_threat"],
        urgency="life_threatening",
    )
    make_message(channel, "s", unit=geo.south_town)
    make_message(channel, "lost")
    member = member_in(geo.mission, Role.ANALYST)
    result = selectors.message_map(membership=member)
    by_code = {p.unit.pcode: p for p in result.points}
    assert result.total == 6
    assert result.unmapped == 1
    assert by_code["CD1001"].count == 4
    assert by_code["CD1001"].worst_urgency == "life_threatening"
    assert by_code["CD1001"].top_category == "need_water"
    rolled = selectors.message_map(membership=member, level=1)
    assert {p.unit.pcode: p.count for p in rolled.points} == {"CD10": 4, "CD20": 1}


def test_cluster_sizes_and_reporter_counts_ignore_hidden(geo: Geo) -> None:
    cats = categories(geo.mission)
    channel = make_channel(geo.mission)
    cluster = make_cluster(geo.mission, size=3)
    seen = make_message(channel, "a", unit=geo.north_town, cluster=cluster, phone=PHONE)
    make_message(channel, "b", unit=geo.north_town, cluster=cluster, phone=PHONE)
    make_message(
        channel, "c", unit=geo.north_town, cluster=cluster, category=cats["gbv"], phone=PHONE
    )
    make_message(channel, "d", unit=geo.south_town, cluster=cluster, phone=PHONE)
    officer_north = member_in(geo.mission, Role.OFFICER, geo.north)
    manager = member_in(geo.mission, Role.MANAGER)
    assert selectors.cluster_sizes(membership=officer_north, cluster_ids=[cluster.pk]) == {
        cluster.pk: 2
    }
    assert selectors.cluster_sizes(membership=manager, cluster_ids=[cluster.pk]) == {cluster.pk: 4}
    assert [m.body for m in selectors.cluster_siblings(membership=officer_north, message=seen)] == [
        "b"
    ]
    assert selectors.reporter_other_count(membership=officer_north, message=seen) == 1
    assert selectors.reporter_other_count(membership=manager, message=seen) == 3


def test_message_get_hides_like_missing(geo: Geo) -> None:
    cats = categories(geo.mission)
    channel = make_channel(geo.mission)
    secret = make_message(channel, "x", unit=geo.north_town, category=cats["child_protection"])
    south = make_message(channel, "y", unit=geo.south_town)
    officer = member_in(geo.mission, Role.OFFICER, geo.north)
    assert selectors.message_get(membership=officer, public_id=secret.public_id) is None
    assert selectors.message_get(membership=officer, public_id=south.public_id) is None
    assert selectors.message_get(membership=officer, public_id="garbage") is None
    manager = member_in(geo.mission, Role.MANAGER)
    assert selectors.message_get(membership=manager, public_id=secret.public_id) == secret


def test_coordinates_only_for_staff_who_act_and_rounded(geo: Geo) -> None:
    message = make_message(
        make_channel(geo.mission), "here", latitude=-1.6789123, longitude=29.2212345
    )
    officer = member_in(geo.mission, Role.OFFICER)
    analyst = member_in(geo.mission, Role.ANALYST)
    assert selectors.coordinates_for(officer, message) == (-1.679, 29.221)
    assert selectors.coordinates_for(analyst, message) is None


def test_list_never_loads_encrypted_columns(geo: Geo) -> None:
    make_message(make_channel(geo.mission), "call me", phone=PHONE)
    member = member_in(geo.mission, Role.OFFICER)
    row = selectors.message_list(membership=member).get()
    assert {"sender_phone", "sender_name"} <= row.get_deferred_fields()
