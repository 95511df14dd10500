"""JSON API: the commitments ledger (mounted under /api/v1/ by palava.api).

Every route checks its permission first (``require``), then finds commitments only through
``commitment_selectors`` (mission, scope, clearance): a commitment the caller may not see
answers 404 like one that does not exist. Files are added as evidence on the page (multipart);
the API takes notes and later activities.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.actors.schemas import sensitivity_value
from palava.actors.selectors import actors_visible
from palava.core.api_base import Pagination, error_responses, invalid_input, permission, require
from palava.engagement import commitment_selectors as selectors
from palava.engagement import commitment_services as services
from palava.engagement.commitment_api_shapes import (
    LazyList,
    commitment_detail_out,
    evidence_out,
)
from palava.engagement.models import Activity, Commitment
from palava.engagement.schemas_commitments import (
    CommitmentDetailOut,
    CommitmentFilterQuery,
    CommitmentIn,
    CommitmentOut,
    CommitmentPatch,
    CountsOut,
    EvidenceIn,
    EvidenceOut,
    StatusIn,
    VerifyIn,
)
from palava.engagement.selectors import activities_visible
from palava.missions.models import Membership
from palava.missions.permissions import Perm

router = Router(tags=["commitments"])

BASE = "/missions/{slug}/commitments"


# --- Resolving input -------------------------------------------------------------------------


def _get(membership: Membership, commitment_id: str) -> Commitment:
    found = selectors.commitment_get(membership=membership, public_id=commitment_id)
    if found is None:
        raise Http404
    return found


def _place(membership: Membership, pcode: str) -> Any:
    unit = selectors.visible_place(membership, pcode)
    if unit is None:
        raise HttpError(422, _("Unknown place, or a place outside your area."))
    return unit


def _actor(membership: Membership, public_id: Any) -> Any:
    if public_id is None:
        return None
    found = actors_visible(membership=membership).filter(public_id=public_id).first()
    if found is None:
        raise HttpError(422, _("Unknown actor, or one you may not see."))
    return found


def _activity(membership: Membership, public_id: Any) -> Activity | None:
    if public_id is None:
        return None
    found = activities_visible(membership=membership).filter(public_id=public_id).first()
    if found is None:
        raise HttpError(422, _("Unknown activity, or one you may not see."))
    return found


def _owner(membership: Membership, username: str | None) -> Any:
    if not username:
        return None
    staff = {u.get_username(): u for u in selectors.owner_choices(membership=membership)}
    if username not in staff:
        raise HttpError(422, _("The follow-up must be by a staff member of the mission."))
    return staff[username]


# --- Routes ----------------------------------------------------------------------------------


@router.get(
    BASE,
    response={200: list[CommitmentOut], **error_responses(401, 403, 404, 422)},
    operation_id="commitments_list",
    summary="The commitments ledger",
    description=(
        "Commitments the caller may see (geographic scope and clearance), by due date. Filters: "
        "status, overdue, party kind (either side, or made by / made to), q (names), place "
        "(P-code and below), due range, verification, activity."
    ),
    openapi_extra=permission(Perm.COMMITMENT_VIEW),
)
@paginate(Pagination)
def commitments_list(
    request: HttpRequest, slug: str, filters: Query[CommitmentFilterQuery]
) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.COMMITMENT_VIEW)
    found = selectors.commitment_list(membership=membership, filters=_filters(filters))
    found = found.select_related("made_by_actor", "made_to_actor", "activity")
    return LazyList(found, membership)  # type: ignore[return-value]


def _filters(q: CommitmentFilterQuery) -> selectors.CommitmentFilters:
    return selectors.CommitmentFilters(
        status=q.status or "",
        overdue=q.overdue,
        party_kind=q.party_kind or "",
        made_by_kind=q.made_by_kind or "",
        made_to_kind=q.made_to_kind or "",
        query=q.q or "",
        place=q.place or "",
        due_from=q.due_from,
        due_to=q.due_to,
        verification=q.verification or "",
        activity=str(q.activity) if q.activity else "",
    )


@router.get(
    f"{BASE}/counts",
    response={200: CountsOut, **error_responses(401, 403, 404, 422)},
    operation_id="commitments_counts",
    summary="Commitments per status",
    description="Counts for the ledger's tabs, with the same filters as the list (but status).",
    openapi_extra=permission(Perm.COMMITMENT_VIEW),
)
def commitments_counts(
    request: HttpRequest, slug: str, filters: Query[CommitmentFilterQuery]
) -> dict[str, int]:
    membership = require(request, slug, Perm.COMMITMENT_VIEW)
    return selectors.commitment_status_counts(membership=membership, filters=_filters(filters))


@router.get(
    f"{BASE}/{{commitment_id}}",
    response={200: CommitmentDetailOut, **error_responses(401, 403, 404)},
    operation_id="commitments_get",
    summary="One commitment with its evidence and history",
    openapi_extra=permission(Perm.COMMITMENT_VIEW),
)
def commitments_get(request: HttpRequest, slug: str, commitment_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.COMMITMENT_VIEW)
    return commitment_detail_out(_get(membership, commitment_id), membership)


@router.post(
    BASE,
    response={201: CommitmentDetailOut, **error_responses(401, 403, 404, 422)},
    operation_id="commitments_create",
    summary="Record a commitment",
    description="Numbered C-0001, C-0002... per mission; the place must be in your area.",
    openapi_extra=permission(Perm.COMMITMENT_MANAGE),
)
def commitments_create(request: HttpRequest, slug: str, payload: CommitmentIn) -> Status[Any]:
    membership = require(request, slug, Perm.COMMITMENT_MANAGE)
    try:
        obj = services.commitment_create(
            actor=membership.user,
            mission=membership.mission,
            membership=membership,
            made_by_kind=payload.made_by_kind,
            made_by_name=payload.made_by_name,
            made_by_actor=_actor(membership, payload.made_by_actor),
            made_to_kind=payload.made_to_kind,
            made_to_name=payload.made_to_name,
            made_to_actor=_actor(membership, payload.made_to_actor),
            description=payload.description,
            admin_unit=_place(membership, payload.admin_unit),
            made_on=payload.made_on,
            due_date=payload.due_date,
            activity=_activity(membership, payload.activity),
            owner=_owner(membership, payload.owner),
            sensitivity=(sensitivity_value(payload.sensitivity) if payload.sensitivity else None),
        )
    except ValidationError as exc:
        raise invalid_input(exc) from exc
    return Status(201, commitment_detail_out(_get(membership, str(obj.public_id)), membership))


@router.patch(
    f"{BASE}/{{commitment_id}}",
    response={200: CommitmentDetailOut, **error_responses(401, 403, 404, 422)},
    operation_id="commitments_update",
    summary="Change a commitment",
    description="Only the fields sent change. A new due date re-arms the reminder and escalation.",
    openapi_extra=permission(Perm.COMMITMENT_MANAGE),
)
def commitments_update(
    request: HttpRequest, slug: str, commitment_id: str, payload: CommitmentPatch
) -> dict[str, Any]:
    membership = require(request, slug, Perm.COMMITMENT_MANAGE)
    obj = _get(membership, commitment_id)
    sent = payload.dict(exclude_unset=True)
    fields: dict[str, Any] = {}
    for name in ("made_by_kind", "made_by_name", "made_to_kind", "made_to_name", "description"):
        if sent.get(name) is not None:
            fields[name] = sent[name]
    for name in ("made_on", "due_date"):
        if sent.get(name) is not None:
            fields[name] = sent[name]
    if payload.clear_due_date:
        fields["due_date"] = None
    if payload.admin_unit:
        fields["admin_unit"] = _place(membership, payload.admin_unit)
    if payload.owner:
        fields["owner"] = _owner(membership, payload.owner)
    if payload.clear_owner:
        fields["owner"] = None
    if payload.sensitivity:
        fields["sensitivity"] = sensitivity_value(payload.sensitivity)
    try:
        obj = services.commitment_update(
            actor=membership.user,
            commitment=obj,
            membership=membership,
            **fields,
        )
    except ValidationError as exc:
        raise invalid_input(exc) from exc
    return commitment_detail_out(_get(membership, commitment_id), membership)


@router.post(
    f"{BASE}/{{commitment_id}}/status",
    response={200: CommitmentDetailOut, **error_responses(401, 403, 404, 422)},
    operation_id="commitments_status",
    summary="Change the status of a commitment",
    description=(
        "pending -> in_progress, done, broken, cancelled; in_progress -> done, broken, "
        "cancelled, pending; done, broken, cancelled -> in_progress (reopen). A note is needed "
        "for broken, cancelled and reopening."
    ),
    openapi_extra=permission(Perm.COMMITMENT_MANAGE),
)
def commitments_status(
    request: HttpRequest, slug: str, commitment_id: str, payload: StatusIn
) -> dict[str, Any]:
    membership = require(request, slug, Perm.COMMITMENT_MANAGE)
    obj = _get(membership, commitment_id)
    try:
        services.commitment_set_status(
            actor=membership.user,
            commitment=obj,
            status=payload.status,
            note=payload.note,
        )
    except ValidationError as exc:
        raise invalid_input(exc) from exc
    return commitment_detail_out(_get(membership, commitment_id), membership)


@router.post(
    f"{BASE}/{{commitment_id}}/verification",
    response={200: CommitmentDetailOut, **error_responses(401, 403, 404, 422)},
    operation_id="commitments_verify",
    summary="Record whether the community considers it kept",
    description="A note saying how and whom the community was asked is required (confidential).",
    openapi_extra=permission(Perm.COMMITMENT_MANAGE),
)
def commitments_verify(
    request: HttpRequest, slug: str, commitment_id: str, payload: VerifyIn
) -> dict[str, Any]:
    membership = require(request, slug, Perm.COMMITMENT_MANAGE)
    obj = _get(membership, commitment_id)
    try:
        services.commitment_verify(
            actor=membership.user,
            commitment=obj,
            verification=payload.verification,
            note=payload.note,
        )
    except ValidationError as exc:
        raise invalid_input(exc) from exc
    return commitment_detail_out(_get(membership, commitment_id), membership)


@router.post(
    f"{BASE}/{{commitment_id}}/evidence",
    response={201: EvidenceOut, **error_responses(401, 403, 404, 422)},
    operation_id="commitments_evidence_add",
    summary="Add evidence: an observation or a later activity",
    description="kind=note with a note, or kind=activity with an activity held since the promise.",
    openapi_extra=permission(Perm.COMMITMENT_MANAGE),
)
def commitments_evidence_add(
    request: HttpRequest, slug: str, commitment_id: str, payload: EvidenceIn
) -> Status[Any]:
    membership = require(request, slug, Perm.COMMITMENT_MANAGE)
    obj = _get(membership, commitment_id)
    if payload.kind == "file":
        raise HttpError(422, _("Add files on the commitment's page."))
    try:
        evidence = services.commitment_add_evidence(
            actor=membership.user,
            commitment=obj,
            kind=payload.kind,
            activity=_activity(membership, payload.activity),
            note=payload.note,
            membership=membership,
        )
    except ValidationError as exc:
        raise invalid_input(exc) from exc
    return Status(201, evidence_out(evidence, True))
