"""The engagement landing page: this month's figures, links to every engagement page the role
allows, and the next seven days of the calendar."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from palava.engagement import calendar as cal
from palava.engagement.calendar_selectors import calendar_items
from palava.engagement.models import OPEN_STATUSES, ActivityStatus
from palava.engagement.plan import plan_build
from palava.engagement.selectors import (
    activities_visible,
    commitments_visible,
    mission_today,
    mission_zone,
)
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view, role_has

UPCOMING_DAYS = 7


@require_safe
@mission_view(Perm.ACTIVITY_VIEW)
def home(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    today = mission_today(membership)
    zone = mission_zone(membership)
    month = cal.month_start(today)
    begin = dt.datetime.combine(month, dt.time.min, tzinfo=zone)
    stop = dt.datetime.combine(
        cal.month_end(month) + dt.timedelta(days=1), dt.time.min, tzinfo=zone
    )
    activities = activities_visible(membership=membership).aggregate(
        held=Count(
            "id", filter=Q(status=ActivityStatus.HELD, starts_at__gte=begin, starts_at__lt=stop)
        ),
        planned=Count(
            "id", filter=Q(status=ActivityStatus.PLANNED, starts_at__gte=begin, starts_at__lt=stop)
        ),
    )
    commitments = {"open": 0, "overdue": 0}
    if role_has(membership.role, Perm.COMMITMENT_VIEW):
        commitments = commitments_visible(membership=membership).aggregate(
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
        )
    plan = plan_build(membership=membership, today=today)
    upcoming = calendar_items(
        membership=membership,
        start=today,
        end=today + dt.timedelta(days=UPCOMING_DAYS - 1),
        today=today,
    )
    return render(
        request,
        "engagement/home.html",
        {
            "mission": membership.mission,
            "month": month,
            "month_end": cal.month_end(month),
            "today": today,
            "held_this_month": activities["held"],
            "planned_this_month": activities["planned"],
            "open_commitments": commitments["open"],
            "overdue_commitments": commitments["overdue"],
            "not_engaged": sum(1 for row in plan.rows if row.never_engaged or row.not_engaged),
            "places_total": len(plan.rows),
            "plan": plan,
            "agenda": cal.agenda(upcoming),
            "role": membership.role,
        },
    )
