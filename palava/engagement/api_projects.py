"""JSON API: projects (3W) with their beneficiaries and deliverables.

Mounted through ``api_partners.router`` (same tag, paths and operation ids). Reads need
``Perm.PARTNER_VIEW``, writes ``Perm.PARTNER_MANAGE``. Projects are found only through the
project selectors (mission, geographic scope, clearance): one the caller may not see answers 404
like one that does not exist. Writes go through the services (audited).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.core.api_base import LazyList, Pagination, error_responses, permission, require
from palava.core.api_base import invalid_by_field as invalid
from palava.engagement import project_selectors
from palava.engagement import project_services as services
from palava.engagement.partner_api_support import (
    deliverable_out,
    project_detail_out,
    project_or_404,
    project_out,
    reach_out,
    ref_agreement,
    ref_partner,
    unit,
    units,
)
from palava.engagement.schemas_partners import (
    DeliverableIn,
    DeliverableOut,
    DeliverableStatusIn,
    ProjectDetailOut,
    ProjectFilterQuery,
    ProjectIn,
    ProjectOut,
    ProjectPatch,
    ReachIn,
    ReachOut,
)
from palava.missions.models import Membership
from palava.missions.permissions import Perm

router = Router()

_ERRORS = error_responses(401, 403, 404, 422)


# --- Projects --------------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/projects",
    response={200: list[ProjectOut], **_ERRORS},
    operation_id="projects_list",
    summary="Projects (3W) of the mission",
    description=(
        "Projects whose main place is in the caller's area. Filters: sector, project_type, "
        "status, partner (implementing or funding), place (P-code, includes the units below "
        "it, main or other places), q (code or title)."
    ),
    openapi_extra=permission(Perm.PARTNER_VIEW),
)
@paginate(Pagination)
def projects_list(
    request: HttpRequest, slug: str, filters: Query[ProjectFilterQuery]
) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.PARTNER_VIEW)
    found = project_selectors.project_list(
        membership=membership,
        filters=project_selectors.ProjectFilters(
            sector=str(filters.sector or ""),
            project_type=str(filters.project_type or ""),
            status=str(filters.status or ""),
            partner=str(filters.partner or ""),
            place=filters.place or "",
            query=filters.q or "",
        ),
    ).prefetch_related("places", "funder__actor")
    return LazyList(  # type: ignore[return-value]
        found, lambda p: project_out(p, membership)
    )


@router.get(
    "/missions/{slug}/projects/{project_id}",
    response={200: ProjectDetailOut, **_ERRORS},
    operation_id="projects_get",
    summary="One project with its beneficiaries and deliverables",
    openapi_extra=permission(Perm.PARTNER_VIEW),
)
def projects_get(request: HttpRequest, slug: str, project_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.PARTNER_VIEW)
    return project_detail_out(project_or_404(membership, project_id), membership)


def _project_fields(membership: Membership, sent: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in sent.items():
        if name in ("partner", "funder"):
            data[name] = ref_partner(membership, value)
        elif name == "agreement":
            data[name] = ref_agreement(membership, value)
        elif name == "admin_unit":
            data[name] = unit(membership, str(value or ""))
        elif name == "places":
            continue
        elif name == "currency":
            data[name] = str(value or "").strip().upper()
        else:
            data[name] = value
    return data


@router.post(
    "/missions/{slug}/projects",
    response={201: ProjectDetailOut, **_ERRORS},
    operation_id="projects_create",
    summary="Record a project",
    description=(
        "admin_unit (P-code, inside your area) is the main place; places are the other places. "
        "A budget (>= 0) needs an ISO 4217 currency code."
    ),
    openapi_extra=permission(Perm.PARTNER_MANAGE),
)
def projects_create(request: HttpRequest, slug: str, payload: ProjectIn) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.PARTNER_MANAGE)
    sent = payload.model_dump()
    fields = _project_fields(membership, sent)
    places = units(membership, payload.places)
    try:
        project = services.project_create(
            actor=membership.user, mission=membership.mission, places=places, **fields
        )
    except ValidationError as exc:
        raise invalid(exc) from exc
    return Status(
        201, project_detail_out(project_or_404(membership, project.public_id), membership)
    )


@router.patch(
    "/missions/{slug}/projects/{project_id}",
    response={200: ProjectDetailOut, **_ERRORS},
    operation_id="projects_update",
    summary="Change a project",
    description="Only the fields sent are changed; a status change is dated today.",
    openapi_extra=permission(Perm.PARTNER_MANAGE),
)
def projects_update(
    request: HttpRequest, slug: str, project_id: str, payload: ProjectPatch
) -> dict[str, Any]:
    membership = require(request, slug, Perm.PARTNER_MANAGE)
    project = project_or_404(membership, project_id)
    sent = payload.model_dump(exclude_unset=True)
    nullable = ("partner", "funder", "agreement", "budget", "ends_on", "places", "currency")
    for name, value in sent.items():
        if value is None and name not in nullable:
            raise HttpError(422, _("This field cannot be empty."))
    data = _project_fields(membership, sent)
    places = units(membership, sent["places"] or []) if "places" in sent else None
    try:
        services.project_update(actor=membership.user, project=project, data=data, places=places)
    except ValidationError as exc:
        raise invalid(exc) from exc
    return project_detail_out(project_or_404(membership, project_id), membership)


@router.put(
    "/missions/{slug}/projects/{project_id}/reach",
    response={200: ReachOut, **_ERRORS},
    operation_id="projects_reach_set",
    summary="Replace a project's beneficiaries",
    description=(
        "Cells by sex and age group with targeted and reached counts; cells not sent are "
        "zero. Reached may exceed targeted: such cells are listed in over_target."
    ),
    openapi_extra=permission(Perm.PARTNER_MANAGE),
)
def projects_reach_set(
    request: HttpRequest, slug: str, project_id: str, payload: ReachIn
) -> dict[str, Any]:
    membership = require(request, slug, Perm.PARTNER_MANAGE)
    project = project_or_404(membership, project_id)
    cells: dict[tuple[str, str], tuple[int, int]] = {}
    for cell in payload.cells:
        key = (str(cell.sex), str(cell.age_group))
        if key in cells:
            raise HttpError(422, _("A beneficiary cell is given twice."))
        cells[key] = (cell.targeted, cell.reached)
    try:
        services.project_reach_set(actor=membership.user, project=project, cells=cells)
    except ValidationError as exc:
        raise invalid(exc) from exc
    return reach_out(project_or_404(membership, project_id))


@router.post(
    "/missions/{slug}/projects/{project_id}/deliverables",
    response={201: DeliverableOut, **_ERRORS},
    operation_id="projects_deliverables_create",
    summary="Add a deliverable to a project",
    openapi_extra=permission(Perm.PARTNER_MANAGE),
)
def projects_deliverables_create(
    request: HttpRequest, slug: str, project_id: str, payload: DeliverableIn
) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.PARTNER_MANAGE)
    project = project_or_404(membership, project_id)
    try:
        item = services.deliverable_add(
            actor=membership.user,
            project=project,
            description=payload.description,
            due_on=payload.due_on,
        )
    except ValidationError as exc:
        raise invalid(exc) from exc
    return Status(201, deliverable_out(item))


@router.post(
    "/missions/{slug}/projects/{project_id}/deliverables/{deliverable_id}/status",
    response={200: DeliverableOut, **_ERRORS},
    operation_id="projects_deliverables_set_status",
    summary="Mark a deliverable delivered or cancelled",
    description="Only a pending deliverable can change; a delivery date cannot be in the future.",
    openapi_extra=permission(Perm.PARTNER_MANAGE),
)
def projects_deliverables_set_status(
    request: HttpRequest,
    slug: str,
    project_id: str,
    deliverable_id: str,
    payload: DeliverableStatusIn,
) -> dict[str, Any]:
    membership = require(request, slug, Perm.PARTNER_MANAGE)
    project = project_or_404(membership, project_id)
    item = project_selectors.deliverable_get(
        membership=membership, project=project, public_id=deliverable_id
    )
    if item is None:
        raise Http404
    try:
        if payload.status == "delivered":
            item = services.deliverable_deliver(
                actor=membership.user, deliverable=item, delivered_on=payload.delivered_on
            )
        else:
            item = services.deliverable_cancel(actor=membership.user, deliverable=item)
    except ValidationError as exc:
        raise invalid(exc) from exc
    return deliverable_out(item)
