"""Reads about broadcasts: the list, one broadcast, and its delivery statistics.

Broadcasts belong to the mission; a member whose scope is not the whole mission sees the
broadcasts with at least one area inside that scope (a broadcast to everywhere is theirs to
see only when they see the whole mission). Statistics are counts of the broadcast's outbound
messages by status: never a number, a name or a pseudonym.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet

from palava.feedback.models import Broadcast, BroadcastStatus, OutboundMessage, OutboundStatus
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has
from palava.places.models import AdminUnit
from palava.places.scope import scope_for

PENDING = (
    OutboundStatus.QUEUED,
    OutboundStatus.SENDING,
    OutboundStatus.RETRYING,
)
FAILED = (OutboundStatus.UNDELIVERED, OutboundStatus.DEAD)


def broadcasts_visible(membership: Membership) -> QuerySet[Broadcast]:
    if not membership.is_active or not role_has(membership.role, Perm.BROADCAST_VIEW):
        return Broadcast.objects.none()
    found = Broadcast.objects.filter(mission_id=membership.mission_id)
    scope = scope_for(membership)
    if not scope.is_whole_mission:
        inside = AdminUnit.objects.filter(scope.q(""), pk=OuterRef("admin_units__pk"))
        found = found.filter(Exists(inside)).distinct()
    return found


def broadcast_list(*, membership: Membership, status: str = "") -> QuerySet[Broadcast]:
    found = broadcasts_visible(membership).select_related("channel", "created_by")
    if status:
        found = found.filter(status=status)
    return found.order_by("-created_at", "-id")


def broadcast_get(*, membership: Membership, public_id: uuid.UUID | str) -> Broadcast | None:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return (
        broadcasts_visible(membership)
        .select_related("mission", "channel", "created_by")
        .prefetch_related("admin_units", "groups")
        .filter(public_id=key)
        .first()
    )


@dataclass(frozen=True)
class BroadcastStats:
    """Delivery counts. ``total`` = messages enqueued + numbers left out as opted out."""

    queued: int
    sent: int
    delivered: int
    failed: int
    suppressed: int
    cancelled: int
    total: int
    is_sending: bool

    @property
    def done(self) -> int:
        return self.sent + self.delivered + self.failed + self.suppressed + self.cancelled

    @property
    def percent_done(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def percent(self, value: int) -> float:
        return round(100 * value / self.total, 1) if self.total else 0.0


def _stats_from(broadcast: Broadcast, counts: dict[str, int]) -> BroadcastStats:
    queued = sum(counts.get(s, 0) for s in PENDING)
    return BroadcastStats(
        queued=queued,
        sent=counts.get(OutboundStatus.SENT, 0),
        delivered=counts.get(OutboundStatus.DELIVERED, 0),
        failed=sum(counts.get(s, 0) for s in FAILED),
        suppressed=counts.get(OutboundStatus.SUPPRESSED, 0) + broadcast.suppressed_count,
        cancelled=counts.get(OutboundStatus.CANCELLED, 0),
        total=sum(counts.values()) + broadcast.suppressed_count,
        is_sending=broadcast.status == BroadcastStatus.SENDING
        or (broadcast.status == BroadcastStatus.SENT and queued > 0),
    )


def broadcast_stats_many(broadcasts: Iterable[Broadcast]) -> dict[int, BroadcastStats]:
    """Statistics of several broadcasts (a list page) in one query."""
    rows = list(broadcasts)
    counts: dict[int, dict[str, int]] = {b.pk: {} for b in rows}
    for row in (
        OutboundMessage.objects.filter(broadcast_id__in=list(counts))
        .order_by()
        .values("broadcast_id", "status")
        .annotate(n=Count("id"))
    ):
        counts[row["broadcast_id"]][row["status"]] = int(row["n"])
    return {b.pk: _stats_from(b, counts[b.pk]) for b in rows}


def broadcast_stats(broadcast: Broadcast) -> BroadcastStats:
    return broadcast_stats_many([broadcast])[broadcast.pk]
