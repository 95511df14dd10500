"""Message services: relabel, bulk status, audited reads, the call-back reveal, the hotline."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from palava.audit.models import AuditEvent
from palava.feedback import services
from palava.feedback.models import ChannelType, LabelSource, Message, MessageStatus
from palava.missions.models import Mission, Role
from tests.factories import MissionFactory
from tests.feedback.helpers_inbox import (
    PHONE,
    PHONE_DIGITS,
    Geo,
    categories,
    make_channel,
    make_geo,
    make_message,
    member_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def geo(mission: Mission) -> Geo:
    return make_geo(mission)


def _trail() -> str:
    rows = AuditEvent.objects.values("action", "object_type", "object_id", "changes", "actor_label")
    return json.dumps(list(rows), default=str)


def test_relabel_sets_staff_labels_and_audits(geo: Geo) -> None:
    cats = categories(geo.mission)
    message = make_message(
        make_channel(geo.mission),
        "no water",
        unit=geo.north_town,
        category=cats["other"],
        urgency="routine",
    )
    officer = member_in(geo.mission, Role.OFFICER)
    updated = services.message_relabel(
        actor=officer.user,
        membership=officer,
        message=message,
        category=cats["need_water"],
        urgency="urgent",
        admin_unit=geo.south_town,
    )
    assert updated.category == cats["need_water"]
    assert updated.category_source == LabelSource.STAFF
    assert updated.category_confidence is None
    assert (updated.urgency, updated.urgency_source) == ("urgent", LabelSource.STAFF)
    assert (updated.admin_unit, updated.place_source) == (geo.south_town, LabelSource.STAFF)
    event = AuditEvent.objects.get(action="message.relabel")
    assert event.object_id == str(message.public_id)
    assert event.changes == {"category": "need_water", "urgency": "urgent", "admin_unit": "CD2001"}


def test_relabel_to_a_restricted_category_moves_it_to_the_queue_and_back(geo: Geo) -> None:
    cats = categories(geo.mission)
    message = make_message(make_channel(geo.mission), "report", unit=geo.north_town)
    officer = member_in(geo.mission, Role.OFFICER)
    moved = services.message_relabel(
        actor=officer.user, membership=officer, message=message, category=cats["sea"]
    )
    assert moved.is_restricted
    assert AuditEvent.objects.get(action="message.relabel").changes["is_restricted"] is True
    manager = member_in(geo.mission, Role.MANAGER)
    back = services.message_relabel(
        actor=manager.user, membership=manager, message=moved, category=cats["rumour"]
    )
    assert not back.is_restricted


def test_relabel_refuses_a_place_outside_the_area_and_other_missions(geo: Geo) -> None:
    cats = categories(geo.mission)
    message = make_message(make_channel(geo.mission), "x", unit=geo.north_town)
    liaison = member_in(geo.mission, Role.LIAISON, geo.north)
    with pytest.raises(ValidationError):
        services.message_relabel(
            actor=liaison.user, membership=liaison, message=message, admin_unit=geo.south
        )
    other = MissionFactory()
    foreign = categories(other)["other"]
    with pytest.raises(ValidationError):
        services.message_relabel(
            actor=liaison.user, membership=liaison, message=message, category=foreign
        )
    with pytest.raises(ValidationError):
        services.message_relabel(
            actor=liaison.user, membership=liaison, message=message, urgency="apocalyptic"
        )
    analyst = member_in(geo.mission, Role.ANALYST)
    with pytest.raises(PermissionDenied):
        services.message_relabel(
            actor=analyst.user, membership=analyst, message=message, category=cats["other"]
        )
    assert not AuditEvent.objects.filter(action="message.relabel").exists()


def test_set_status_changes_only_visible_messages(geo: Geo) -> None:
    cats = categories(geo.mission)
    channel = make_channel(geo.mission)
    a = make_message(channel, "a", unit=geo.north_town)
    b = make_message(channel, "b", unit=geo.north_town, status=MessageStatus.SPAM)
    hidden = make_message(channel, "c", unit=geo.north_town, category=cats["gbv"])
    south = make_message(channel, "d", unit=geo.south_town)
    liaison = member_in(geo.mission, Role.LIAISON, geo.north)
    changed = services.message_set_status(
        actor=liaison.user, membership=liaison, messages=[a, b, hidden, south], status="spam"
    )
    assert changed == 1  # b was spam already; hidden and south are not theirs
    statuses = dict(Message.objects.values_list("body", "status"))
    assert statuses == {"a": "spam", "b": "spam", "c": "open", "d": "open"}
    assert list(
        AuditEvent.objects.filter(action="message.status").values_list("object_id", flat=True)
    ) == [str(a.public_id)]
    with pytest.raises(ValidationError):
        services.message_set_status(
            actor=liaison.user, membership=liaison, messages=[a], status="new"
        )


def test_reading_a_restricted_message_is_audited_each_time(geo: Geo) -> None:
    cats = categories(geo.mission)
    channel = make_channel(geo.mission)
    secret = make_message(channel, "x", category=cats["sea"])
    plain = make_message(channel, "y")
    manager = member_in(geo.mission, Role.MANAGER)
    services.message_read(actor=manager.user, membership=manager, message=secret)
    services.message_read(actor=manager.user, membership=manager, message=secret)
    services.message_read(actor=manager.user, membership=manager, message=plain)
    reads = AuditEvent.objects.filter(action="message.read")
    assert reads.count() == 2
    assert set(reads.values_list("object_id", flat=True)) == {str(secret.public_id)}
    officer = member_in(geo.mission, Role.OFFICER)
    with pytest.raises(PermissionDenied):
        services.message_read(actor=officer.user, membership=officer, message=secret)


def test_listing_audits_one_row_per_restricted_message(geo: Geo) -> None:
    cats = categories(geo.mission)
    channel = make_channel(geo.mission)
    rows = [make_message(channel, f"r{i}", category=cats["child_protection"]) for i in range(3)]
    rows.append(make_message(channel, "plain"))
    manager = member_in(geo.mission, Role.MANAGER)
    assert services.messages_listed(actor=manager.user, membership=manager, messages=rows) == 3
    assert AuditEvent.objects.filter(action="message.list").count() == 3


def test_reveal_returns_the_number_and_audits_without_it(geo: Geo) -> None:
    message = make_message(make_channel(geo.mission), "call me back", phone=PHONE, reporter=True)
    liaison = member_in(geo.mission, Role.LIAISON)
    number = services.reporter_contact_reveal(
        actor=liaison.user, membership=liaison, message=message
    )
    assert number.replace("+", "") == PHONE_DIGITS
    event = AuditEvent.objects.get(action="reporter.contact_reveal")
    assert event.object_id == str(message.public_id)
    assert PHONE_DIGITS not in _trail()
    assert PHONE_DIGITS[-6:] not in _trail()


def test_reveal_needs_the_permission_a_number_and_visibility(geo: Geo) -> None:
    cats = categories(geo.mission)
    channel = make_channel(geo.mission)
    analyst = member_in(geo.mission, Role.ANALYST)
    with_phone = make_message(channel, "x", phone=PHONE)
    with pytest.raises(PermissionDenied):
        services.reporter_contact_reveal(actor=analyst.user, membership=analyst, message=with_phone)
    officer = member_in(geo.mission, Role.OFFICER)
    without = make_message(channel, "y")
    with pytest.raises(ValidationError):
        services.reporter_contact_reveal(actor=officer.user, membership=officer, message=without)
    hidden = make_message(channel, "z", phone=PHONE, category=cats["sea"])
    with pytest.raises(PermissionDenied):
        services.reporter_contact_reveal(actor=officer.user, membership=officer, message=hidden)
    assert not AuditEvent.objects.filter(action="reporter.contact_reveal").exists()


def test_hotline_entry_creates_one_message_once_and_its_channel(geo: Geo) -> None:
    cats = categories(geo.mission)
    liaison = member_in(geo.mission, Role.LIAISON)
    entry = uuid.uuid4()
    kwargs = {
        "actor": liaison.user,
        "membership": liaison,
        "body": "Caller says the bridge to Béni is cut",
        "kind": "missed_call",
        "caller_phone": PHONE,
        "caller_name": "Amina Kasongo",
        "entry_id": entry,
        "admin_unit": geo.north_town,
        "category": cats["tension_dispute"],
        "urgency": "urgent",
    }
    first = services.hotline_message_create(**kwargs)  # type: ignore[arg-type]
    again = services.hotline_message_create(**kwargs)  # type: ignore[arg-type]
    assert first.pk == again.pk
    assert Message.objects.count() == 1
    assert first.channel.channel_type == ChannelType.HOTLINE
    assert first.extra == {"entry": "missed_call"}
    assert (first.category, first.category_source) == (cats["tension_dispute"], LabelSource.STAFF)
    assert (first.admin_unit, first.place_source) == (geo.north_town, LabelSource.STAFF)
    assert first.sender_pseudonym
    assert AuditEvent.objects.filter(action="message.hotline_create").count() == 1
    assert AuditEvent.objects.filter(action="channel.create").count() == 1
    trail = _trail()
    assert PHONE_DIGITS not in trail
    assert "Kasongo" not in trail
    # a second call uses the same hotline channel
    services.hotline_message_create(actor=liaison.user, membership=liaison, body="second call")
    assert Message.objects.values("channel").distinct().count() == 1


def test_hotline_refuses_bad_input_and_other_roles(geo: Geo) -> None:
    liaison = member_in(geo.mission, Role.LIAISON)
    with pytest.raises(ValidationError):
        services.hotline_message_create(
            actor=liaison.user, membership=liaison, body="x", kind="sms"
        )
    with pytest.raises(ValidationError):
        services.hotline_message_create(actor=liaison.user, membership=liaison, body="   ")
    with pytest.raises(ValidationError):
        services.hotline_message_create(
            actor=liaison.user, membership=liaison, body="x", caller_phone="not a number"
        )
    sms = make_channel(geo.mission, ChannelType.GENERIC)
    with pytest.raises(ValidationError):
        services.hotline_message_create(
            actor=liaison.user, membership=liaison, body="x", channel=sms
        )
    analyst = member_in(geo.mission, Role.ANALYST)
    with pytest.raises(PermissionDenied):
        services.hotline_message_create(actor=analyst.user, membership=analyst, body="x")
    assert not Message.objects.exists()


def test_hotline_with_a_restricted_category_goes_to_the_queue(geo: Geo) -> None:
    cats = categories(geo.mission)
    officer = member_in(geo.mission, Role.OFFICER)
    message = services.hotline_message_create(
        actor=officer.user,
        membership=officer,
        body="a child was hurt",
        category=cats["child_protection"],
    )
    assert message.is_restricted
