"""Writes about channels: create, update, rotate the secret, deactivate and reactivate.

Every function is atomic, validates with ``full_clean()`` and writes its audit row in the same
transaction. Secrets never reach the audit trail (only the fact of a rotation and its grace
period) and are returned to the caller exactly once, to be shown once.

Also the web form's rate-limit counter (:func:`webform_throttle_hit`), which is not audited: it
is bookkeeping of anonymous traffic, keyed by a pseudonym of the address, never the address.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from palava.audit.services import audit_record
from palava.core import crypto
from palava.core.models import acting_user
from palava.feedback.ack import ACK_MAX_CHARS
from palava.feedback.channel_selectors import channel_cache_clear
from palava.feedback.channels import handler_for, validate_allowlist
from palava.feedback.models import Channel, ChannelType, WebformThrottle
from palava.missions.models import Mission
from palava.places.models import AdminUnit

DEFAULT_GRACE = timedelta(hours=24)
MAX_GRACE = timedelta(days=7)
MAX_ALLOWLIST_ENTRIES = 50
ACK_LANGUAGES: tuple[str, ...] = ("en", "fr", "ar", "sw", "pt")
UPDATABLE_FIELDS: frozenset[str] = frozenset(
    {"name", "address", "ip_allowlist", "default_admin_unit", "ack_enabled", "ack_texts"}
)


@dataclass(frozen=True)
class ChannelWithSecret:
    """A channel and its new secret in plaintext (``None`` for types without one): show it once."""

    channel: Channel
    secret: str | None

    def __repr__(self) -> str:  # never print the secret
        return f"ChannelWithSecret(channel={self.channel.public_id})"


def _clean_ack_texts(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValidationError({"ack_texts": _("Give the texts by language code.")})
    out: dict[str, str] = {}
    for code, text in value.items():
        if code not in ACK_LANGUAGES:
            raise ValidationError(
                {"ack_texts": _("Unknown language code: %(code)s") % {"code": str(code)[:8]}}
            )
        if not isinstance(text, str):
            raise ValidationError({"ack_texts": _("Each text must be a string.")})
        text = " ".join(text.split())
        if len(text) > ACK_MAX_CHARS:
            raise ValidationError(
                {
                    "ack_texts": _("An acknowledgement has at most %(max)d characters.")
                    % {"max": ACK_MAX_CHARS}
                }
            )
        if text:
            out[code] = text
    return out


def _clean_allowlist(value: Iterable[str]) -> list[str]:
    if isinstance(value, str):
        value = value.split()
    try:
        entries = validate_allowlist(value)
    except ValueError as exc:
        raise ValidationError(
            {"ip_allowlist": _("Not an address or network: %(entry)s") % {"entry": str(exc)}}
        ) from None
    if len(entries) > MAX_ALLOWLIST_ENTRIES:
        raise ValidationError(
            {"ip_allowlist": _("At most %(max)d entries.") % {"max": MAX_ALLOWLIST_ENTRIES}}
        )
    return entries


def _check_area(mission: Mission, unit: AdminUnit | None) -> None:
    if unit is not None and unit.mission_id != mission.pk:
        raise ValidationError({"default_admin_unit": _("This place belongs to another mission.")})


def _check_one_webform(channel: Channel) -> None:
    """A mission has at most one active web form (the public page has one address)."""
    if channel.channel_type != ChannelType.WEBFORM or not channel.is_active:
        return
    others = Channel.objects.filter(
        mission_id=channel.mission_id, channel_type=ChannelType.WEBFORM, is_active=True
    ).exclude(pk=channel.pk)
    if others.exists():
        raise ValidationError(
            {"channel_type": _("This mission already has an active public web form.")}
        )


def _forget(channel: Channel) -> None:
    """Drop the channel from this process's webhook cache now and once the change commits."""
    channel_cache_clear(channel.public_id)
    transaction.on_commit(lambda: channel_cache_clear(channel.public_id))


@sensitive_variables("secret", "value")
def _initial_secret(channel_type: str, secret: str | None) -> str | None:
    handler = handler_for(channel_type)
    value = (secret or "").strip()
    if value:
        problem = handler.check_supplied_secret(value)
        if problem:
            raise ValidationError({"secret": problem})
        return value
    if handler.generates_secret:
        return handler.new_secret()
    if handler.needs_secret:
        raise ValidationError(
            {"secret": _("Give the auth token from the Twilio console for this channel.")}
        )
    return None


@sensitive_variables("secret", "value")
@transaction.atomic
def channel_create(
    *,
    actor: Any,
    mission: Mission,
    name: str,
    channel_type: str,
    secret: str | None = None,
    address: str = "",
    ip_allowlist: Iterable[str] = (),
    default_admin_unit: AdminUnit | None = None,
    ack_enabled: bool = False,
    ack_texts: Mapping[str, str] | None = None,
) -> ChannelWithSecret:
    """Create a channel. Africa's Talking and generic channels get a fresh 256-bit secret unless
    one is given; Twilio needs its auth token; web forms and hotlines have none."""
    if channel_type not in ChannelType.values:
        raise ValidationError({"channel_type": _("Unknown channel type.")})
    value = _initial_secret(channel_type, secret)
    _check_area(mission, default_admin_unit)
    user = acting_user(actor)
    now = timezone.now()
    channel = Channel(
        mission=mission,
        name=" ".join(str(name).split()),
        channel_type=channel_type,
        secret=value,
        secret_rotated_at=now if value else None,
        address=str(address).strip(),
        ip_allowlist=_clean_allowlist(ip_allowlist),
        default_admin_unit=default_admin_unit,
        ack_enabled=bool(ack_enabled),
        ack_texts=_clean_ack_texts(ack_texts or {}),
        created_by=user,
        updated_by=user,
    )
    channel.full_clean()
    _check_one_webform(channel)
    channel.save()
    audit_record(
        actor=actor,
        action="channel.create",
        mission=mission,
        obj=channel,
        changes={
            "name": channel.name,
            "channel_type": channel.channel_type,
            "secret": "set" if value else None,
            "address": channel.address,
            "ip_allowlist": ", ".join(channel.ip_allowlist),
            "ack_enabled": channel.ack_enabled,
        },
    )
    return ChannelWithSecret(channel=channel, secret=value)


@transaction.atomic
def channel_update(*, actor: Any, channel: Channel, data: Mapping[str, Any]) -> Channel:
    """Change the given fields (see ``UPDATABLE_FIELDS``); the secret changes by rotation."""
    unknown = set(data) - UPDATABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    changes: dict[str, Any] = {}
    for name, value in data.items():
        if name == "name":
            value = " ".join(str(value).split())
        elif name == "address":
            value = str(value).strip()
        elif name == "ip_allowlist":
            value = _clean_allowlist(value)
        elif name == "ack_texts":
            value = _clean_ack_texts(value)
        elif name == "ack_enabled":
            value = bool(value)
        elif name == "default_admin_unit":
            _check_area(channel.mission, value)
        if getattr(channel, name) != value:
            setattr(channel, name, value)
            if name == "default_admin_unit":
                changes[name] = value.pcode if value else None
            elif name == "ip_allowlist":
                changes[name] = ", ".join(value)
            elif name == "ack_texts":
                changes[name] = ", ".join(sorted(value))
            else:
                changes[name] = value
    if not changes:
        return channel
    channel.updated_by = acting_user(actor)
    channel.full_clean()
    channel.save()
    audit_record(
        actor=actor, action="channel.update", mission=channel.mission, obj=channel, changes=changes
    )
    _forget(channel)
    return channel


@sensitive_variables("secret", "value", "old")
@transaction.atomic
def channel_rotate_secret(
    *,
    actor: Any,
    channel: Channel,
    secret: str | None = None,
    grace: timedelta = DEFAULT_GRACE,
) -> ChannelWithSecret:
    """Replace the secret; the old one stays valid for ``grace`` (0 ends it at once).

    Africa's Talking and generic channels get a fresh secret unless one is given; for Twilio,
    give the new auth token (rotate it in the Twilio console first).
    """
    handler = handler_for(channel.channel_type)
    if not handler.needs_secret:
        raise ValidationError({"secret": _("This channel type has no secret.")})
    if grace < timedelta(0) or grace > MAX_GRACE:
        raise ValidationError({"grace": _("The grace period is between 0 and 7 days.")})
    locked = Channel.objects.select_for_update().select_related("mission").get(pk=channel.pk)
    value = _initial_secret(locked.channel_type, secret)
    now = timezone.now()
    old = locked.secret
    keep_old = bool(old) and grace > timedelta(0)
    locked.previous_secret = old if keep_old else None
    locked.previous_secret_expires_at = now + grace if keep_old else None
    locked.secret = value
    locked.secret_rotated_at = now
    locked.updated_by = acting_user(actor)
    locked.save()
    audit_record(
        actor=actor,
        action="channel.rotate_secret",
        mission=locked.mission,
        obj=locked,
        changes={
            "secret": "rotated",
            "previous_secret_expires_at": (
                locked.previous_secret_expires_at.isoformat()
                if locked.previous_secret_expires_at
                else None
            ),
        },
    )
    _forget(locked)
    return ChannelWithSecret(channel=locked, secret=value)


def _set_active(actor: Any, channel: Channel, active: bool) -> Channel:
    if channel.is_active == active:
        return channel
    channel.is_active = active
    channel.updated_by = acting_user(actor)
    _check_one_webform(channel)
    channel.save(update_fields=["is_active", "updated_by", "updated_at"])
    audit_record(
        actor=actor,
        action="channel.activate" if active else "channel.deactivate",
        mission=channel.mission,
        obj=channel,
        changes={"is_active": active},
    )
    _forget(channel)
    return channel


@transaction.atomic
def channel_deactivate(*, actor: Any, channel: Channel) -> Channel:
    """Stop accepting messages (the webhook answers 404); stored messages stay."""
    return _set_active(actor, channel, False)


@transaction.atomic
def channel_activate(*, actor: Any, channel: Channel) -> Channel:
    return _set_active(actor, channel, True)


# --- Web form rate limit ----------------------------------------------------------------------


def _window(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)


def webform_limits() -> tuple[int, int]:
    """(submissions allowed, window in seconds) from the settings."""
    limit = int(getattr(settings, "PALAVA_WEBFORM_RATE_LIMIT", 10))
    window = int(getattr(settings, "PALAVA_WEBFORM_RATE_WINDOW", 600))
    return max(limit, 0), max(window, 1)


@sensitive_variables("address")
def webform_throttle_hit(*, channel: Channel, address: str, now: datetime | None = None) -> bool:
    """Count one submission from ``address``; True while it is within the limit.

    Fixed windows; the counter row is keyed by a keyed pseudonym of channel and address (the
    address itself is never stored). Safe under concurrency: an ``UPDATE ... SET count = count
    + 1``, else an insert, and when two inserts race the loser's unique-key error turns into
    the update. Windows older than the previous one are purged when a new window starts.
    """
    limit, seconds = webform_limits()
    now = now or timezone.now()
    start = _window(now, seconds)
    key = crypto.pseudonym(f"{channel.pk}|{address}", kind="throttle")
    rows = WebformThrottle.objects.filter(key=key, window_start=start)
    with transaction.atomic():
        if not rows.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    WebformThrottle.objects.create(key=key, window_start=start, count=1)
            except IntegrityError:
                rows.update(count=F("count") + 1)
            else:
                WebformThrottle.objects.filter(
                    window_start__lt=start - timedelta(seconds=seconds)
                ).delete()
        count = rows.values_list("count", flat=True).first() or 0
    return count <= limit


def webform_throttle_purge(*, now: datetime | None = None) -> int:
    """Delete windows that can no longer count; returns how many rows went."""
    _limit, seconds = webform_limits()
    start = _window(now or timezone.now(), seconds)
    deleted, _by_model = WebformThrottle.objects.filter(
        window_start__lt=start - timedelta(seconds=seconds)
    ).delete()
    return int(deleted)
