"""Reads about channels, always for one member of one mission.

Channels are mission configuration (not data tied to a place), so a member with
``channel.view`` sees all of the mission's channels; the message counts and last-received
times shown next to them count only messages the member may see: inside their geographic scope
and, without ``message.restricted_view``, never a restricted message.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet

from palava.feedback.models import Channel, ChannelType
from palava.feedback.selectors import unrestricted_q
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has
from palava.places.scope import scope_for


def visible_messages_q(membership: Membership, prefix: str = "messages__") -> Q:
    """Messages (reached through ``prefix``) the member may count."""
    condition = scope_for(membership).q(f"{prefix}admin_unit")
    if not role_has(membership.role, Perm.MESSAGE_RESTRICTED_VIEW):
        condition &= unrestricted_q(prefix)
    return condition


def _with_counts(queryset: QuerySet[Channel], membership: Membership) -> QuerySet[Channel]:
    visible = visible_messages_q(membership)
    return queryset.annotate(
        message_count=Count("messages", filter=visible),
        last_received_at=Max("messages__received_at", filter=visible),
    )


def channel_list(*, membership: Membership) -> QuerySet[Channel]:
    """The mission's channels, active first, with ``message_count`` and ``last_received_at``."""
    found = Channel.objects.filter(mission_id=membership.mission_id).select_related(
        "default_admin_unit"
    )
    return _with_counts(found, membership).order_by("-is_active", "name", "id")


def channel_get(*, membership: Membership, public_id: Any) -> Channel | None:
    """One channel of the member's mission (with counts), or None."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except (ValueError, TypeError):
        return None
    found = Channel.objects.filter(mission_id=membership.mission_id, public_id=key).select_related(
        "mission", "default_admin_unit"
    )
    return _with_counts(found, membership).first()


def webform_channel(*, mission_slug: str) -> Channel | None:
    """The active public web form of the mission with this slug (public pages), or None."""
    return (
        Channel.objects.select_related("mission")
        .filter(mission__slug=mission_slug, channel_type=ChannelType.WEBFORM, is_active=True)
        .order_by("created_at", "id")
        .first()
    )


# --- The webhook's lookup ---------------------------------------------------------------------
# The hot path of every gateway. A small per-process cache spares most requests the query:
# entries live ``PALAVA_CHANNEL_CACHE_SECONDS`` (default 2 s; 0 turns the cache off). Channels
# change only through ``channel_services``, which clears this process's entries at once; other
# processes see a change within the lifetime of an entry, and the webhook looks again before it
# refuses a request that a cached channel did not authenticate (so a new secret works at once).
# Only active channels that exist are kept, at most ``HOOK_CACHE_MAX``: made-up ids never are.

HOOK_CACHE_MAX = 1024
_hook_cache: dict[uuid.UUID, tuple[float, Channel]] = {}
_hook_cache_lock = threading.Lock()


def _hook_cache_seconds() -> float:
    return float(getattr(settings, "PALAVA_CHANNEL_CACHE_SECONDS", 2.0))


def channel_for_hook(public_id: uuid.UUID, *, fresh: bool = False) -> tuple[Channel | None, bool]:
    """The active channel with this public id, and whether it came from the cache."""
    ttl = _hook_cache_seconds()
    now = time.monotonic()
    if ttl > 0 and not fresh:
        with _hook_cache_lock:
            entry = _hook_cache.get(public_id)
        if entry is not None and now - entry[0] < ttl:
            return entry[1], True
    try:
        channel = Channel.objects.get(public_id=public_id, is_active=True)
    except Channel.DoesNotExist:
        channel_cache_clear(public_id)
        return None, False
    if ttl > 0:
        with _hook_cache_lock:
            if len(_hook_cache) >= HOOK_CACHE_MAX:
                _hook_cache.clear()
            _hook_cache[public_id] = (now, channel)
    return channel, False


def channel_cache_clear(public_id: uuid.UUID | None = None) -> None:
    """Forget one channel (or all) in this process's webhook cache."""
    with _hook_cache_lock:
        if public_id is None:
            _hook_cache.clear()
        else:
            _hook_cache.pop(public_id, None)
