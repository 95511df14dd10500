"""JSON API: partners, agreements and projects (3W) with beneficiaries and deliverables.

The project operations live in ``api_projects`` and are mounted on this router.

Reads need ``Perm.PARTNER_VIEW``, writes ``Perm.PARTNER_MANAGE``. Records are found only
through the partner and project selectors (mission, geographic scope, clearance): one the caller
may not see answers 404 like one that does not exist. Writes go through the services (audited).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.core.api_base import LazyList, Pagination, error_responses, permission, require
from palava.core.api_base import invalid_by_field as invalid
from palava.engagement import partner_selectors, partner_services
from palava.engagement.api_projects import router as projects_router
from palava.engagement.partner_api_support import (
    agreement_or_404,
    agreement_out,
    partner_detail_out,
    partner_or_404,
    partner_out,
)
from palava.engagement.schemas_partners import (
    AgreementIn,
    AgreementOut,
    AgreementPatch,
    PartnerDetailOut,
    PartnerFilterQuery,
    PartnerIn,
    PartnerOut,
    PartnerPatch,
)
from palava.missions.permissions import Perm

router = Router(tags=["partners"])
router.add_router("", projects_router)

_ERRORS = error_responses(401, 403, 404, 422)


# --- Partners --------------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/partners",
    response={200: list[PartnerOut], **_ERRORS},
    operation_id="partners_list",
    summary="Partners of the mission",
    description="Partner organisations the caller may see; filters: type, active, q (name).",
    openapi_extra=permission(Perm.PARTNER_VIEW),
)
@paginate(Pagination)
def partners_list(
    request: HttpRequest, slug: str, filters: Query[PartnerFilterQuery]
) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.PARTNER_VIEW)
    found = partner_selectors.partner_list(
        membership=membership,
        filters=partner_selectors.PartnerFilters(
            partner_type=str(filters.partner_type or ""),
            active=filters.active,
            query=filters.q or "",
        ),
    )
    return LazyList(found, partner_out)  # type: ignore[return-value]


@router.get(
    "/missions/{slug}/partners/{partner_id}",
    response={200: PartnerDetailOut, **_ERRORS},
    operation_id="partners_get",
    summary="One partner with its agreements",
    openapi_extra=permission(Perm.PARTNER_VIEW),
)
def partners_get(request: HttpRequest, slug: str, partner_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.PARTNER_VIEW)
    return partner_detail_out(partner_or_404(membership, partner_id), membership)


@router.post(
    "/missions/{slug}/partners",
    response={201: PartnerDetailOut, **_ERRORS},
    operation_id="partners_create",
    summary="Make an organisation a partner",
    description="The organisation is an organisation actor of the mission you can see.",
    openapi_extra=permission(Perm.PARTNER_MANAGE),
)
def partners_create(request: HttpRequest, slug: str, payload: PartnerIn) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.PARTNER_MANAGE)
    organisation = partner_selectors.organisation_available_get(
        membership=membership, public_id=payload.organisation
    )
    if organisation is None:
        raise HttpError(422, _("Unknown organisation, or already a partner."))
    try:
        partner = partner_services.partner_create(
            actor=membership.user,
            mission=membership.mission,
            actor_record=organisation,
            partner_type=payload.partner_type,
            acronym=payload.acronym,
            notes=payload.notes,
        )
    except ValidationError as exc:
        raise invalid(exc) from exc
    return Status(
        201, partner_detail_out(partner_or_404(membership, partner.public_id), membership)
    )


@router.patch(
    "/missions/{slug}/partners/{partner_id}",
    response={200: PartnerDetailOut, **_ERRORS},
    operation_id="partners_update",
    summary="Change a partner",
    description="Only the fields sent are changed; is_active=false deactivates the partner.",
    openapi_extra=permission(Perm.PARTNER_MANAGE),
)
def partners_update(
    request: HttpRequest, slug: str, partner_id: str, payload: PartnerPatch
) -> dict[str, Any]:
    membership = require(request, slug, Perm.PARTNER_MANAGE)
    partner = partner_or_404(membership, partner_id)
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    try:
        partner_services.partner_update(actor=membership.user, partner=partner, data=data)
    except ValidationError as exc:
        raise invalid(exc) from exc
    return partner_detail_out(partner_or_404(membership, partner_id), membership)


@router.post(
    "/missions/{slug}/partners/{partner_id}/agreements",
    response={201: AgreementOut, **_ERRORS},
    operation_id="partners_agreements_create",
    summary="Record an agreement with a partner",
    openapi_extra=permission(Perm.PARTNER_MANAGE),
)
def partners_agreements_create(
    request: HttpRequest, slug: str, partner_id: str, payload: AgreementIn
) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.PARTNER_MANAGE)
    partner = partner_or_404(membership, partner_id)
    try:
        agreement = partner_services.agreement_create(
            actor=membership.user, partner=partner, **payload.model_dump()
        )
    except ValidationError as exc:
        raise invalid(exc) from exc
    return Status(201, agreement_out(agreement))


@router.get(
    "/missions/{slug}/agreements/{agreement_id}",
    response={200: AgreementOut, **_ERRORS},
    operation_id="partners_agreements_get",
    summary="One agreement",
    openapi_extra=permission(Perm.PARTNER_VIEW),
)
def partners_agreements_get(request: HttpRequest, slug: str, agreement_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.PARTNER_VIEW)
    return agreement_out(agreement_or_404(membership, agreement_id))


@router.patch(
    "/missions/{slug}/agreements/{agreement_id}",
    response={200: AgreementOut, **_ERRORS},
    operation_id="partners_agreements_update",
    summary="Change an agreement",
    description="Only the fields sent are changed; ends_on and signed_on may be set to null.",
    openapi_extra=permission(Perm.PARTNER_MANAGE),
)
def partners_agreements_update(
    request: HttpRequest, slug: str, agreement_id: str, payload: AgreementPatch
) -> dict[str, Any]:
    membership = require(request, slug, Perm.PARTNER_MANAGE)
    agreement = agreement_or_404(membership, agreement_id)
    data = payload.model_dump(exclude_unset=True)
    for name, value in data.items():
        if value is None and name not in ("ends_on", "signed_on"):
            raise HttpError(422, _("This field cannot be empty."))
    try:
        agreement = partner_services.agreement_update(
            actor=membership.user, agreement=agreement, data=data
        )
    except ValidationError as exc:
        raise invalid(exc) from exc
    return agreement_out(agreement)
