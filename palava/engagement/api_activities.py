"""JSON API: activities, their named participants, attendance counts and issues raised.

Every route checks its permission first (``require``) and finds activities only through
``activity_selectors`` (mission and geographic scope): an activity the caller may not see answers
404 like one that does not exist. Places must lie in the caller's area; participants are only
actors the caller may see; minutes are sent only to callers with confidential clearance.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.actors.selectors import admin_unit_visible, site_visible
from palava.core.api_base import Pagination, error_responses, permission, require
from palava.core.sensitivity import Sensitivity
from palava.engagement import activity_selectors as sel
from palava.engagement import activity_services as services
from palava.engagement.models import Activity, ActivityIssue, Participant
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
from palava.missions.models import Membership
from palava.missions.permissions import Perm, clearance_for, role_has

router = Router(tags=["activities"])

# --- Shaping output --------------------------------------------------------------------------


def _activity_out(obj: Activity) -> dict[str, Any]:
    return {
        "id": obj.public_id,
        "activity_type": obj.activity_type,
        "title": obj.title,
        "status": obj.status,
        "admin_unit": obj.admin_unit.pcode,
        "site": obj.site.code if obj.site else None,
        "venue": obj.venue,
        "starts_at": obj.starts_at,
        "ends_at": obj.ends_at,
        "updated_at": obj.updated_at,
    }


def _participant_out(p: Participant) -> dict[str, Any]:
    return {"id": p.public_id, "actor": p.actor.public_id, "name": p.actor.name, "role": p.role}


def _attendance_out(attendance: sel.Attendance) -> dict[str, Any]:
    return {
        "cells": [
            {"sex": s, "age_band": b, "group": g, "count": n}
            for (s, b, g), n in sorted(attendance.cells.items())
        ],
        "total": attendance.total,
        "women_pct": attendance.women_pct,
        "youth_pct": attendance.youth_pct,
        "minority_pct": attendance.minority_pct,
    }


def _issue_out(issue: ActivityIssue) -> dict[str, Any]:
    return {
        "id": issue.public_id,
        "summary": issue.summary,
        "category": issue.category.code if issue.category else None,
        "messages": [m.public_id for m in getattr(issue, "visible_messages", [])],
    }


def _detail_out(obj: Activity, membership: Membership) -> dict[str, Any]:
    detail = sel.activity_detail(membership=membership, activity=obj)
    cleared = clearance_for(membership.role) >= Sensitivity.CONFIDENTIAL
    return {
        **_activity_out(obj),
        "places": sorted(u.pcode for u in obj.places.all()),
        "facilitators": sorted(u.get_username() for u in obj.facilitators.all()),
        "other_facilitators": obj.other_facilitators,
        "languages": list(obj.languages or []),
        "interpretation": obj.interpretation,
        "agenda": obj.agenda,
        "minutes": obj.minutes if cleared else None,
        "follow_up_of": obj.follow_up_of.public_id if obj.follow_up_of else None,
        "follow_up_notes": obj.follow_up_notes,
        "cancel_reason": obj.cancel_reason,
        "participants": [_participant_out(p) for p in detail.participants],
        "hidden_participants": detail.hidden_participants,
        "attendance": _attendance_out(detail.attendance),
        "issues": [_issue_out(i) for i in detail.issues],
        "created_at": obj.created_at,
    }


class _LazyList:
    """A sliceable view of a queryset that shapes only the page that is sent."""

    def __init__(self, queryset: Any) -> None:
        self.queryset = queryset

    def __len__(self) -> int:
        return int(self.queryset.count())

    def count(self) -> int:
        return len(self)

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        return [_activity_out(obj) for obj in self.queryset[key]]


# --- Resolving input -------------------------------------------------------------------------


def _invalid(exc: ValidationError) -> HttpError:
    if hasattr(exc, "error_dict"):
        parts = [
            f"{name}: {' '.join(str(m) for m in errors[0].messages)}"
            for name, errors in exc.error_dict.items()
        ]
        return HttpError(422, " ".join(parts))
    return HttpError(422, " ".join(str(m) for m in exc.messages))


def _get(membership: Membership, activity_id: str) -> Activity:
    found = sel.activity_get(membership=membership, public_id=activity_id)
    if found is None:
        raise Http404
    return found


def _place(membership: Membership, pcode: str) -> Any:
    unit = admin_unit_visible(membership=membership, pcode=pcode)
    if unit is None:
        raise HttpError(422, _("Unknown place, or a place outside your area."))
    return unit


def _site(membership: Membership, code: str | None) -> Any:
    if not code:
        return None
    site = site_visible(membership=membership, code=code)
    if site is None:
        raise HttpError(422, _("Unknown site, or a site outside your area."))
    return site


def _facilitators(membership: Membership, names: list[str]) -> list[Any]:
    wanted = set(names)
    found = [
        m.user
        for m in membership.mission.memberships.filter(
            is_active=True, user__username__in=wanted
        ).select_related("user")
    ]
    if len(found) != len(wanted):
        raise HttpError(422, _("Facilitators must be members of the mission."))
    return found


def _follow_up(membership: Membership, public_id: Any) -> Activity | None:
    if public_id is None:
        return None
    found = sel.activity_get(membership=membership, public_id=public_id)
    if found is None:
        raise HttpError(422, _("Unknown activity to follow up on."))
    return found


def _fields(membership: Membership, sent: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in sent.items():
        if name == "admin_unit":
            if value is None:
                raise HttpError(422, _("admin_unit cannot be empty."))
            data[name] = _place(membership, value)
        elif name == "places":
            data[name] = [_place(membership, code) for code in dict.fromkeys(value or [])]
        elif name == "site":
            data[name] = _site(membership, value)
        elif name == "facilitators":
            data[name] = _facilitators(membership, value or [])
        elif name == "follow_up_of":
            data[name] = _follow_up(membership, value)
        elif value is None and name not in ("ends_at",):
            raise HttpError(422, _("This field cannot be empty."))
        else:
            data[name] = value
    return data


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
    return _LazyList(found)  # type: ignore[return-value]


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
    return _detail_out(_get(membership, activity_id), membership)


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
    data = _fields(membership, payload.model_dump())
    try:
        with transaction.atomic():
            obj = services.activity_create(
                actor=membership.user, mission=membership.mission, **data
            )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    found = sel.activity_get(membership=membership, public_id=obj.public_id)
    assert found is not None
    return Status(201, _detail_out(found, membership))


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
    obj = _get(membership, activity_id)
    data = _fields(membership, payload.model_dump(exclude_unset=True))
    try:
        services.activity_update(actor=membership.user, activity=obj, **data)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return _detail_out(_get(membership, activity_id), membership)


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
    obj = _get(membership, activity_id)
    counts: dict[tuple[str, str, str], int] = {}
    for cell in payload.cells:
        key = (str(cell.sex), str(cell.age_band), str(cell.group))
        if key in counts:
            raise HttpError(422, _("A cell is given twice."))
        counts[key] = cell.count
    try:
        services.attendance_set(actor=membership.user, activity=obj, counts=counts)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return _attendance_out(sel.attendance_of(obj))


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
    obj = _get(membership, activity_id)
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
        raise _invalid(exc) from exc
    return Status(201, _participant_out(participant))


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
    obj = _get(membership, activity_id)
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
        raise _invalid(exc) from exc
    issue.visible_messages = linked  # type: ignore[attr-defined]
    return Status(201, _issue_out(issue))
