"""Activity pages: the list with filters, record and edit an activity, and its detail page.

Activities are found only through ``activity_selectors`` (mission and geographic scope): one the
member may not see answers 404 like one that does not exist. Writes go through
``activity_services``, which validate and audit. The detail page's forms (participants,
attendance, issues, status, attachments) post to ``activity_record_views``.
"""

from __future__ import annotations

import zoneinfo
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from palava.core.sensitivity import Sensitivity
from palava.engagement import activity_selectors as sel
from palava.engagement import activity_services as services
from palava.engagement.activity_forms import ActivityFilterForm, ActivityForm, ParticipantForm
from palava.engagement.activity_record_forms import (
    GRID_BANDS,
    GRID_SEXES,
    AttendanceForm,
    IssueForm,
    StatusForm,
)
from palava.engagement.models import Activity, AgeBand, CountSex, ParticipantGroup
from palava.engagement.view_support import membership_of
from palava.missions.models import Membership
from palava.missions.permissions import Perm, clearance_for, mission_view, role_has

PAGE_SIZE = 25
RESULTS_TARGET = "activity-results"


def activity_or_404(membership: Membership, activity_id: Any) -> Activity:
    found = sel.activity_get(membership=membership, public_id=activity_id)
    if found is None:
        raise Http404(_("No such activity."))
    return found


def activity_url(membership: Membership, activity: Activity, anchor: str = "") -> str:
    url = reverse(
        "activities:detail",
        kwargs={"mission_slug": membership.mission.slug, "activity_id": activity.public_id},
    )
    return f"{url}#{anchor}" if anchor else url


def _tz(membership: Membership) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(membership.mission.time_zone)


def _query_without(request: HttpRequest, *names: str) -> str:
    pairs = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in names
        for value in values
        if value
    ]
    return urlencode(pairs)


# --- List ------------------------------------------------------------------------------------


@vary_on_headers("HX-Request", "HX-Target")
@mission_view(Perm.ACTIVITY_VIEW)
def activity_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = membership_of(request)
    form = ActivityFilterForm(request.GET or None)
    found = sel.activity_list(membership=membership, filters=form.filters())
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "mission": membership.mission,
        "form": form,
        "filtered": form.active(),
        "page": page,
        "activities": page.object_list,
        "query": _query_without(request, "page"),
        "results_target": RESULTS_TARGET,
        "can_manage": role_has(membership.role, Perm.ACTIVITY_MANAGE),
    }
    if (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == RESULTS_TARGET
    ):
        return render(request, "engagement/activities/_results.html", context)
    return render(request, "engagement/activities/list.html", context)


# --- Create and edit -------------------------------------------------------------------------


def _render_form(
    request: HttpRequest, form: ActivityForm, activity: Activity | None, status: int = 200
) -> HttpResponse:
    membership = membership_of(request)
    context = {"mission": membership.mission, "form": form, "activity": activity}
    return render(request, "engagement/activities/form.html", context, status=status)


@mission_view(Perm.ACTIVITY_MANAGE)
def activity_create(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = membership_of(request)
    with timezone.override(_tz(membership)):
        if request.method != "POST":
            initial: dict[str, Any] = {}
            follow = sel.activity_get(
                membership=membership, public_id=request.GET.get("follow_up_of")
            )
            if follow is not None:
                initial = {
                    "follow_up_of": str(follow.public_id),
                    "admin_unit": follow.admin_unit.pcode,
                    "activity_type": follow.activity_type,
                }
            form = ActivityForm(membership=membership, initial=initial)
            return _render_form(request, form, None)
        form = ActivityForm(request.POST, membership=membership)
        if form.is_valid():
            try:
                activity = services.activity_create(
                    actor=request.user, mission=membership.mission, **form.service_fields()
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Activity recorded."))
                return redirect(activity_url(membership, activity))
        return _render_form(request, form, None, status=400)


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@mission_view(Perm.ACTIVITY_MANAGE)
def activity_edit(request: HttpRequest, mission_slug: str, activity_id: Any) -> HttpResponse:
    membership = membership_of(request)
    activity = activity_or_404(membership, activity_id)
    with timezone.override(_tz(membership)):
        if request.method != "POST":
            form = ActivityForm(
                membership=membership, activity=activity, initial=ActivityForm.initial_for(activity)
            )
            return _render_form(request, form, activity)
        form = ActivityForm(request.POST, membership=membership, activity=activity)
        if form.is_valid():
            try:
                services.activity_update(
                    actor=request.user, activity=activity, **form.service_fields()
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Activity saved."))
                return redirect(activity_url(membership, activity))
        return _render_form(request, form, activity, status=400)


# --- Detail ----------------------------------------------------------------------------------


def _attendance_table(detail: sel.ActivityDetail) -> dict[str, Any]:
    sexes = dict(CountSex.choices)
    bands = dict(AgeBand.choices)
    groups = dict(ParticipantGroup.choices)
    attendance = detail.attendance
    return {
        "breakdown": [
            *((sexes[k], n) for k, n in sorted(attendance.by_sex.items())),
            *((bands[k], attendance.by_age[k]) for k in GRID_BANDS if k in attendance.by_age),
            *((groups[k], n) for k, n in sorted(attendance.by_group.items())),
        ],
        "columns": [{"sex": sexes[s], "band": bands[b]} for s in GRID_SEXES for b in GRID_BANDS],
        "sex_labels": [(sexes[s], len(GRID_BANDS)) for s in GRID_SEXES],
        "band_labels": [bands[b] for b in GRID_BANDS],
    }


def _language_name(code: str) -> str:
    """The name of a language code in the reader's language; free text as it was typed."""
    try:
        return str(get_language_info(code.strip().lower())["name_translated"])
    except KeyError:
        return code


def render_detail(
    request: HttpRequest,
    activity: Activity,
    *,
    participant_form: ParticipantForm | None = None,
    attendance_form: AttendanceForm | None = None,
    issue_form: IssueForm | None = None,
    status_form: StatusForm | None = None,
    document_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    membership = membership_of(request)
    detail = sel.activity_detail(membership=membership, activity=activity)
    can_manage = role_has(membership.role, Perm.ACTIVITY_MANAGE)
    query = request.GET.get("actor_q", "")[:100]
    context: dict[str, Any] = {
        "mission": membership.mission,
        "activity": activity,
        "detail": detail,
        "attendance": detail.attendance,
        "grid": _attendance_table(detail),
        "can_manage": can_manage,
        "can_read_minutes": clearance_for(membership.role) >= Sensitivity.CONFIDENTIAL,
        "can_commit": role_has(membership.role, Perm.COMMITMENT_MANAGE),
        "can_see_messages": role_has(membership.role, Perm.MESSAGE_VIEW),
        "actor_query": query,
        "other_places": list(activity.places.all()),
        "facilitators": list(activity.facilitators.all()),
        "language_names": [_language_name(code) for code in activity.languages or []],
    }
    if can_manage:
        context["participant_form"] = participant_form or ParticipantForm(
            membership=membership, query=query
        )
        context["attendance_form"] = attendance_form or AttendanceForm(
            initial=AttendanceForm.initial_for(detail.attendance.cells)
        )
        context["issue_form"] = issue_form or IssueForm(
            membership=membership, place=activity.admin_unit
        )
        context["status_form"] = status_form or StatusForm(
            initial={"status": activity.status, "reason": activity.cancel_reason}
        )
        context["document_upload_url"] = reverse(
            "activities:document_add",
            kwargs={"mission_slug": membership.mission.slug, "activity_id": activity.public_id},
        )
        context["document_form"] = document_form
    return render(request, "engagement/activities/detail.html", context, status=status)


@mission_view(Perm.ACTIVITY_VIEW)
def activity_detail(request: HttpRequest, mission_slug: str, activity_id: Any) -> HttpResponse:
    activity = activity_or_404(membership_of(request), activity_id)
    return render_detail(request, activity)
