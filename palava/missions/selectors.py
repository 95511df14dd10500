"""Reads about missions and memberships. Always filtered by the asking user."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from palava.missions.models import Membership, Mission


def memberships_for_user(*, user: Any) -> QuerySet[Membership]:
    """Active memberships of ``user`` with their missions, for navigation and the switcher."""
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("mission")
        .order_by("mission__name")
    )


def missions_for_user(*, user: Any) -> QuerySet[Mission]:
    """Missions the user belongs to. A user sees no other mission."""
    if not user.is_authenticated or not user.is_active:
        return Mission.objects.none()
    return Mission.objects.filter(memberships__user=user, memberships__is_active=True).order_by(
        "name"
    )


def membership_get(*, user: Any, mission_slug: str) -> Membership | None:
    """The user's active membership in the mission with this slug, or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    return (
        Membership.objects.filter(user=user, mission__slug=mission_slug, is_active=True)
        .select_related("mission")
        .first()
    )


def mission_members(*, mission: Mission) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(mission=mission).select_related("user").order_by("user__username")
    )


def member_counts_by_role(*, mission: Mission) -> dict[str, int]:
    """Active members of the mission per role value."""
    rows = (
        Membership.objects.filter(mission=mission, is_active=True)
        .order_by()
        .values("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    return dict(rows)
