"""JSON API (mounted under /api/v1/ by palava/api.py): the rumour log.

Rumours are found through :mod:`palava.feedback.rumours.selectors` (mission, scope); linked
messages and the spread count only the messages the caller may see, so a restricted message
never shows (not even as a count) for a role without ``message.restricted_view``.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.core.api_base import Pagination, error_responses, invalid_input, permission, require
from palava.feedback import selectors as message_selectors
from palava.feedback.models import Category, Channel, Rumour
from palava.feedback.rumours import selectors, services
from palava.feedback.rumours.schemas import (
    CounterIn,
    LinkIn,
    LinkOut,
    RumourDetailOut,
    RumourFilterQuery,
    RumourIn,
    RumourOut,
    StatusIn,
)
from palava.missions.models import Membership
from palava.missions.permissions import Perm
from palava.places.models import AdminUnit

router = Router(tags=["rumours"])


def _out(obj: Rumour, message_count: int) -> dict[str, Any]:
    return {
        "id": obj.public_id,
        "reference": obj.reference,
        "claim": obj.claim,
        "status": obj.status,
        "risk": obj.risk,
        "first_seen_at": obj.first_seen_at,
        "last_seen_at": obj.last_seen_at,
        "admin_unit": obj.admin_unit.pcode if obj.admin_unit else None,
        "places": [p.pcode for p in obj.places.all()],
        "category": obj.category.code if obj.category else None,
        "counter_message": obj.counter_message,
        "counter_channels": obj.counter_channels,
        "countered_at": obj.countered_at,
        "counter_broadcast": obj.counter_broadcast.public_id if obj.counter_broadcast else None,
        "message_count": message_count,
    }


def _detail(membership: Membership, obj: Rumour) -> dict[str, Any]:
    spread = selectors.rumour_spread(membership=membership, rumour=obj)
    ids = list(
        selectors.rumour_messages(membership=membership, rumour=obj).values_list(
            "public_id", flat=True
        )
    )
    return {
        **_out(obj, len(ids)),
        "messages": ids,
        "spread": [{"day": d, "messages": n} for d, n in spread.days],
        "spread_by_place": [
            {"place": unit.pcode if unit else None, "messages": n} for unit, n in spread.places
        ],
        "notes": obj.notes,
    }


def _get(membership: Membership, rumour_id: str) -> Rumour:
    found = selectors.rumour_get(membership=membership, public_id=rumour_id)
    if found is None:
        raise Http404
    return found


def _messages(membership: Membership, ids: list[Any]) -> list[Any]:
    found = list(message_selectors.messages_visible(membership).filter(public_id__in=ids))
    if len(found) != len(set(ids)):
        raise HttpError(422, _("One of these messages is not one you may see."))
    return found


class _Page:
    def __init__(self, queryset: Any) -> None:
        self.queryset = queryset

    def __len__(self) -> int:
        return int(self.queryset.count())

    def count(self) -> int:
        return len(self)

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        rows = self.queryset.prefetch_related("places").select_related("counter_broadcast")
        return [_out(r, int(getattr(r, "message_count", 0))) for r in rows[key]]


@router.get(
    "/missions/{slug}/rumours",
    response={200: list[RumourOut], **error_responses(401, 403, 404, 422)},
    operation_id="rumours_list",
    summary="The rumour log",
    description="Most recently seen first. Filters: status, risk, place (P-code, includes the "
    "units below it), category, q (words of the claim).",
    openapi_extra=permission(Perm.RUMOUR_VIEW),
)
@paginate(Pagination)
def rumours_list(
    request: HttpRequest, slug: str, filters: Query[RumourFilterQuery]
) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.RUMOUR_VIEW)
    found = selectors.rumour_list(
        membership=membership,
        filters=selectors.RumourFilters(
            status=filters.status or "",
            risk=filters.risk or "",
            place=filters.place or "",
            category=filters.category or "",
            query=filters.q or "",
        ),
    )
    return _Page(found)  # type: ignore[return-value]


@router.post(
    "/missions/{slug}/rumours",
    response={201: RumourDetailOut, **error_responses(401, 403, 404, 422)},
    operation_id="rumours_create",
    summary="Record a rumour",
    description="Optionally with the ids of messages that repeat it (messages the caller may "
    "see only).",
    openapi_extra=permission(Perm.RUMOUR_MANAGE),
)
def rumours_create(request: HttpRequest, slug: str, payload: RumourIn) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.RUMOUR_MANAGE)
    mission_id = membership.mission_id
    unit = None
    if payload.admin_unit:
        unit = AdminUnit.objects.filter(mission_id=mission_id, pcode=payload.admin_unit).first()
        if unit is None:
            raise HttpError(422, _("Unknown place, or a place outside your area."))
    places = list(AdminUnit.objects.filter(mission_id=mission_id, pcode__in=payload.places))
    if len(places) != len(set(payload.places)):
        raise HttpError(422, _("Unknown place, or a place outside your area."))
    category = None
    if payload.category:
        category = Category.objects.filter(mission_id=mission_id, code=payload.category).first()
        if category is None:
            raise HttpError(422, _("Unknown category."))
    try:
        obj = services.rumour_create(
            mission=membership.mission,
            actor=membership.user,
            membership=membership,
            claim=payload.claim,
            first_seen_at=payload.first_seen_at,
            risk=payload.risk,
            admin_unit=unit,
            places=places,
            category=category,
            notes=payload.notes,
            messages=_messages(membership, payload.messages),
        )
    except ValidationError as exc:
        raise invalid_input(exc) from None
    return Status(201, _detail(membership, _get(membership, str(obj.public_id))))


@router.get(
    "/missions/{slug}/rumours/{rumour_id}",
    response={200: RumourDetailOut, **error_responses(401, 403, 404)},
    operation_id="rumours_get",
    summary="One rumour with its spread per day and per place",
    openapi_extra=permission(Perm.RUMOUR_VIEW),
)
def rumours_get(request: HttpRequest, slug: str, rumour_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.RUMOUR_VIEW)
    return _detail(membership, _get(membership, rumour_id))


@router.post(
    "/missions/{slug}/rumours/{rumour_id}/messages",
    response={200: LinkOut, **error_responses(401, 403, 404, 422)},
    operation_id="rumours_link_messages",
    summary="Link messages that repeat the rumour",
    description="Only messages the caller may see (422 otherwise).",
    openapi_extra=permission(Perm.RUMOUR_MANAGE),
)
def rumours_link_messages(
    request: HttpRequest, slug: str, rumour_id: str, payload: LinkIn
) -> dict[str, Any]:
    membership = require(request, slug, Perm.RUMOUR_MANAGE)
    obj = _get(membership, rumour_id)
    try:
        added = services.rumour_link_messages(
            rumour=obj,
            actor=membership.user,
            membership=membership,
            messages=_messages(membership, payload.messages),
        )
    except ValidationError as exc:
        raise invalid_input(exc) from None
    return {"linked": added}


@router.post(
    "/missions/{slug}/rumours/{rumour_id}/status",
    response={200: RumourDetailOut, **error_responses(401, 403, 404, 422)},
    operation_id="rumours_set_status",
    summary="Change a rumour's status",
    openapi_extra=permission(Perm.RUMOUR_MANAGE),
)
def rumours_set_status(
    request: HttpRequest, slug: str, rumour_id: str, payload: StatusIn
) -> dict[str, Any]:
    membership = require(request, slug, Perm.RUMOUR_MANAGE)
    obj = _get(membership, rumour_id)
    services.rumour_set_status(
        rumour=obj,
        actor=membership.user,
        membership=membership,
        status=payload.status,
        note=payload.note,
    )
    return _detail(membership, _get(membership, rumour_id))


@router.post(
    "/missions/{slug}/rumours/{rumour_id}/counter",
    response={200: RumourDetailOut, **error_responses(401, 403, 404, 422)},
    operation_id="rumours_counter",
    summary="Record the counter-message and the channels used",
    description="channels: sms_broadcast, radio, community_meeting, leaders, social_media, "
    "leaflets, patrol, other. broadcast_channel (needs broadcast.manage) prepares a draft "
    "broadcast of the counter-message to the rumour's places.",
    openapi_extra=permission(Perm.RUMOUR_MANAGE),
)
def rumours_counter(
    request: HttpRequest, slug: str, rumour_id: str, payload: CounterIn
) -> dict[str, Any]:
    membership = require(request, slug, Perm.RUMOUR_MANAGE)
    obj = _get(membership, rumour_id)
    channel = None
    if payload.broadcast_channel:
        channel = Channel.objects.filter(
            mission_id=membership.mission_id, public_id=payload.broadcast_channel
        ).first()
        if channel is None:
            raise HttpError(422, _("Unknown channel."))
    try:
        services.rumour_counter(
            rumour=obj,
            actor=membership.user,
            membership=membership,
            counter_message=payload.counter_message,
            channels=payload.channels,
            broadcast_channel=channel,
        )
    except ValidationError as exc:
        raise invalid_input(exc) from None
    return _detail(membership, _get(membership, rumour_id))
