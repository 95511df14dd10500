"""The audit browser: the mission's trail, filtered and paginated; chain check on request."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from palava.audit.chain import verify_chain
from palava.audit.forms import AuditFilterForm
from palava.audit.selectors import audit_actions_for_mission, audit_events_for_mission
from palava.missions.permissions import Perm, mission_view

PAGE_SIZE = 50
RESULTS_TARGET = "audit-results"


def _wants_partial(request: HttpRequest, target: str) -> bool:
    """An htmx request that swaps only ``target`` (a history restore gets the full page)."""
    return (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == target
    )


@vary_on_headers("HX-Request", "HX-Target")
@mission_view(Perm.AUDIT_VIEW)
def audit_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    mission = request.mission  # type: ignore[attr-defined]
    actions = audit_actions_for_mission(mission=mission, user=request.user)
    form = AuditFilterForm(request.GET or None, actions=actions)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = form.selector_filters(time_zone=mission.time_zone)
    events = audit_events_for_mission(mission=mission, user=request.user, **filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = [(k, v) for k, v in request.GET.items() if k != "page" and isinstance(v, str) and v]
    context = {
        "mission": mission,
        "form": form,
        "page": page,
        "events": page.object_list,
        "query": urlencode(query),
        "results_target": RESULTS_TARGET,
    }
    if _wants_partial(request, RESULTS_TARGET):
        return render(request, "audit/_partials/results.html", context)
    return render(request, "audit/list.html", context)


@vary_on_headers("HX-Request", "HX-Target")
@require_POST
@mission_view(Perm.AUDIT_VIEW)
def audit_verify(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """Walk the whole hash chain (slow on a long trail, hence only on request, by POST)."""
    report = verify_chain()
    context = {"mission": request.mission, "report": report}  # type: ignore[attr-defined]
    if _wants_partial(request, "audit-verify"):
        return render(request, "audit/_partials/verify.html", context)
    return render(request, "audit/verify.html", context)
