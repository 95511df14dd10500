"""The forms of an activity's detail page: status, participants, attendance, issues, documents.

Each view is POST only, finds the activity through the visibility selectors (404 otherwise),
calls one audited service and redirects back to the detail page; an invalid form re-renders the
detail page with the errors (400). They work without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palava.engagement import activity_selectors as sel
from palava.engagement import activity_services as services
from palava.engagement.activity_forms import ParticipantForm
from palava.engagement.activity_record_forms import AttendanceForm, IssueForm, StatusForm
from palava.engagement.activity_views import (
    activity_or_404,
    activity_url,
    render_detail,
)
from palava.engagement.document_forms import DocumentUploadForm
from palava.engagement.view_support import apply_errors, attach_document, membership_of
from palava.missions.permissions import Perm, mission_view


@require_POST
@mission_view(Perm.ACTIVITY_MANAGE)
def activity_status(request: HttpRequest, mission_slug: str, activity_id: Any) -> HttpResponse:
    membership = membership_of(request)
    activity = activity_or_404(membership, activity_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.activity_set_status(
                actor=request.user,
                activity=activity,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data.get("reason") or "",
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Status changed."))
            return redirect(activity_url(membership, activity))
    return render_detail(request, activity, status_form=form, status=400)


@require_POST
@mission_view(Perm.ACTIVITY_MANAGE)
def participant_add(request: HttpRequest, mission_slug: str, activity_id: Any) -> HttpResponse:
    membership = membership_of(request)
    activity = activity_or_404(membership, activity_id)
    form = ParticipantForm(request.POST, membership=membership)
    if form.is_valid():
        try:
            services.participant_add(
                actor=request.user,
                activity=activity,
                actor_record=form.cleaned_data["actor"],
                role=form.cleaned_data["role"],
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Participant added."))
            return redirect(activity_url(membership, activity, "participants"))
    return render_detail(request, activity, participant_form=form, status=400)


@require_POST
@mission_view(Perm.ACTIVITY_MANAGE)
def participant_remove(request: HttpRequest, mission_slug: str, activity_id: Any) -> HttpResponse:
    membership = membership_of(request)
    activity = activity_or_404(membership, activity_id)
    key = request.POST.get("participant", "")
    if sel.parse_uuid(key) is None:
        messages.error(request, _("Choose a participant to remove."))
        return render_detail(request, activity, status=400)
    participant = sel.participant_get(membership=membership, activity=activity, public_id=key)
    if participant is None:
        raise Http404(_("No such participant."))
    services.participant_remove(actor=request.user, participant=participant)
    messages.success(request, _("Participant removed."))
    return redirect(activity_url(membership, activity, "participants"))


@require_POST
@mission_view(Perm.ACTIVITY_MANAGE)
def attendance_set(request: HttpRequest, mission_slug: str, activity_id: Any) -> HttpResponse:
    membership = membership_of(request)
    activity = activity_or_404(membership, activity_id)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        try:
            services.attendance_set(actor=request.user, activity=activity, counts=form.counts())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Attendance saved."))
            return redirect(activity_url(membership, activity, "attendance"))
    return render_detail(request, activity, attendance_form=form, status=400)


@require_POST
@mission_view(Perm.ACTIVITY_MANAGE)
def issue_add(request: HttpRequest, mission_slug: str, activity_id: Any) -> HttpResponse:
    membership = membership_of(request)
    activity = activity_or_404(membership, activity_id)
    form = IssueForm(request.POST, membership=membership, place=activity.admin_unit)
    if form.is_valid():
        try:
            services.issue_add(
                actor=request.user,
                activity=activity,
                summary=form.cleaned_data["summary"],
                category=form.cleaned_data.get("category"),
                messages=form.cleaned_data.get("linked") or [],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Issue recorded."))
            return redirect(activity_url(membership, activity, "issues"))
    return render_detail(request, activity, issue_form=form, status=400)


@require_POST
@mission_view(Perm.ACTIVITY_MANAGE)
def issue_remove(request: HttpRequest, mission_slug: str, activity_id: Any) -> HttpResponse:
    membership = membership_of(request)
    activity = activity_or_404(membership, activity_id)
    key = request.POST.get("issue", "")
    if sel.parse_uuid(key) is None:
        messages.error(request, _("Choose an issue to remove."))
        return render_detail(request, activity, status=400)
    issue = sel.issue_get(activity=activity, public_id=key)
    if issue is None:
        raise Http404(_("No such issue."))
    services.issue_remove(actor=request.user, issue=issue)
    messages.success(request, _("Issue removed."))
    return redirect(activity_url(membership, activity, "issues"))


@require_POST
@mission_view(Perm.ACTIVITY_MANAGE)
def document_add_view(request: HttpRequest, mission_slug: str, activity_id: Any) -> HttpResponse:
    membership = membership_of(request)
    activity = activity_or_404(membership, activity_id)
    form = DocumentUploadForm(request.POST, request.FILES)
    if attach_document(request, membership, form, activity=activity):
        messages.success(request, _("File attached."))
        return redirect(activity_url(membership, activity, "documents-heading"))
    return render_detail(request, activity, document_form=form, status=400)
