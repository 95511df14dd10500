"""JSON API (mounted under /api/v1/ by palava/api.py): broadcasts, their audience counts and
delivery statistics. Never a recipient's number, name or pseudonym."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.actors.models import Actor
from palava.core.api_base import Pagination, error_responses, invalid_input, permission, require
from palava.feedback.broadcasts import selectors, services
from palava.feedback.broadcasts.audience import audience_of, audience_preview
from palava.feedback.broadcasts.schemas import (
    AudienceOut,
    BroadcastIn,
    BroadcastOut,
    ScheduleIn,
)
from palava.feedback.models import Broadcast, BroadcastStatus, Channel
from palava.missions.models import Membership
from palava.missions.permissions import Perm
from palava.places.models import AdminUnit

router = Router(tags=["broadcasts"])


def _out(obj: Broadcast, stats: selectors.BroadcastStats | None = None) -> dict[str, Any]:
    stats = stats or selectors.broadcast_stats(obj)
    return {
        "id": obj.public_id,
        "title": obj.title,
        "status": obj.status,
        "texts": obj.texts,
        "default_language": obj.default_language,
        "channel": obj.channel.public_id,
        "to_reporters": obj.to_reporters,
        "to_actors": obj.to_actors,
        "areas": [u.pcode for u in obj.admin_units.all()],
        "groups": [g.public_id for g in obj.groups.all()],
        "actor_types": obj.actor_types,
        "languages": obj.languages,
        "scheduled_at": obj.scheduled_at,
        "started_at": obj.started_at,
        "finished_at": obj.finished_at,
        "created_at": obj.created_at,
        "stats": {
            "total": stats.total,
            "queued": stats.queued,
            "sent": stats.sent,
            "delivered": stats.delivered,
            "failed": stats.failed,
            "suppressed": stats.suppressed,
            "cancelled": stats.cancelled,
            "percent_done": stats.percent_done,
        },
    }


def _get(membership: Membership, broadcast_id: str) -> Broadcast:
    found = selectors.broadcast_get(membership=membership, public_id=broadcast_id)
    if found is None:
        raise Http404
    return found


def _resolve(membership: Membership, payload: BroadcastIn) -> dict[str, Any]:
    mission_id = membership.mission_id
    channel = Channel.objects.filter(mission_id=mission_id, public_id=payload.channel).first()
    if channel is None:
        raise HttpError(422, _("Unknown channel."))
    units = list(AdminUnit.objects.filter(mission_id=mission_id, pcode__in=payload.areas))
    if len(units) != len(set(payload.areas)):
        raise HttpError(422, _("Unknown place."))
    groups = list(Actor.objects.filter(mission_id=mission_id, public_id__in=payload.groups))
    if len(groups) != len(set(payload.groups)):
        raise HttpError(422, _("Unknown group."))
    return {
        "title": payload.title,
        "texts": payload.texts,
        "channel": channel,
        "default_language": payload.default_language or (membership.mission.languages or ["fr"])[0],
        "to_reporters": payload.to_reporters,
        "to_actors": payload.to_actors,
        "admin_units": units,
        "groups": groups,
        "actor_types": payload.actor_types,
        "languages": payload.languages,
    }


@router.get(
    "/missions/{slug}/broadcasts",
    response={200: list[BroadcastOut], **error_responses(401, 403, 404, 422)},
    operation_id="broadcasts_list",
    summary="Broadcasts of the mission",
    description="Newest first, with delivery statistics (counts only).",
    openapi_extra=permission(Perm.BROADCAST_VIEW),
)
@paginate(Pagination)
def broadcasts_list(
    request: HttpRequest, slug: str, status: BroadcastStatus | None = None
) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.BROADCAST_VIEW)
    found = selectors.broadcast_list(membership=membership, status=status or "").prefetch_related(
        "admin_units", "groups"
    )
    return _ShapedPage(found)  # type: ignore[return-value]


class _ShapedPage:
    """Sliceable: only the page sent is shaped (its statistics counted)."""

    def __init__(self, queryset: Any) -> None:
        self.queryset = queryset

    def __len__(self) -> int:
        return int(self.queryset.count())

    def count(self) -> int:
        return len(self)

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        rows = list(self.queryset[key])
        stats = selectors.broadcast_stats_many(rows)
        return [_out(obj, stats[obj.pk]) for obj in rows]


@router.post(
    "/missions/{slug}/broadcasts",
    response={201: BroadcastOut, **error_responses(401, 403, 404, 422)},
    operation_id="broadcasts_create",
    summary="Write a draft broadcast",
    description=(
        "A draft: nothing is sent until it is scheduled. Areas must be inside the caller's area "
        "(a caller without whole-mission scope must name at least one)."
    ),
    openapi_extra=permission(Perm.BROADCAST_MANAGE),
)
def broadcasts_create(
    request: HttpRequest, slug: str, payload: BroadcastIn
) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.BROADCAST_MANAGE)
    try:
        obj = services.broadcast_create(
            mission=membership.mission,
            actor=membership.user,
            membership=membership,
            **_resolve(membership, payload),
        )
    except ValidationError as exc:
        raise invalid_input(exc) from None
    return Status(201, _out(obj))


@router.get(
    "/missions/{slug}/broadcasts/{broadcast_id}",
    response={200: BroadcastOut, **error_responses(401, 403, 404)},
    operation_id="broadcasts_get",
    summary="One broadcast with its delivery statistics",
    openapi_extra=permission(Perm.BROADCAST_VIEW),
)
def broadcasts_get(request: HttpRequest, slug: str, broadcast_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.BROADCAST_VIEW)
    return _out(_get(membership, broadcast_id))


@router.get(
    "/missions/{slug}/broadcasts/{broadcast_id}/audience",
    response={200: AudienceOut, **error_responses(401, 403, 404)},
    operation_id="broadcasts_audience",
    summary="How many numbers the broadcast would reach now",
    description="Counts only; opted-out numbers are counted as suppressed.",
    openapi_extra=permission(Perm.BROADCAST_VIEW),
)
def broadcasts_audience(request: HttpRequest, slug: str, broadcast_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.BROADCAST_VIEW)
    preview = audience_preview(audience_of(_get(membership, broadcast_id)))
    return {
        "total": preview.total,
        "reporters": preview.reporters,
        "actors": preview.actors,
        "suppressed": preview.suppressed,
        "duplicates": preview.duplicates,
    }


@router.post(
    "/missions/{slug}/broadcasts/{broadcast_id}/schedule",
    response={200: BroadcastOut, **error_responses(401, 403, 404, 422)},
    operation_id="broadcasts_schedule",
    summary="Schedule a broadcast (or send it now)",
    openapi_extra=permission(Perm.BROADCAST_MANAGE),
)
def broadcasts_schedule(
    request: HttpRequest, slug: str, broadcast_id: str, payload: ScheduleIn
) -> dict[str, Any]:
    membership = require(request, slug, Perm.BROADCAST_MANAGE)
    obj = _get(membership, broadcast_id)
    try:
        obj = services.broadcast_schedule(
            broadcast=obj, actor=membership.user, scheduled_at=payload.scheduled_at
        )
    except ValidationError as exc:
        raise invalid_input(exc) from None
    return _out(obj)


@router.post(
    "/missions/{slug}/broadcasts/{broadcast_id}/cancel",
    response={200: BroadcastOut, **error_responses(401, 403, 404, 422)},
    operation_id="broadcasts_cancel",
    summary="Cancel a broadcast, or the rest of one being sent",
    openapi_extra=permission(Perm.BROADCAST_MANAGE),
)
def broadcasts_cancel(request: HttpRequest, slug: str, broadcast_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.BROADCAST_MANAGE)
    obj = _get(membership, broadcast_id)
    try:
        obj = services.broadcast_cancel(broadcast=obj, actor=membership.user)
    except ValidationError as exc:
        raise invalid_input(exc) from None
    return _out(obj)
