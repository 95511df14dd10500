"""Template context shared by every page: the user's missions and the current one."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def palava(request: HttpRequest) -> dict[str, Any]:
    from palava.missions.selectors import memberships_for_user

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_memberships": [], "current_mission": None}
    memberships = list(memberships_for_user(user=user))
    return {
        "nav_memberships": memberships,
        "current_mission": getattr(request, "mission", None),
        "current_membership": getattr(request, "membership", None),
    }
