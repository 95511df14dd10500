"""JSON API: activities, their named participants, attendance counts and issues raised.

Every route checks its permission first (``require``) and finds activities only through
``activity_selectors`` (mission and geographic scope): an activity the caller may not see answers
404 like one that does not exist. Places must lie in the caller's area; participants are only
actors the caller may see; minutes are sent only to callers with confidential clearance.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.core.api_base import Pagination, error_responses, permission, require
from palava.engagement import activity_selectors as sel
from palava.engagement import activity_services as services
from palava.engagement.activity_api_support import (
    ActivityList,
    activity_detail_out,
    activity_fields,
    activity_or_404,
    attendance_out,
    invalid,
    issue_out,
    participant_out,
)
from palava.engagement.schemas_activities import (
    ActivityDetailOut,
    ActivityFilterQuery,
    ActivityIn,
    ActivityOut,
    ActivityPatch,
    AttendanceIn,
    AttendanceOut,
    IssueIn,
    IssueOut,
    ParticipantIn,
    ParticipantOut,
)
from palava.feedback.models import Category
from palava.missions.permissions import Perm, role_has

router = Router(tags=["activities"])

# --- Activities ------------------------------------------------------------------------------


@router.get(
    "/missions/{slug}/activities",
    response={200: list[ActivityOut], **error_responses(401, 403, 404, 422)},
    operation_id="activities_list",
    summary="Activities of the mission",
    description=(
        "Activities in the caller's area, newest first. Filters: activity_type, status, place "
        "(P-code, includes the units below it), since/until (days), q (title, venue, place)."
    ),
    openapi_extra=permission(Perm.ACTIVITY_VIEW),
)
@paginate(Pagination)
def activities_list(
    request: HttpRequest, slug: str, filters: Query[ActivityFilterQuery]
) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.ACTIVITY_VIEW)
    found = sel.activity_list(
        membership=membership,
        filters=sel.ActivityFilters(
            activity_type=filters.activity_type or "",
            status=filters.status or "",
            place=filters.place or "",
            since=filters.since,
            until=filters.until,
            query=filters.q or "",
        ),
    )
    return ActivityList(found)  # type: ignore[return-value]


@router.get(
    "/missions/{slug}/activities/{activity_id}",
    response={200: ActivityDetailOut, **error_responses(401, 403, 404)},
    operation_id="activities_get",
    summary="One activity",
    description=(
        "With named participants the caller may see (others only counted), attendance, issues. "
        "minutes is null below confidential clearance."
    ),
    openapi_extra=permission(Perm.ACTIVITY_VIEW),
)
def activities_get(request: HttpRequest, slug: str, activity_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.ACTIVITY_VIEW)
    return activity_detail_out(activity_or_404(membership, activity_id), membership)


@router.post(
    "/missions/{slug}/activities",
    response={201: ActivityDetailOut, **error_responses(401, 403, 404, 422)},
    operation_id="activities_create",
    summary="Record an activity",
    description="The main place and other places are P-codes inside the caller's area.",
    openapi_extra=permission(Perm.ACTIVITY_MANAGE),
)
def activities_create(
    request: HttpRequest, slug: str, payload: ActivityIn
) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.ACTIVITY_MANAGE)
    data = activity_fields(membership, payload.model_dump())
    try:
        with transaction.atomic():
            obj = services.activity_create(
                actor=membership.user, mission=membership.mission, **data
            )
    except ValidationError as exc:
        raise invalid(exc) from exc
    found = sel.activity_get(membership=membership, public_id=obj.public_id)
    assert found is not None
    return Status(201, activity_detail_out(found, membership))


@router.patch(
    "/missions/{slug}/activities/{activity_id}",
    response={200: ActivityDetailOut, **error_responses(401, 403, 404, 422)},
    operation_id="activities_update",
    summary="Change an activity",
    description="Only the fields sent are changed.",
    openapi_extra=permission(Perm.ACTIVITY_MANAGE),
)
def activities_update(
    request: HttpRequest, slug: str, activity_id: str, payload: ActivityPatch
) -> dict[str, Any]:
    membership = require(request, slug, Perm.ACTIVITY_MANAGE)
    obj = activity_or_404(membership, activity_id)
    data = activity_fields(membership, payload.model_dump(exclude_unset=True))
    try:
        services.activity_update(actor=membership.user, activity=obj, **data)
    except ValidationError as exc:
        raise invalid(exc) from exc
    return activity_detail_out(activity_or_404(membership, activity_id), membership)


@router.put(
    "/missions/{slug}/activities/{activity_id}/attendance",
    response={200: AttendanceOut, **error_responses(401, 403, 404, 422)},
    operation_id="activities_attendance_set",
    summary="Set the attendance counts",
    description=(
        "Replaces every cell (sex x age band x group); counts 0..100000, zero cells dropped."
    ),
    openapi_extra=permission(Perm.ACTIVITY_MANAGE),
)
def activities_attendance_set(
    request: HttpRequest, slug: str, activity_id: str, payload: AttendanceIn
) -> dict[str, Any]:
    membership = require(request, slug, Perm.ACTIVITY_MANAGE)
    obj = activity_or_404(membership, activity_id)
    counts: dict[tuple[str, str, str], int] = {}
    for cell in payload.cells:
        key = (str(cell.sex), str(cell.age_band), str(cell.group))
        if key in counts:
            raise HttpError(422, _("A cell is given twice."))
        counts[key] = cell.count
    try:
        services.attendance_set(actor=membership.user, activity=obj, counts=counts)
    except ValidationError as exc:
        raise invalid(exc) from exc
    return attendance_out(sel.attendance_of(obj))


@router.post(
    "/missions/{slug}/activities/{activity_id}/participants",
    response={201: ParticipantOut, **error_responses(401, 403, 404, 422)},
    operation_id="activities_participant_add",
    summary="Add a named participant",
    description="The actor must be one the caller may see; each actor once per activity.",
    openapi_extra=permission(Perm.ACTIVITY_MANAGE),
)
def activities_participant_add(
    request: HttpRequest, slug: str, activity_id: str, payload: ParticipantIn
) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.ACTIVITY_MANAGE)
    obj = activity_or_404(membership, activity_id)
    actor = sel.actor_visible_get(membership=membership, public_id=payload.actor)
    if actor is None:
        raise HttpError(422, _("Unknown actor, or one you may not see."))
    try:
        participant = services.participant_add(
            actor=membership.user,
            activity=obj,
            actor_record=actor,
            role=payload.role,
            note=payload.note,
        )
    except ValidationError as exc:
        raise invalid(exc) from exc
    return Status(201, participant_out(participant))


@router.post(
    "/missions/{slug}/activities/{activity_id}/issues",
    response={201: IssueOut, **error_responses(401, 403, 404, 422)},
    operation_id="activities_issue_add",
    summary="Record an issue raised",
    description=(
        "category is a feedback category code of the mission; messages are public ids of "
        "messages the caller may see (needs message.view)."
    ),
    openapi_extra=permission(Perm.ACTIVITY_MANAGE),
)
def activities_issue_add(
    request: HttpRequest, slug: str, activity_id: str, payload: IssueIn
) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.ACTIVITY_MANAGE)
    obj = activity_or_404(membership, activity_id)
    category = None
    if payload.category:
        category = Category.objects.filter(
            mission_id=membership.mission_id, code=payload.category, is_active=True
        ).first()
        if category is None or (
            category.is_restricted and not role_has(membership.role, Perm.MESSAGE_RESTRICTED_VIEW)
        ):
            raise HttpError(422, _("Unknown category."))
    linked: list[Any] = []
    if payload.messages:
        found = (
            sel.messages_by_ids(
                membership=membership, public_ids=[str(m) for m in payload.messages]
            )
            if role_has(membership.role, Perm.MESSAGE_VIEW)
            else None
        )
        if found is None:
            raise HttpError(422, _("A message id is unknown or not visible to you."))
        linked = found
    try:
        issue = services.issue_add(
            actor=membership.user,
            activity=obj,
            summary=payload.summary,
            category=category,
            messages=linked,
        )
    except ValidationError as exc:
        raise invalid(exc) from exc
    issue.visible_messages = linked  # type: ignore[attr-defined]
    return Status(201, issue_out(issue))
