"""Pages of the commitments ledger: the list (status tabs, filters), recording a commitment
(optionally from an activity or a place), its detail page and the edit page.

The actions on one commitment (status, evidence, verification) are in
``commitment_action_views``. Every read goes through ``commitment_selectors``.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from palava.engagement import commitment_selectors as selectors
from palava.engagement import commitment_services as services
from palava.engagement.commitment_forms import (
    CommitmentFilterForm,
    CommitmentForm,
    EvidenceActivityForm,
    EvidenceNoteForm,
    StatusForm,
    VerifyForm,
)
from palava.engagement.document_forms import DocumentUploadForm
from palava.engagement.models import Commitment, CommitmentStatus
from palava.engagement.reminders import mission_today
from palava.engagement.selectors import activities_visible
from palava.engagement.view_support import apply_errors, membership_of
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view, role_has

PAGE_SIZE = 25


def get_or_404(membership: Membership, commitment_id: Any) -> Commitment:
    found = selectors.commitment_get(membership=membership, public_id=commitment_id)
    if found is None:
        raise Http404(_("No such commitment."))
    return found


def detail_url(obj: Commitment, slug: str) -> str:
    return reverse(
        "commitments:detail", kwargs={"mission_slug": slug, "commitment_id": obj.public_id}
    )


def _tabs(counts: dict[str, int], query: dict[str, Any], current: str) -> list[dict[str, Any]]:
    base = {k: v for k, v in query.items() if k not in ("status", "overdue", "page")}
    tabs = [{"key": "", "label": _("All"), "count": counts["all"], "current": current == ""}]
    for value, label in CommitmentStatus.choices:
        tabs.append(
            {"key": value, "label": label, "count": counts[value], "current": current == value}
        )
    for tab in tabs:
        tab["query"] = urlencode({**base, **({"status": tab["key"]} if tab["key"] else {})})
    return tabs


@never_cache
@mission_view(Perm.COMMITMENT_VIEW)
def commitment_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = membership_of(request)
    form = CommitmentFilterForm(request.GET or None)
    filters = form.filters()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    query = {k: v for k, v in data.items() if v not in (None, "", False)}
    found = selectors.commitment_list(membership=membership, filters=filters)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    today = mission_today(membership.mission, timezone.now())
    rows = [
        {
            "c": c,
            "overdue": selectors.is_overdue(c, today),
            "due_in": selectors.due_in_days(c, today),
            "late": -(selectors.due_in_days(c, today) or 0),
        }
        for c in page.object_list
    ]
    counts = selectors.commitment_status_counts(membership=membership, filters=filters)
    overdue_query = urlencode(
        {**{k: v for k, v in query.items() if k not in ("status", "page")}, "overdue": "on"}
    )
    return render(
        request,
        "engagement/commitments/list.html",
        {
            "mission": membership.mission,
            "form": form,
            "page": page,
            "rows": rows,
            "tabs": _tabs(counts, query, filters.status),
            "counts": counts,
            "overdue_query": overdue_query,
            "query": urlencode(query),
            "filtered": bool(query),
            "can_manage": role_has(membership.role, Perm.COMMITMENT_MANAGE),
        },
    )


def _prefill(request: HttpRequest, membership: Membership) -> dict[str, Any]:
    """Initial values from ``?activity=<public id>`` (place, day, activity) or ``?place=``."""
    zone = ZoneInfo(membership.mission.time_zone or "UTC")
    initial: dict[str, Any] = {
        "made_on": mission_today(membership.mission, timezone.now()),
        "made_by_kind": "mission",
    }
    raw = request.GET.get("activity", "")[:64]
    if raw:
        try:
            key = uuid.UUID(raw)
        except ValueError:
            key = None
        activity = (
            activities_visible(membership=membership).filter(public_id=key).first() if key else None
        )
        if activity is not None:
            initial["activity"] = activity.pk
            initial["admin_unit"] = activity.admin_unit_id
            initial["made_on"] = timezone.localtime(activity.starts_at, zone).date()
    pcode = request.GET.get("place", "")[:32].strip()
    if pcode and "admin_unit" not in initial:
        unit = selectors.visible_place(membership, pcode)
        if unit is not None:
            initial["admin_unit"] = unit.pk
    return initial


@never_cache
@mission_view(Perm.COMMITMENT_MANAGE)
def commitment_create(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = membership_of(request)
    form = CommitmentForm(
        request.POST or None, membership=membership, initial=_prefill(request, membership)
    )
    if request.method == "POST" and form.is_valid():
        try:
            obj = services.commitment_create(
                actor=request.user,
                mission=membership.mission,
                membership=membership,
                **form.service_fields(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash.success(request, _("Commitment %(ref)s recorded.") % {"ref": obj.reference})
            return redirect(detail_url(obj, mission_slug))
    return render(
        request,
        "engagement/commitments/form.html",
        {"mission": membership.mission, "form": form, "commitment": None},
    )


@never_cache
@mission_view(Perm.COMMITMENT_MANAGE)
def commitment_edit(request: HttpRequest, mission_slug: str, commitment_id: Any) -> HttpResponse:
    membership = membership_of(request)
    obj = get_or_404(membership, commitment_id)
    form = CommitmentForm(
        request.POST or None, membership=membership, initial=CommitmentForm.initial_from(obj)
    )
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        if fields["sensitivity"] is None:
            fields["sensitivity"] = obj.sensitivity
        try:
            services.commitment_update(
                actor=request.user, commitment=obj, membership=membership, **fields
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash.success(request, _("Commitment saved."))
            return redirect(detail_url(obj, mission_slug))
    return render(
        request,
        "engagement/commitments/form.html",
        {"mission": membership.mission, "form": form, "commitment": obj},
    )


def detail_context(
    request: HttpRequest, membership: Membership, obj: Commitment, **forms: Any
) -> dict[str, Any]:
    can_manage = role_has(membership.role, Perm.COMMITMENT_MANAGE)
    slug = membership.mission.slug
    return {
        "mission": membership.mission,
        "commitment": obj,
        "detail": selectors.commitment_detail(membership=membership, commitment=obj),
        "can_manage": can_manage,
        "status_form": forms.get("status_form") or StatusForm(commitment=obj),
        "file_form": forms.get("file_form") or DocumentUploadForm(),
        "activity_form": forms.get("activity_form")
        or EvidenceActivityForm(membership=membership, commitment=obj),
        "note_form": forms.get("note_form") or EvidenceNoteForm(),
        "verify_form": forms.get("verify_form")
        or VerifyForm(initial={"verification": obj.verification}),
        "allowed": services.transitions_from(obj.status),
        "document_upload_url": reverse(
            "commitments:document_add",
            kwargs={"mission_slug": slug, "commitment_id": obj.public_id},
        ),
    }


@never_cache
@mission_view(Perm.COMMITMENT_VIEW)
def commitment_detail(request: HttpRequest, mission_slug: str, commitment_id: Any) -> HttpResponse:
    membership = membership_of(request)
    obj = get_or_404(membership, commitment_id)
    return render(
        request,
        "engagement/commitments/detail.html",
        detail_context(request, membership, obj),
    )
