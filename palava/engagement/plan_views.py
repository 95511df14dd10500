"""The engagement plan page: what is due where (see ``plan``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from palava.engagement.plan import plan_build
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view, role_has


@require_safe
@mission_view(Perm.ACTIVITY_VIEW)
def plan_page(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    plan = plan_build(membership=membership, level=request.GET.get("level", "")[:3])
    role = membership.role
    return render(
        request,
        "engagement/plan.html",
        {
            "mission": membership.mission,
            "plan": plan,
            "rows": plan.rows,
            "attention_count": sum(1 for row in plan.rows if row.needs_attention),
            "can_record": role_has(role, Perm.ACTIVITY_MANAGE),
            "can_commit": role_has(role, Perm.COMMITMENT_MANAGE),
            "show_commitments": role_has(role, Perm.COMMITMENT_VIEW),
            "show_deliverables": role_has(role, Perm.PARTNER_VIEW),
        },
    )
