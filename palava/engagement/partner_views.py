"""Partner pages: the list, adding an organisation as a partner, the partner's page with its
agreements and projects, editing, agreements and their documents.

Partners and viewers read these pages too (``Perm.PARTNER_VIEW``), so nothing above internal is
shown: the organisation's contacts and notes stay on the actor's page (linked, with its own
rules); partner notes are shown only to roles that manage partners. Records are found through
``partner_selectors`` (404 when not visible); writes go through ``partner_services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palava.engagement import partner_selectors as selectors
from palava.engagement import partner_services as services
from palava.engagement.document_forms import DocumentUploadForm
from palava.engagement.models import Agreement, Partner
from palava.engagement.partner_forms import (
    AgreementForm,
    PartnerCreateForm,
    PartnerEditForm,
    PartnerFilterForm,
)
from palava.engagement.view_support import (
    apply_errors,
    attach_document,
    flash_form_errors,
    membership_of,
    query_without_page,
)
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view, role_has

PAGE_SIZE = 25


def _partner_or_404(membership: Membership, partner_id: Any) -> Partner:
    found = selectors.partner_get(membership=membership, public_id=partner_id)
    if found is None:
        raise Http404(_("No such partner."))
    return found


def _agreement_or_404(membership: Membership, agreement_id: Any) -> Agreement:
    found = selectors.agreement_get(membership=membership, public_id=agreement_id)
    if found is None:
        raise Http404(_("No such agreement."))
    return found


def _detail_url(membership: Membership, partner: Partner) -> str:
    return reverse(
        "partners:detail",
        kwargs={"mission_slug": membership.mission.slug, "partner_id": partner.public_id},
    )


@mission_view(Perm.PARTNER_VIEW)
def partner_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = membership_of(request)
    form = PartnerFilterForm(request.GET or None)
    found = selectors.partner_list(membership=membership, filters=form.filters())
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (p, selectors.partner_agreement_state(list(p.agreements.all()))) for p in page.object_list
    ]
    return render(
        request,
        "engagement/partners/list.html",
        {
            "mission": membership.mission,
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "rows": rows,
            "state_labels": selectors.AGREEMENT_STATE_LABELS,
            "can_manage": role_has(membership.role, Perm.PARTNER_MANAGE),
        },
    )


@mission_view(Perm.PARTNER_MANAGE)
def partner_create(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = membership_of(request)
    form = PartnerCreateForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partner = services.partner_create(
                actor=request.user,
                mission=membership.mission,
                actor_record=data["organisation"],
                partner_type=data["partner_type"],
                acronym=data["acronym"],
                notes=data["notes"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Partner added."))
            return redirect(_detail_url(membership, partner))
    organisation_field = form.fields["organisation"]
    has_choices = bool(getattr(organisation_field, "queryset", None))
    return render(
        request,
        "engagement/partners/create.html",
        {
            "mission": membership.mission,
            "form": form,
            "has_choices": has_choices,
            "can_create_actor": role_has(membership.role, Perm.ACTOR_MANAGE),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@mission_view(Perm.PARTNER_VIEW)
def partner_detail(request: HttpRequest, mission_slug: str, partner_id: Any) -> HttpResponse:
    membership = membership_of(request)
    partner = _partner_or_404(membership, partner_id)
    agreements = list(selectors.partner_agreements(partner=partner))
    rows = [(a, selectors.agreement_state(a)) for a in agreements]
    can_manage = role_has(membership.role, Perm.PARTNER_MANAGE)
    return render(
        request,
        "engagement/partners/detail.html",
        {
            "mission": membership.mission,
            "partner": partner,
            "agreements": rows,
            "state": selectors.partner_agreement_state(agreements),
            "state_labels": selectors.AGREEMENT_STATE_LABELS,
            "projects": selectors.partner_projects(membership=membership, partner=partner),
            "can_manage": can_manage,
            "show_documents": role_has(membership.role, Perm.ACTIVITY_VIEW),
        },
    )


@mission_view(Perm.PARTNER_MANAGE)
def partner_edit(request: HttpRequest, mission_slug: str, partner_id: Any) -> HttpResponse:
    membership = membership_of(request)
    partner = _partner_or_404(membership, partner_id)
    initial = {
        "partner_type": partner.partner_type,
        "acronym": partner.acronym,
        "is_active": partner.is_active,
        "notes": partner.notes,
    }
    form = PartnerEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_update(actor=request.user, partner=partner, data=form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Partner saved."))
            return redirect(_detail_url(membership, partner))
    return render(
        request,
        "engagement/partners/edit.html",
        {"mission": membership.mission, "partner": partner, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


def _agreement_form_page(
    request: HttpRequest, partner: Partner, agreement: Agreement | None
) -> HttpResponse:
    membership = membership_of(request)
    initial = {}
    if agreement is not None:
        initial = {name: getattr(agreement, name) for name in services.AGREEMENT_FIELDS}
    form = AgreementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if agreement is None:
                services.agreement_create(actor=request.user, partner=partner, **form.cleaned_data)
                messages.success(request, _("Agreement recorded."))
            else:
                services.agreement_update(
                    actor=request.user, agreement=agreement, data=form.cleaned_data
                )
                messages.success(request, _("Agreement saved."))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect(_detail_url(membership, partner))
    return render(
        request,
        "engagement/partners/agreement_form.html",
        {"mission": membership.mission, "partner": partner, "agreement": agreement, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@mission_view(Perm.PARTNER_MANAGE)
def agreement_create(request: HttpRequest, mission_slug: str, partner_id: Any) -> HttpResponse:
    partner = _partner_or_404(membership_of(request), partner_id)
    return _agreement_form_page(request, partner, None)


@mission_view(Perm.PARTNER_VIEW)
def agreement_detail(request: HttpRequest, mission_slug: str, agreement_id: Any) -> HttpResponse:
    membership = membership_of(request)
    agreement = _agreement_or_404(membership, agreement_id)
    show_documents = role_has(membership.role, Perm.ACTIVITY_VIEW)
    return render(
        request,
        "engagement/partners/agreement_detail.html",
        {
            "mission": membership.mission,
            "agreement": agreement,
            "partner": agreement.partner,
            "state": selectors.agreement_state(agreement),
            "state_labels": selectors.AGREEMENT_STATE_LABELS,
            "projects": selectors.partner_projects(
                membership=membership, partner=agreement.partner
            ).filter(agreement=agreement),
            "documents": agreement.documents.all() if show_documents else [],
            "show_documents": show_documents,
            "can_manage": role_has(membership.role, Perm.PARTNER_MANAGE),
        },
    )


@mission_view(Perm.PARTNER_MANAGE)
def agreement_edit(request: HttpRequest, mission_slug: str, agreement_id: Any) -> HttpResponse:
    agreement = _agreement_or_404(membership_of(request), agreement_id)
    return _agreement_form_page(request, agreement.partner, agreement)


@require_POST
@mission_view(Perm.PARTNER_MANAGE)
def agreement_document_add(
    request: HttpRequest, mission_slug: str, agreement_id: Any
) -> HttpResponse:
    membership = membership_of(request)
    agreement = _agreement_or_404(membership, agreement_id)
    form = DocumentUploadForm(request.POST, request.FILES)
    if attach_document(request, membership, form, agreement=agreement):
        messages.success(request, _("Document attached."))
    else:
        flash_form_errors(request, form)
    return redirect(
        reverse(
            "partners:agreement_detail",
            kwargs={"mission_slug": membership.mission.slug, "agreement_id": agreement.public_id},
        )
        + "#documents-heading"
    )
