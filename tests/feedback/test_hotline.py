"""The hotline entry page: a logged call or a missed-call call-back becomes exactly one
message, with its number encrypted and never in the audit trail or the page."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from palava.audit.models import AuditEvent
from palava.feedback.models import ChannelType, LabelSource, Message
from palava.missions.models import Mission, Role
from tests.feedback.helpers_inbox import (
    PHONE,
    PHONE_DIGITS,
    Geo,
    categories,
    client_of,
    make_channel,
    make_geo,
    member_in,
    no_two_factor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def geo(mission: Mission) -> Geo:
    no_two_factor(mission)
    categories(mission)
    return make_geo(mission)


def _url(geo: Geo) -> str:
    return f"/m/{geo.mission.slug}/messages/new/"


def _entry_id(page: str) -> str:
    found = re.search(r'name="entry_id" value="([0-9a-f-]{36})"', page)
    assert found, "the form carries an entry id"
    return found.group(1)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def test_a_logged_call_becomes_one_message(geo: Geo) -> None:
    client = client_of(member_in(geo.mission, Role.LIAISON))
    page = client.get(_url(geo)).content.decode()
    data = {
        "entry_id": _entry_id(page),
        "kind": "missed_call",
        "body": "Le pont vers Béni est coupé, les camions ne passent plus",
        "caller_phone": PHONE,
        "received_at": "2026-03-02T10:15",
        "language": "fr",
        "place": "CD1001",
        "category": "tension_dispute",
        "urgency": "urgent",
    }
    first = client.post(_url(geo), data)
    again = client.post(_url(geo), data)  # a double click, a resent form
    assert first.status_code == again.status_code == 302
    message = Message.objects.get()
    assert first["Location"] == f"/m/{geo.mission.slug}/messages/{message.public_id}/"
    assert message.channel.channel_type == ChannelType.HOTLINE
    assert message.extra == {"entry": "missed_call"}
    assert message.received_at == datetime(
        2026, 3, 2, 10, 15, tzinfo=ZoneInfo(geo.mission.time_zone)
    )
    assert message.given_language == "fr"
    assert message.admin_unit == geo.north_town
    assert message.place_source == LabelSource.STAFF
    assert message.urgency_source == LabelSource.STAFF
    assert message.sender_pseudonym
    assert message.sender_phone
    assert AuditEvent.objects.filter(action="message.hotline_create").count() == 1
    trail = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert PHONE_DIGITS not in _digits(trail)
    detail = client.get(first["Location"]).content.decode()
    assert "call-back after a missed call" in detail
    assert PHONE_DIGITS not in _digits(detail)


def test_a_form_error_never_writes_the_number_back(geo: Geo) -> None:
    client = client_of(member_in(geo.mission, Role.OFFICER))
    response = client.post(
        _url(geo),
        {"entry_id": str(uuid.uuid4()), "kind": "call", "body": "", "caller_phone": PHONE},
    )
    assert response.status_code == 400
    assert PHONE_DIGITS not in _digits(response.content.decode())
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("caller_phone", "call me maybe", "not a phone number"),
        ("received_at", "2999-01-01T10:00", "cannot be in the future"),
        ("place", "CD2001", "outside your area"),
        ("kind", "sms", "Select a valid choice"),
        ("body", "x" * 5001, "at most 5000 characters"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(
    geo: Geo, field: str, value: str, error: str
) -> None:
    client = client_of(member_in(geo.mission, Role.LIAISON, geo.north))
    data = {"entry_id": str(uuid.uuid4()), "kind": "call", "body": "something happened"}
    data[field] = value
    response = client.post(_url(geo), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Message.objects.exists()


def test_several_hotlines_offer_a_choice(geo: Geo) -> None:
    make_channel(geo.mission, ChannelType.HOTLINE, name="Goma line")
    second = make_channel(geo.mission, ChannelType.HOTLINE, name="Bunia line")
    client = client_of(member_in(geo.mission, Role.OFFICER))
    page = client.get(_url(geo)).content.decode()
    assert "Bunia line" in page
    assert "Goma line" in page
    client.post(
        _url(geo),
        {
            "entry_id": str(uuid.uuid4()),
            "kind": "call",
            "body": "x",
            "channel": str(second.public_id),
        },
    )
    assert Message.objects.get().channel == second


def test_a_restricted_call_goes_to_the_queue(geo: Geo) -> None:
    client = client_of(member_in(geo.mission, Role.OFFICER))
    response = client.post(
        _url(geo),
        {
            "entry_id": str(uuid.uuid4()),
            "kind": "call",
            "body": "a soldier abused her",
            "category": "sea",
        },
    )
    assert response["Location"] == f"/m/{geo.mission.slug}/messages/"
    assert Message.objects.get().is_restricted


def test_only_roles_that_manage_messages_log_calls(geo: Geo) -> None:
    analyst = client_of(member_in(geo.mission, Role.ANALYST))
    assert analyst.get(_url(geo)).status_code == 403
    response = analyst.post(_url(geo), {"entry_id": str(uuid.uuid4()), "kind": "call", "body": "x"})
    assert response.status_code == 403
    assert not Message.objects.exists()
