"""Inbox pages: list, filters without and with htmx, facet counts, bulk actions, empty states,
the map and its data, the place picker, and a bounded number of queries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from palava.audit.models import AuditEvent
from palava.feedback.models import ChannelType, Message, MessageStatus
from palava.missions.models import Mission, Role
from tests.feedback.helpers_inbox import (
    PHONE,
    PHONE_DIGITS,
    Geo,
    categories,
    client_of,
    make_channel,
    make_geo,
    make_message,
    member_in,
    no_two_factor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def geo(mission: Mission) -> Geo:
    no_two_factor(mission)
    return make_geo(mission)


def _url(geo: Geo, tail: str = "") -> str:
    return f"/m/{geo.mission.slug}/messages/{tail}"


def _seed(geo: Geo) -> dict[str, Any]:
    cats = categories(geo.mission)
    sms = make_channel(geo.mission, name="SMS line")
    return {
        "water": make_message(
            sms,
            "Le puits de Béni est cassé",
            unit=geo.north_town,
            category=cats["need_water"],
            urgency="urgent",
            language="fr",
            phone=PHONE,
        ),
        "attack": make_message(
            sms,
            "Armed men are burning houses",
            unit=geo.south_town,
            category=cats["security_threat"],
            urgency="life_threatening",
            language="en",
        ),
        "thanks": make_message(
            sms,
            "Thank you for the new school",
            unit=geo.south_town,
            category=cats["positive_feedback"],
            urgency="routine",
            language="en",
            status=MessageStatus.REVIEWED,
        ),
    }


def test_list_shows_messages_with_badges_and_no_phone(geo: Geo) -> None:
    _seed(geo)
    body = client_of(member_in(geo.mission, Role.ANALYST)).get(_url(geo)).content.decode()
    assert "Le puits de Béni est cassé" in body
    assert "Armed men are burning houses" in body
    assert "Life-threatening now" in body
    assert "Need or service request / Water" in body
    assert "3 messages found" in body
    assert PHONE_DIGITS not in body.replace(" ", "")
    # analysts read but do not act: no checkboxes or bulk buttons
    assert 'name="ids"' not in body
    assert "Log a call" not in body


def test_nav_shows_inbox_only_to_roles_with_message_view(geo: Geo) -> None:
    officer = client_of(member_in(geo.mission, Role.OFFICER))
    partner = client_of(member_in(geo.mission, Role.PARTNER))
    overview = f"/m/{geo.mission.slug}/"
    assert _url(geo) in officer.get(overview).content.decode()
    assert _url(geo) not in partner.get(overview).content.decode()
    assert partner.get(_url(geo)).status_code == 403


def test_filters_work_without_javascript(geo: Geo) -> None:
    _seed(geo)
    client = client_of(member_in(geo.mission, Role.OFFICER))
    by_urgency = client.get(_url(geo), {"urgency": "life_threatening"}).content.decode()
    by_place = client.get(_url(geo), {"place": "CD10"}).content.decode()
    by_words = client.get(_url(geo), {"q": "PUITS casse"}).content.decode()
    by_status = client.get(_url(geo), {"status": "reviewed"}).content.decode()
    assert "Armed men" in by_urgency
    assert "puits" not in by_urgency
    assert "puits" in by_place
    assert "Armed men" not in by_place
    assert "puits" in by_words
    assert "Armed men" not in by_words
    assert "Thank you" in by_status
    assert "puits" not in by_status


def test_htmx_gets_only_the_results_and_the_facets_out_of_band(geo: Geo) -> None:
    _seed(geo)
    client = client_of(member_in(geo.mission, Role.OFFICER))
    response = client.get(
        _url(geo),
        {"q": "armed"},
        headers={"HX-Request": "true", "HX-Target": "message-results"},
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "Armed men" in body
    assert 'id="message-facets"' in body
    assert 'hx-swap-oob="true"' in body
    assert "HX-Request" in response["Vary"]
    assert "no-store" in response["Cache-Control"]


def test_facet_links_keep_other_filters(geo: Geo) -> None:
    _seed(geo)
    client = client_of(member_in(geo.mission, Role.OFFICER))
    body = client.get(_url(geo), {"language": "en"}).content.decode()
    # the urgency facet counts only English messages and its links keep language=en
    assert re.search(r'href="\?language=en&amp;urgency=life_threatening"', body)
    assert re.search(r'href="\?language=en&amp;urgency=routine"', body)
    # the French message is urgent: with language=en no "urgent" alternative is offered
    assert 'urgency=urgent"' not in body


def test_pagination(geo: Geo) -> None:
    channel = make_channel(geo.mission)
    for i in range(30):
        make_message(channel, f"message number {i}")
    client = client_of(member_in(geo.mission, Role.OFFICER))
    first = client.get(_url(geo)).content.decode()
    second = client.get(_url(geo), {"page": "2"}).content.decode()
    assert "Page 1 of 2" in first
    assert first.count('class="msg-row') == 25
    assert second.count('class="msg-row') == 5


def test_empty_states(geo: Geo) -> None:
    client = client_of(member_in(geo.mission, Role.OFFICER))
    body = client.get(_url(geo)).content.decode()
    assert "No messages yet — set up a channel." in body
    assert _url(geo, "new/") in body
    make_message(make_channel(geo.mission), "hello")
    filtered = client.get(_url(geo), {"q": "nothing-like-this"}).content.decode()
    assert "No message matches these filters." in filtered


def test_bulk_actions_change_status_and_return(geo: Geo) -> None:
    rows = _seed(geo)
    officer = member_in(geo.mission, Role.OFFICER)
    client = client_of(officer)
    page = client.get(_url(geo), {"urgency": "urgent"})
    assert 'name="ids"' in page.content.decode()
    response = client.post(
        _url(geo, "bulk/"),
        {
            "ids": [str(rows["water"].public_id), str(rows["attack"].public_id), "junk"],
            "status": "closed",
            "next": _url(geo) + "?urgency=urgent",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == _url(geo) + "?urgency=urgent"
    assert set(Message.objects.filter(status="closed").values_list("body", flat=True)) == {
        "Le puits de Béni est cassé",
        "Armed men are burning houses",
    }
    assert AuditEvent.objects.filter(action="message.status").count() == 2
    followed = client.get(response["Location"]).content.decode()
    assert "2 messages marked" in followed


def test_bulk_refuses_foreign_next_and_empty_ticks(geo: Geo) -> None:
    rows = _seed(geo)
    client = client_of(member_in(geo.mission, Role.LIAISON))
    evil = client.post(
        _url(geo, "bulk/"),
        {"ids": [str(rows["water"].public_id)], "status": "spam", "next": "https://evil.example/"},
    )
    assert evil["Location"] == _url(geo)
    nothing = client.post(_url(geo, "bulk/"), {"status": "spam"})
    assert nothing.status_code == 302
    assert Message.objects.filter(status="spam").count() == 1
    bad = client.post(_url(geo, "bulk/"), {"ids": [str(rows["attack"].public_id)], "status": "new"})
    assert bad.status_code == 302
    assert Message.objects.get(pk=rows["attack"].pk).status == "open"


def test_bulk_needs_message_manage(geo: Geo) -> None:
    rows = _seed(geo)
    client = client_of(member_in(geo.mission, Role.ANALYST))
    response = client.post(
        _url(geo, "bulk/"), {"ids": [str(rows["water"].public_id)], "status": "spam"}
    )
    assert response.status_code == 403


def test_list_query_count_does_not_grow_with_rows(geo: Geo) -> None:
    cats = categories(geo.mission)
    channel = make_channel(geo.mission)
    client = client_of(member_in(geo.mission, Role.OFFICER))
    make_message(channel, "one", unit=geo.north_town, category=cats["need_water"])
    client.get(_url(geo))
    with CaptureQueriesContext(connection) as few:
        client.get(_url(geo))
    for i in range(20):
        make_message(
            channel,
            f"more {i}",
            unit=geo.south_town,
            category=cats["need_food"],
            urgency="urgent",
            phone=PHONE,
            reporter=True,
        )
    with CaptureQueriesContext(connection) as many:
        client.get(_url(geo))
    assert len(many) <= len(few) + 1, [q["sql"] for q in many.captured_queries]
    assert len(many) < 30


def test_map_page_and_data(geo: Geo) -> None:
    rows = _seed(geo)
    Message.objects.filter(pk=rows["water"].pk).update(latitude=0.4912345, longitude=29.4712345)
    client = client_of(member_in(geo.mission, Role.ANALYST))
    page = client.get(_url(geo, "map/"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Uvira" in body
    assert "Béni" in body
    data = client.get(_url(geo, "map.geojson"), {"urgency": "life_threatening"}).json()
    assert data["type"] == "FeatureCollection"
    assert data["total"] == 1
    [feature] = data["features"]
    assert feature["properties"]["code"] == "CD2001"
    assert feature["geometry"]["coordinates"] == [29.14, -3.39]  # the place's centre
    everything = client.get(_url(geo, "map.geojson")).content.decode()
    assert "0.4912" not in everything
    assert "29.4712" not in everything
    rolled = client.get(_url(geo, "map.geojson"), {"level": "1"}).json()
    assert {f["properties"]["code"] for f in rolled["features"]} == {"CD10", "CD20"}


def test_place_options_suggest_places_in_the_area(geo: Geo) -> None:
    liaison = client_of(member_in(geo.mission, Role.LIAISON, geo.north))
    body = liaison.get(_url(geo, "place-options/"), {"place": "beni"}).content.decode()
    assert 'value="CD1001"' in body
    south = liaison.get(_url(geo, "place-options/"), {"place": "uvira"}).content.decode()
    assert "CD2001" not in south


def test_hotline_channel_appears_in_the_filters(geo: Geo) -> None:
    make_channel(geo.mission, ChannelType.HOTLINE, name="Bunia hotline")
    body = client_of(member_in(geo.mission, Role.OFFICER)).get(_url(geo)).content.decode()
    assert "Bunia hotline" in body
