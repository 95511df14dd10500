"""Actions on one commitment from its page (POST only): change the status, add evidence (a
file, a later activity, an observation), record the community's verification.

An invalid form re-renders the detail page with its errors (status 400); a success redirects
back to the page with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palava.engagement import commitment_services as services
from palava.engagement.commitment_forms import (
    EvidenceActivityForm,
    EvidenceNoteForm,
    StatusForm,
    VerifyForm,
)
from palava.engagement.commitment_views import (
    detail_context,
    detail_url,
    get_or_404,
)
from palava.engagement.document_forms import DocumentUploadForm
from palava.engagement.models import Commitment, EvidenceKind
from palava.engagement.view_support import apply_errors, membership_of
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view


def _again(
    request: HttpRequest, membership: Membership, obj: Commitment, **forms: Any
) -> HttpResponse:
    flash.error(request, _("Please correct the errors below."))
    return render(
        request,
        "engagement/commitments/detail.html",
        detail_context(request, membership, obj, **forms),
        status=400,
    )


@require_POST
@mission_view(Perm.COMMITMENT_MANAGE)
def commitment_status(request: HttpRequest, mission_slug: str, commitment_id: Any) -> HttpResponse:
    membership = membership_of(request)
    obj = get_or_404(membership, commitment_id)
    form = StatusForm(request.POST, commitment=obj)
    if form.is_valid():
        try:
            services.commitment_set_status(
                actor=request.user,
                commitment=obj,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash.success(request, _("Status updated."))
            return redirect(detail_url(obj, mission_slug))
    return _again(request, membership, obj, status_form=form)


@require_POST
@mission_view(Perm.COMMITMENT_MANAGE)
def commitment_evidence_file(
    request: HttpRequest, mission_slug: str, commitment_id: Any
) -> HttpResponse:
    membership = membership_of(request)
    obj = get_or_404(membership, commitment_id)
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.commitment_add_evidence(
                actor=request.user,
                commitment=obj,
                kind=EvidenceKind.FILE,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
                membership=membership,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash.success(request, _("File added as evidence."))
            return redirect(detail_url(obj, mission_slug))
    return _again(request, membership, obj, file_form=form)


@require_POST
@mission_view(Perm.COMMITMENT_MANAGE)
def commitment_evidence_activity(
    request: HttpRequest, mission_slug: str, commitment_id: Any
) -> HttpResponse:
    membership = membership_of(request)
    obj = get_or_404(membership, commitment_id)
    form = EvidenceActivityForm(request.POST, membership=membership, commitment=obj)
    if form.is_valid():
        try:
            services.commitment_add_evidence(
                actor=request.user,
                commitment=obj,
                kind=EvidenceKind.ACTIVITY,
                activity=form.cleaned_data["activity"],
                membership=membership,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash.success(request, _("Activity linked as evidence."))
            return redirect(detail_url(obj, mission_slug))
    return _again(request, membership, obj, activity_form=form)


@require_POST
@mission_view(Perm.COMMITMENT_MANAGE)
def commitment_evidence_note(
    request: HttpRequest, mission_slug: str, commitment_id: Any
) -> HttpResponse:
    membership = membership_of(request)
    obj = get_or_404(membership, commitment_id)
    form = EvidenceNoteForm(request.POST)
    if form.is_valid():
        try:
            services.commitment_add_evidence(
                actor=request.user,
                commitment=obj,
                kind=EvidenceKind.NOTE,
                note=form.cleaned_data["note"],
                membership=membership,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash.success(request, _("Observation added as evidence."))
            return redirect(detail_url(obj, mission_slug))
    return _again(request, membership, obj, note_form=form)


@require_POST
@mission_view(Perm.COMMITMENT_MANAGE)
def commitment_verify(request: HttpRequest, mission_slug: str, commitment_id: Any) -> HttpResponse:
    membership = membership_of(request)
    obj = get_or_404(membership, commitment_id)
    form = VerifyForm(request.POST)
    if form.is_valid():
        try:
            services.commitment_verify(
                actor=request.user,
                commitment=obj,
                verification=form.cleaned_data["verification"],
                note=form.cleaned_data["verification_note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash.success(request, _("Community verification recorded."))
            return redirect(detail_url(obj, mission_slug))
    return _again(request, membership, obj, verify_form=form)
