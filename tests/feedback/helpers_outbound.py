"""Helpers for the outbound tests: sending channels pointed at the loopback gateway."""

from __future__ import annotations

import itertools
from typing import Any

from palava.feedback.channel_services import channel_create
from palava.feedback.models import Channel, ChannelType, OutboundMessage, OutboundPurpose
from palava.feedback.outbound.channel_settings import channel_outbound_set
from palava.feedback.outbound.services import outbound_enqueue
from palava.missions.models import Mission
from tests.feedback.gateway import LoopbackGateway

PHONE = "+243990001122"
TWILIO_TOKEN = "0123456789abcdef0123456789abcdef"
API_KEY = "at-api-key-0123456789"
_ids = itertools.count(1)


def sending_channel(
    mission: Mission,
    channel_type: str = ChannelType.GENERIC,
    *,
    gateway: LoopbackGateway | None = None,
    mode: str = "live",
    url: str = "",
) -> tuple[Channel, str]:
    """A channel that sends through ``gateway``, and its inbound secret (which signs the status
    callbacks; the gateway is told it)."""
    extra: dict[str, Any] = {}
    if channel_type == ChannelType.TWILIO:
        extra["secret"] = TWILIO_TOKEN
    made = channel_create(
        actor=None,
        mission=mission,
        channel_type=channel_type,
        name=f"{channel_type} sender {next(_ids)}",
        address="+15005550006",
        **extra,
    )
    secret = made.secret or ""
    channel_outbound_set(
        actor=None,
        channel=made.channel,
        mode=mode,
        url=url or (gateway.base_url if gateway is not None else ""),
        account="AC0001" if channel_type == ChannelType.TWILIO else "palava",
        sender="PALAVA",
        secret=TWILIO_TOKEN if channel_type == ChannelType.TWILIO else API_KEY,
    )
    if gateway is not None:
        gateway.callback_secret = secret
    channel = Channel.objects.get(pk=made.channel.pk)
    return channel, secret


def enqueue(
    channel: Channel,
    *,
    key: str = "",
    body: str = "Your report C-00001 has been received.",
    purpose: str = OutboundPurpose.NOTIFICATION,
    phone: str = PHONE,
    **kwargs: Any,
) -> OutboundMessage:
    return outbound_enqueue(
        mission=channel.mission,
        channel=channel,
        purpose=purpose,
        body=body,
        idempotency_key=key or f"test:{next(_ids)}",
        actor="test",
        phone=phone,
        **kwargs,
    )


def fresh(row: OutboundMessage) -> OutboundMessage:
    return OutboundMessage.objects.get(pk=row.pk)


def dead_letter(mission: Mission, channel: Channel | None = None) -> OutboundMessage:
    """A message in the dead-letter state (its one attempt failed for good), through the
    services: a live channel whose gateway address refuses connections, then a final error."""
    from datetime import timedelta

    from django.utils import timezone

    from palava.feedback.outbound.gateways import SendResult
    from palava.feedback.outbound.services import _claim, _record_failure

    if channel is None:
        channel, _secret = sending_channel(mission, url="http://127.0.0.1:9")
    row = enqueue(channel)
    later = timezone.now() + timedelta(days=1)
    lease = _claim(row.pk, later)
    assert lease is not None
    row = fresh(row)
    _record_failure(row, lease, later, SendResult(ok=False, retryable=False, error="HTTP 400"))
    return fresh(row)


def sample_template(mission: Mission) -> Any:
    """A reply template of the mission (the role matrix's sample)."""
    from palava.feedback.outbound.replies import reply_template_save

    return reply_template_save(
        mission=mission,
        actor=None,
        code=f"sample-{next(_ids)}",
        name="Sample template",
        texts={"en": "Your report {reference} was received."},
    )


def sample_template_body() -> dict[str, Any]:
    return {
        "code": f"matrix-{next(_ids)}",
        "name": "Matrix template",
        "texts": {"en": "Your report {reference} was received."},
    }
