"""The automatic acknowledgement for gateways that cannot carry it in their webhook answer.

Twilio sends the TwiML ``<Message>`` of the webhook's answer itself; Africa's Talking and the
generic gateway do not, so their ``Message.ack_text`` (worked out at ingest) goes out through
:func:`outbound_enqueue` (purpose ``ack``, key ``ack:<message uuid>``: a re-run of triage never
sends it twice) when the channel sends (``outbound_mode`` live or sandbox). Called from
``triage._after_triage`` in the triage transaction, off the webhook's hot path; keyword
messages (STOP/START) are left out, they get their own confirmation. An acknowledgement more
than :data:`MAX_AGE` late (a triage backlog) is not sent: it would confuse more than help.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from palava.feedback.models import Channel, ChannelType, Message, OutboundPurpose
from palava.feedback.outbound.services import outbound_enqueue, send_soon

ACK_ACTOR = "system:ack"
ACK_TYPES: tuple[str, ...] = (ChannelType.AFRICASTALKING, ChannelType.GENERIC)
MAX_AGE = timedelta(hours=6)


@sensitive_variables("phone")
def acks_enqueue(messages: Sequence[Message], *, now: datetime) -> int:
    """Enqueue the acknowledgements of ``messages`` (see the module docstring); how many."""
    recent = [m for m in messages if m.received_at and now - m.received_at <= MAX_AGE]
    if not recent:
        return 0
    channels = {
        c.pk: c
        for c in Channel.objects.select_related("mission")
        .filter(pk__in={m.channel_id for m in recent}, channel_type__in=ACK_TYPES)
        .exclude(outbound_mode="off")
    }
    if not channels:
        return 0
    # Triage loads messages without these columns: one query reads them for the candidates.
    waiting = list(
        Message.objects.filter(pk__in=[m.pk for m in recent if m.channel_id in channels])
        .exclude(ack_text="")
        .exclude(sender_phone__isnull=True)
        .only("id", "public_id", "channel_id", "ack_text", "sender_phone", "language")
        .order_by("id")
    )
    ids: list[int] = []
    for message in waiting:
        channel = channels.get(message.channel_id)
        if channel is None:
            continue
        phone = message.sender_phone or ""
        try:
            row = outbound_enqueue(
                mission=channel.mission,
                channel=channel,
                purpose=OutboundPurpose.ACK,
                body=message.ack_text,
                idempotency_key=f"ack:{message.public_id}",
                actor=ACK_ACTOR,
                phone=phone,
                reporter=None,
                language=message.language,
                send_on_commit=False,
            )
        except ValidationError:
            continue  # an unusable number: the message itself is stored and triaged anyway
        ids.append(row.pk)
    send_soon(ids)
    return len(ids)
