"""A channel's sending settings: mode (off / live / sandbox), API base URL, account, sender and
the API key (stored encrypted, never shown again, never in the audit trail)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.feedback.channel_selectors import channel_cache_clear
from palava.feedback.models import Channel, ChannelType

SENDING_TYPES: tuple[str, ...] = (
    ChannelType.TWILIO,
    ChannelType.AFRICASTALKING,
    ChannelType.GENERIC,
)
MODES: tuple[str, ...] = ("off", "live", "sandbox")


def can_send(channel: Channel) -> bool:
    """Whether the channel's type has a sending API at all."""
    return channel.channel_type in SENDING_TYPES


def sending_channel(mission_id: int) -> Channel | None:
    """The mission's first active SMS channel that sends (``outbound_mode`` live or sandbox):
    staff SMS alerts, and replies to reports that came by the hotline or the web form."""
    return (
        Channel.objects.filter(
            mission_id=mission_id, is_active=True, channel_type__in=SENDING_TYPES
        )
        .exclude(outbound_mode="off")
        .order_by("id")
        .first()
    )


@sensitive_variables("secret")
@transaction.atomic
def channel_outbound_set(
    *,
    actor: Any,
    channel: Channel,
    mode: str,
    url: str = "",
    account: str = "",
    sender: str = "",
    secret: str | None = None,
) -> Channel:
    """Save the sending settings. ``secret=None`` keeps the stored key; ``""`` removes it."""
    if mode not in MODES:
        raise ValidationError({"mode": _("Choose off, live or sandbox.")})
    if mode != "off" and not can_send(channel):
        raise ValidationError({"mode": _("This type of channel cannot send messages.")})
    url = url.strip()
    if url and not url.startswith(("http://", "https://")):
        raise ValidationError({"url": _("The address must start with http:// or https://.")})
    if secret is not None:
        secret = secret.strip()
        if any(ch.isspace() or not ch.isprintable() for ch in secret) or len(secret) > 300:
            raise ValidationError({"secret": _("The API key holds printable characters only.")})
    stored_secret = channel.outbound_secret if secret is None else secret
    if mode == "live":
        if channel.channel_type == ChannelType.GENERIC and not url:
            raise ValidationError({"url": _("A generic gateway needs its sending address.")})
        if channel.channel_type != ChannelType.GENERIC and not account.strip():
            raise ValidationError(
                {"account": _("Give the account (Twilio SID or Africa's Talking user name).")}
            )
        if channel.channel_type != ChannelType.GENERIC and not stored_secret:
            raise ValidationError({"secret": _("Give the API key.")})
    changes: dict[str, Any] = {}
    for name, value in (
        ("outbound_mode", mode),
        ("outbound_url", url),
        ("outbound_account", account.strip()),
        ("outbound_sender", sender.strip()),
    ):
        if getattr(channel, name) != value:
            setattr(channel, name, value)
            changes[name] = value
    if secret is not None and (channel.outbound_secret or "") != secret:
        channel.outbound_secret = secret or None
        changes["outbound_secret"] = "changed" if secret else "removed"
    if not changes:
        return channel
    channel.updated_by = acting_user(actor)
    channel.full_clean()
    channel.save()
    audit_record(
        actor=actor,
        action="channel.outbound",
        mission=channel.mission,
        obj=channel,
        changes=changes,
    )
    transaction.on_commit(lambda: channel_cache_clear(channel.public_id))
    return channel
