"""Project pages (3W): the list with totals, create and edit, and the project's page with its
places, the beneficiaries grid, deliverables and documents.

Read with ``Perm.PARTNER_VIEW`` (partners and viewers too: nothing above internal is shown),
written with ``Perm.PARTNER_MANAGE``. Projects are found through ``project_selectors`` (404 when
outside the member's scope); writes go through ``project_services``.
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

from palava.engagement import project_selectors as selectors
from palava.engagement import project_services as services
from palava.engagement.document_forms import DocumentUploadForm
from palava.engagement.models import (
    CountSex,
    Deliverable,
    DeliverableStatus,
    Project,
    ProjectStatus,
    Sector,
)
from palava.engagement.project_currencies import COMMON_CURRENCIES
from palava.engagement.project_forms import (
    DeliverableForm,
    DeliverForm,
    ProjectFilterForm,
    ProjectForm,
    ReachForm,
    reach_field_name,
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


def _project_or_404(membership: Membership, project_id: Any) -> Project:
    found = selectors.project_get(membership=membership, public_id=project_id)
    if found is None:
        raise Http404(_("No such project."))
    return found


def _detail_url(membership: Membership, project: Project) -> str:
    return reverse(
        "projects:detail",
        kwargs={"mission_slug": membership.mission.slug, "project_id": project.public_id},
    )


@mission_view(Perm.PARTNER_VIEW)
def project_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = membership_of(request)
    form = ProjectFilterForm(request.GET or None)
    found = selectors.project_list(membership=membership, filters=form.filters())
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = selectors.project_totals(found)
    sectors = dict(Sector.choices)
    statuses = dict(ProjectStatus.choices)
    sexes = dict(CountSex.choices)
    return render(
        request,
        "engagement/projects/list.html",
        {
            "mission": membership.mission,
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "totals": totals,
            "by_sector": [(sectors.get(k, k), n) for k, n in totals.by_sector],
            "by_status": [(statuses.get(k, k), n) for k, n in totals.by_status],
            "reached_by_sex": [
                (sexes.get(k, k), totals.targeted_by_sex.get(k, 0), n)
                for k, n in totals.reached_by_sex.items()
            ],
            "by_place": selectors.project_places_summary(found),
            "can_manage": role_has(membership.role, Perm.PARTNER_MANAGE),
        },
    )


def _project_form_page(request: HttpRequest, project: Project | None) -> HttpResponse:
    membership = membership_of(request)
    initial: dict[str, Any] = {}
    if project is not None:
        initial = {name: getattr(project, name) for name in services.PROJECT_FIELDS}
        initial["partner"] = project.partner.public_id if project.partner else None
        initial["funder"] = project.funder.public_id if project.funder else None
        initial["agreement"] = project.agreement.public_id if project.agreement else None
        initial["admin_unit"] = project.admin_unit.pcode
        initial["other_places"] = " ".join(
            u.pcode for u in selectors.project_places(project=project)[1:]
        )
    form = ProjectForm(request.POST or None, initial=initial, membership=membership)
    if request.method == "POST" and form.is_valid():
        fields = form.fields_for_service()
        places = form.cleaned_data["other_places"]
        try:
            if project is None:
                project = services.project_create(
                    actor=request.user, mission=membership.mission, places=places, **fields
                )
                messages.success(request, _("Project recorded."))
            else:
                project = services.project_update(
                    actor=request.user, project=project, data=fields, places=places
                )
                messages.success(request, _("Project saved."))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect(_detail_url(membership, project))
    return render(
        request,
        "engagement/projects/form.html",
        {
            "mission": membership.mission,
            "project": project,
            "form": form,
            "currencies": COMMON_CURRENCIES,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@mission_view(Perm.PARTNER_MANAGE)
def project_create(request: HttpRequest, mission_slug: str) -> HttpResponse:
    return _project_form_page(request, None)


@mission_view(Perm.PARTNER_MANAGE)
def project_edit(request: HttpRequest, mission_slug: str, project_id: Any) -> HttpResponse:
    return _project_form_page(request, _project_or_404(membership_of(request), project_id))


def _render_detail(
    request: HttpRequest,
    project: Project,
    *,
    reach_form: ReachForm | None = None,
    deliverable_form: DeliverableForm | None = None,
    status: int = 200,
) -> HttpResponse:
    membership = membership_of(request)
    table = selectors.project_reach_table(project=project)
    can_manage = role_has(membership.role, Perm.PARTNER_MANAGE)
    if reach_form is None and can_manage:
        reach_form = ReachForm(table=table)
    grid: list[tuple[Any, list[tuple[Any, Any, Any]]]] = []
    if reach_form is not None:
        for row in table.rows:
            grid.append(
                (
                    row.label,
                    [
                        (
                            cell,
                            reach_form[reach_field_name("targeted", cell.sex, row.age_group)],
                            reach_form[reach_field_name("reached", cell.sex, row.age_group)],
                        )
                        for cell in row.cells
                    ],
                )
            )
    return render(
        request,
        "engagement/projects/detail.html",
        {
            "mission": membership.mission,
            "project": project,
            "partner": selectors.partner_shown(membership=membership, partner=project.partner),
            "funder": selectors.partner_shown(membership=membership, partner=project.funder),
            "places": selectors.project_places(project=project),
            "reach": table,
            "reach_form": reach_form,
            "grid": grid,
            "deliverables": selectors.project_deliverables(project=project),
            "deliverable_form": deliverable_form or DeliverableForm(),
            "deliver_form": DeliverForm(),
            "pending": DeliverableStatus.PENDING,
            "documents": project.documents.all(),
            "can_manage": can_manage,
            "show_documents": role_has(membership.role, Perm.ACTIVITY_VIEW),
        },
        status=status,
    )


@mission_view(Perm.PARTNER_VIEW)
def project_detail(request: HttpRequest, mission_slug: str, project_id: Any) -> HttpResponse:
    return _render_detail(request, _project_or_404(membership_of(request), project_id))


@require_POST
@mission_view(Perm.PARTNER_MANAGE)
def project_reach(request: HttpRequest, mission_slug: str, project_id: Any) -> HttpResponse:
    membership = membership_of(request)
    project = _project_or_404(membership, project_id)
    form = ReachForm(request.POST)
    if form.is_valid():
        try:
            over = services.project_reach_set(
                actor=request.user, project=project, cells=form.cells()
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Beneficiaries saved."))
            if over:
                messages.warning(
                    request, _("More people were reached than targeted in some cells.")
                )
            return redirect(_detail_url(membership, project) + "#reach")
    return _render_detail(request, project, reach_form=form, status=400)


@require_POST
@mission_view(Perm.PARTNER_MANAGE)
def deliverable_add(request: HttpRequest, mission_slug: str, project_id: Any) -> HttpResponse:
    membership = membership_of(request)
    project = _project_or_404(membership, project_id)
    form = DeliverableForm(request.POST)
    if form.is_valid():
        try:
            services.deliverable_add(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Deliverable added."))
            return redirect(_detail_url(membership, project) + "#deliverables")
    return _render_detail(request, project, deliverable_form=form, status=400)


def _deliverable_or_404(
    membership: Membership, project_id: Any, deliverable_id: Any
) -> tuple[Project, Deliverable]:
    project = _project_or_404(membership, project_id)
    found = selectors.deliverable_get(
        membership=membership, project=project, public_id=deliverable_id
    )
    if found is None:
        raise Http404(_("No such deliverable."))
    return project, found


@require_POST
@mission_view(Perm.PARTNER_MANAGE)
def deliverable_deliver(
    request: HttpRequest, mission_slug: str, project_id: Any, deliverable_id: Any
) -> HttpResponse:
    membership = membership_of(request)
    project, deliverable = _deliverable_or_404(membership, project_id, deliverable_id)
    form = DeliverForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid delivery date."))
    else:
        try:
            services.deliverable_deliver(
                actor=request.user,
                deliverable=deliverable,
                delivered_on=form.cleaned_data.get("delivered_on"),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Deliverable marked as delivered."))
    return redirect(_detail_url(membership, project) + "#deliverables")


@require_POST
@mission_view(Perm.PARTNER_MANAGE)
def deliverable_cancel(
    request: HttpRequest, mission_slug: str, project_id: Any, deliverable_id: Any
) -> HttpResponse:
    membership = membership_of(request)
    project, deliverable = _deliverable_or_404(membership, project_id, deliverable_id)
    try:
        services.deliverable_cancel(actor=request.user, deliverable=deliverable)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Deliverable cancelled."))
    return redirect(_detail_url(membership, project) + "#deliverables")


@require_POST
@mission_view(Perm.PARTNER_MANAGE)
def document_add_view(request: HttpRequest, mission_slug: str, project_id: Any) -> HttpResponse:
    membership = membership_of(request)
    project = _project_or_404(membership, project_id)
    form = DocumentUploadForm(request.POST, request.FILES)
    if attach_document(request, membership, form, project=project):
        messages.success(request, _("Document attached."))
    else:
        flash_form_errors(request, form)
    return redirect(_detail_url(membership, project) + "#documents")
