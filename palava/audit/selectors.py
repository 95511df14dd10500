"""Reads of the audit trail. Always scoped to one mission and checked against the user's role."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet

from palava.audit.models import AuditEvent
from palava.missions.models import Mission
from palava.missions.permissions import Perm, role_has
from palava.missions.selectors import membership_get


def _may_view_audit(*, mission: Mission, user: Any) -> bool:
    membership = membership_get(user=user, mission_slug=mission.slug)
    return membership is not None and role_has(membership.role, Perm.AUDIT_VIEW)


def audit_events_for_mission(
    *,
    mission: Mission,
    user: Any,
    action: str = "",
    actor: str = "",
    object_id: str = "",
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The mission's audit events, newest first, narrowed by the given filters.

    ``actor`` matches the recorded user name exactly (case-insensitive); ``since`` is inclusive
    and ``until`` exclusive, both aware datetimes. A user whose role lacks ``audit.view`` in this
    mission gets nothing.
    """
    if not _may_view_audit(mission=mission, user=user):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.filter(mission=mission)
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor_label__iexact=actor)
    if object_id:
        events = events.filter(object_id=object_id)
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    if until is not None:
        events = events.filter(occurred_at__lt=until)
    return events.order_by("-occurred_at", "-id")


def audit_actions_for_mission(*, mission: Mission, user: Any) -> list[str]:
    """The distinct action names recorded in the mission, for the filter's choices."""
    if not _may_view_audit(mission=mission, user=user):
        return []
    return list(
        AuditEvent.objects.filter(mission=mission)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )
