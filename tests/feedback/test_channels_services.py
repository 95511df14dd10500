"""Channel services (create, update, rotate, switch off/on: validated and audited, secrets never
in the trail), the acknowledgement language rule and the channel selectors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from palava.audit.models import AuditEvent
from palava.feedback.ack import BUILTIN_ACK, ack_for, ack_language, ack_text_in
from palava.feedback.channel_selectors import channel_get, channel_list
from palava.feedback.channel_services import (
    channel_activate,
    channel_create,
    channel_deactivate,
    channel_rotate_secret,
    channel_update,
)
from palava.feedback.ingest import message_ingest
from palava.feedback.models import Channel, ChannelType, Message
from palava.missions.models import Mission, Role
from tests.factories import AdminUnitFactory, MissionFactory
from tests.feedback.helpers_channels import TWILIO_TOKEN, make_channel

pytestmark = pytest.mark.django_db


def _audit_text() -> str:
    return " ".join(f"{e.action} {e.changes}" for e in AuditEvent.objects.all())


@pytest.mark.parametrize("channel_type", [ChannelType.AFRICASTALKING, ChannelType.GENERIC])
def test_create_generates_a_secret_stored_encrypted_and_audited(
    mission: Mission, channel_type: str
) -> None:
    created = channel_create(actor=None, mission=mission, name="SMS", channel_type=channel_type)
    assert created.secret
    assert len(created.secret) >= 43
    assert created.secret not in repr(created)
    # encrypted at rest
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM feedback_channel WHERE id = %s", [created.channel.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("v1.")
    assert created.secret not in stored
    # audited without the value
    event = AuditEvent.objects.get(action="channel.create")
    assert event.object_id == str(created.channel.public_id)
    assert created.secret not in _audit_text()


def test_twilio_needs_the_auth_token(mission: Mission) -> None:
    with pytest.raises(ValidationError, match="auth token"):
        channel_create(actor=None, mission=mission, name="T", channel_type=ChannelType.TWILIO)
    with pytest.raises(ValidationError):
        channel_create(
            actor=None, mission=mission, name="T", channel_type=ChannelType.TWILIO, secret="short"
        )
    ok = channel_create(
        actor=None, mission=mission, name="T", channel_type=ChannelType.TWILIO, secret=TWILIO_TOKEN
    )
    assert ok.channel.secret == TWILIO_TOKEN


@pytest.mark.parametrize(
    ("channel_type", "secret"),
    [
        (ChannelType.GENERIC, "too-short"),
        (ChannelType.GENERIC, "has spaces " * 5),
        (ChannelType.WEBFORM, "a" * 40),
        (ChannelType.HOTLINE, "a" * 40),
    ],
)
def test_unacceptable_supplied_secret(mission: Mission, channel_type: str, secret: str) -> None:
    with pytest.raises(ValidationError):
        channel_create(
            actor=None, mission=mission, name="X", channel_type=channel_type, secret=secret
        )
    assert Channel.objects.count() == 0


def test_supplied_long_secret_is_kept(mission: Mission) -> None:
    secret = "s" * 40
    created = channel_create(
        actor=None, mission=mission, name="G", channel_type=ChannelType.GENERIC, secret=secret
    )
    assert created.channel.secret == secret


def test_webform_and_hotline_have_no_secret(mission: Mission) -> None:
    for channel_type in (ChannelType.WEBFORM, ChannelType.HOTLINE):
        created = make_channel(mission, channel_type)
        assert created.secret is None
        assert created.channel.secret is None
        with pytest.raises(ValidationError):
            channel_rotate_secret(actor=None, channel=created.channel)


def test_one_active_webform_per_mission(mission: Mission) -> None:
    first = make_channel(mission, ChannelType.WEBFORM).channel
    with pytest.raises(ValidationError, match="already has"):
        make_channel(mission, ChannelType.WEBFORM)
    channel_deactivate(actor=None, channel=first)
    second = make_channel(mission, ChannelType.WEBFORM).channel
    with pytest.raises(ValidationError):
        channel_activate(actor=None, channel=first)
    assert second.is_active


def test_names_are_unique_per_mission(mission: Mission) -> None:
    make_channel(mission, ChannelType.GENERIC, name="Main")
    with pytest.raises(ValidationError):
        make_channel(mission, ChannelType.GENERIC, name="Main")


@pytest.mark.parametrize(
    "data",
    [
        {"ip_allowlist": ["not-an-ip"]},
        {"ip_allowlist": [f"10.0.{i}.0/24" for i in range(51)]},
        {"ack_texts": {"xx": "hi"}},
        {"ack_texts": {"en": "x" * 321}},
        {"ack_texts": {"en": 5}},
        {"secret": "new"},
        {"name": ""},
    ],
)
def test_update_refuses_bad_values(mission: Mission, data: dict[str, Any]) -> None:
    channel = make_channel(mission, ChannelType.AFRICASTALKING).channel
    with pytest.raises(ValidationError):
        channel_update(actor=None, channel=channel, data=data)


def test_update_normalises_and_audits(mission: Mission) -> None:
    channel = make_channel(mission, ChannelType.AFRICASTALKING).channel
    area = AdminUnitFactory(mission=mission, level=1)
    channel_update(
        actor=None,
        channel=channel,
        data={
            "ip_allowlist": ["196.201.214.7", "196.201.214.0/24", "196.201.214.0/24"],
            "ack_texts": {"fr": "  Merci   bien ", "ar": ""},
            "default_admin_unit": area,
            "ack_enabled": True,
        },
    )
    channel.refresh_from_db()
    assert channel.ip_allowlist == ["196.201.214.7/32", "196.201.214.0/24"]
    assert channel.ack_texts == {"fr": "Merci bien"}
    assert channel.default_admin_unit == area
    event = AuditEvent.objects.get(action="channel.update")
    assert event.changes["default_admin_unit"] == area.pcode
    # an update that changes nothing writes nothing
    channel_update(actor=None, channel=channel, data={"ack_enabled": True})
    assert AuditEvent.objects.filter(action="channel.update").count() == 1


def test_area_of_another_mission_is_refused(mission: Mission) -> None:
    channel = make_channel(mission, ChannelType.GENERIC).channel
    elsewhere = AdminUnitFactory(mission=MissionFactory(), level=1)
    with pytest.raises(ValidationError):
        channel_update(actor=None, channel=channel, data={"default_admin_unit": elsewhere})


def test_rotation_is_audited_without_the_secret(mission: Mission) -> None:
    created = make_channel(mission, ChannelType.GENERIC)
    rotated = channel_rotate_secret(actor=None, channel=created.channel, grace=timedelta(hours=2))
    channel = Channel.objects.get(pk=created.channel.pk)
    assert channel.secret == rotated.secret
    assert channel.previous_secret == created.secret
    assert channel.previous_secret_expires_at is not None
    text = _audit_text()
    assert "channel.rotate_secret" in text
    assert str(created.secret) not in text
    assert str(rotated.secret) not in text
    with pytest.raises(ValidationError):
        channel_rotate_secret(actor=None, channel=channel, grace=timedelta(days=8))


def test_deactivate_and_activate_are_audited(mission: Mission) -> None:
    channel = make_channel(mission, ChannelType.GENERIC).channel
    channel_deactivate(actor=None, channel=channel)
    channel_deactivate(actor=None, channel=channel)  # no change, no row
    channel_activate(actor=None, channel=channel)
    assert list(
        AuditEvent.objects.filter(action__startswith="channel.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["channel.create", "channel.deactivate", "channel.activate"]


# --- Acknowledgements ------------------------------------------------------------------------


def test_ack_language_prefers_given_then_detected_then_mission() -> None:
    assert ack_language(given_language="pt-BR", body="hello", mission_languages=["fr"]) == "pt"
    detected = ack_language(
        given_language="",
        body="Il y a des hommes armés près du marché depuis ce matin",
        mission_languages=["en"],
    )
    assert detected == "fr"
    assert ack_language(given_language="", body="12 34", mission_languages=["ar", "fr"]) == "ar"
    assert ack_language(given_language="", body="", mission_languages=[]) == "en"


def test_ack_text_own_text_builtin_or_nothing(mission: Mission) -> None:
    channel = make_channel(mission, ChannelType.GENERIC).channel
    assert ack_text_in(channel, "fr") == ""
    channel.ack_enabled = True
    channel.ack_texts = {"fr": "Reçu, merci."}
    assert ack_text_in(channel, "fr") == "Reçu, merci."
    assert ack_text_in(channel, "ar") == BUILTIN_ACK["ar"]
    assert ack_text_in(channel, "zz") == BUILTIN_ACK["en"]
    assert (
        ack_for(channel, given_language="", body="We need water for the children here")
        == (BUILTIN_ACK["en"])
    )


# --- Selectors -------------------------------------------------------------------------------


def counted(channel: Channel | None) -> int:
    assert channel is not None
    return int(channel.message_count)  # type: ignore[attr-defined]


def test_counts_hide_restricted_and_out_of_scope_messages(mission: Mission, member_of: Any) -> None:
    from palava.places.models import MembershipScope

    channel = make_channel(mission, ChannelType.GENERIC).channel
    area = AdminUnitFactory(mission=mission, level=1)
    for i in range(3):
        message_ingest(channel=channel, provider_message_id=f"m{i}", body="hello")
    Message.objects.update(triaged_at=timezone.now())
    Message.objects.filter(provider_message_id="m0").update(is_restricted=True)
    Message.objects.filter(provider_message_id__in=["m0", "m1"]).update(admin_unit=area)
    admin = member_of(Role.ADMIN)
    manager = member_of(Role.MANAGER)
    scoped = member_of(Role.MANAGER)
    MembershipScope.objects.create(membership=scoped, admin_unit=area)
    officer = member_of(Role.OFFICER)
    assert counted(channel_list(membership=admin).get()) == 3
    assert counted(channel_get(membership=manager, public_id=channel.public_id)) == 3
    assert counted(channel_list(membership=scoped).get()) == 2
    # a role without the restricted queue never counts restricted messages
    assert counted(channel_list(membership=officer).get()) == 2
    assert channel_list(membership=officer).get().last_received_at is not None  # type: ignore[attr-defined]
    # a channel of another mission is not found
    assert channel_get(membership=member_of(Role.ADMIN), public_id="not-a-uuid") is None
    other = make_channel(MissionFactory(), ChannelType.GENERIC).channel
    assert channel_get(membership=admin, public_id=other.public_id) is None
