"""Mission pages: overview and member list."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from palava.audit.selectors import audit_events_for_mission
from palava.missions.models import Role
from palava.missions.permissions import Perm, mission_view, role_has
from palava.missions.selectors import member_counts_by_role, mission_members

RECENT_EVENTS = 10


@mission_view(Perm.MISSION_VIEW)
def overview(request: HttpRequest, mission_slug: str) -> HttpResponse:
    mission = request.mission  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    counts = member_counts_by_role(mission=mission)
    role_counts = [(label, counts[value]) for value, label in Role.choices if counts.get(value)]
    recent_events = None
    if role_has(membership.role, Perm.AUDIT_VIEW):
        recent_events = list(
            audit_events_for_mission(mission=mission, user=request.user)[:RECENT_EVENTS]
        )
    return render(
        request,
        "missions/overview.html",
        {
            "mission": mission,
            "membership": membership,
            "role_counts": role_counts,
            "member_total": sum(counts.values()),
            "recent_events": recent_events,
        },
    )


@mission_view(Perm.MEMBER_VIEW)
def members(request: HttpRequest, mission_slug: str) -> HttpResponse:
    mission = request.mission  # type: ignore[attr-defined]
    return render(
        request,
        "missions/members.html",
        {"mission": mission, "members": mission_members(mission=mission)},
    )
