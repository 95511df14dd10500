"""The automatic acknowledgement of Africa's Talking and generic channels goes out through the
outbound queue (Twilio answers it in TwiML itself), once per message."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from palava.feedback.channel_services import channel_update
from palava.feedback.models import ChannelType, Message, OutboundMessage, OutboundPurpose
from palava.feedback.outbound.acks import acks_enqueue
from palava.feedback.outbound.channel_settings import channel_outbound_set
from palava.feedback.outbound.services import outbound_send_due
from palava.missions.models import Mission
from tests.feedback.gateway import LoopbackGateway
from tests.feedback.helpers_inbox import make_message
from tests.feedback.helpers_outbound import PHONE, sending_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def gw() -> Iterator[LoopbackGateway]:
    with LoopbackGateway() as gateway:
        yield gateway


@pytest.fixture(autouse=True)
def _settings(settings):  # type: ignore[no-untyped-def]
    settings.PALAVA_OUTBOUND_TIMEOUT = 2
    settings.PALAVA_PUBLIC_URL = "http://testserver"


def _acked(channel, body: str = "Bonjour, des tirs à Béni") -> Message:  # type: ignore[no-untyped-def]
    channel_update(actor=None, channel=channel, data={"ack_enabled": True})
    channel.refresh_from_db()
    message = make_message(channel, body, phone=PHONE, language="fr")
    Message.objects.filter(pk=message.pk).update(
        ack_text="Merci. La mission a bien reçu votre message."
    )
    return Message.objects.get(pk=message.pk)


@pytest.mark.parametrize("channel_type", [ChannelType.AFRICASTALKING, ChannelType.GENERIC])
def test_ack_is_sent_once_through_the_gateway(
    mission: Mission, gw: LoopbackGateway, channel_type: str
) -> None:
    channel, _ = sending_channel(mission, channel_type, gateway=gw)
    message = _acked(channel)
    assert acks_enqueue([message], now=timezone.now()) == 1
    assert acks_enqueue([message], now=timezone.now()) == 1  # the same row, not a second one
    row = OutboundMessage.objects.get(idempotency_key=f"ack:{message.public_id}")
    assert row.purpose == OutboundPurpose.ACK
    outbound_send_due()
    assert len(gw.messages) == 1
    assert gw.messages[0].to == PHONE
    assert gw.messages[0].text == "Merci. La mission a bien reçu votre message."


def test_no_ack_when_sending_is_off_or_twilio(mission: Mission, gw: LoopbackGateway) -> None:
    at_channel, _ = sending_channel(mission, ChannelType.AFRICASTALKING, gateway=gw)
    channel_outbound_set(actor=None, channel=at_channel, mode="off")
    twilio, _ = sending_channel(mission, ChannelType.TWILIO, gateway=gw)
    messages = [_acked(at_channel), _acked(twilio)]
    assert acks_enqueue(messages, now=timezone.now()) == 0
    assert not OutboundMessage.objects.exists()


def test_no_ack_for_a_stale_message(mission: Mission, gw: LoopbackGateway) -> None:
    channel, _ = sending_channel(mission, ChannelType.GENERIC, gateway=gw)
    message = _acked(channel)
    later = timezone.now() + timedelta(hours=7)
    assert acks_enqueue([message], now=later) == 0
