"""JSON API: a mission's channels (list, create, read, rotate the secret).

A new or rotated secret is in the answer of that one call only (``secret``); no other route
ever returns it. ``POST /channels`` and ``GET /channels`` act on the token's own mission (the
issue's short form); the ``/missions/{slug}/channels`` routes name it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.core.api_base import (
    Pagination,
    error_responses,
    invalid_input,
    permission,
    principal,
    require,
)
from palava.feedback import channel_selectors as selectors
from palava.feedback import channel_services as services
from palava.feedback.channels import callback_url, public_base_url, webhook_url
from palava.feedback.models import Channel
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has
from palava.places.models import AdminUnit

router = Router(tags=["channels"])

# Operations acting on the token's own mission (no slug in the path); read by the matrix test.
TOKEN_MISSION = {"x-palava-mission": "token"}

ChannelTypeName = Literal["twilio", "africastalking", "generic", "webform", "hotline"]


class ChannelOut(Schema):
    id: uuid.UUID
    name: str
    channel_type: ChannelTypeName
    is_active: bool
    address: str
    webhook_url: str | None = Field(
        None, description="Where the gateway posts (the public page for a web form)."
    )
    ack_enabled: bool
    ack_texts: dict[str, str]
    ip_allowlist: list[str]
    default_admin_unit: str | None = Field(None, description="P-code of the default area.")
    secret_rotated_at: datetime | None
    previous_secret_expires_at: datetime | None = Field(
        None, description="Until when the secret before the last rotation is still accepted."
    )
    message_count: int = Field(..., description="Messages the caller may see.")
    last_received_at: datetime | None
    created_at: datetime


class ChannelSecretOut(ChannelOut):
    secret: str | None = Field(
        None, description="The new secret, returned only in this answer (null for no secret)."
    )
    callback_url: str | None = Field(
        None, description="The URL to give the gateway (Africa's Talking: with its token)."
    )


class ChannelIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    channel_type: ChannelTypeName
    secret: str | None = Field(
        None,
        max_length=200,
        description="Twilio: the auth token (required). Others: leave out to get a new one.",
    )
    address: str = Field("", max_length=64)
    ip_allowlist: list[str] = Field(default_factory=list, max_length=50)
    default_admin_unit: str | None = Field(None, max_length=32, description="A P-code.")
    ack_enabled: bool = False
    ack_texts: dict[str, str] = Field(
        default_factory=dict, description="Language code (en, fr, ar, sw, pt) to text."
    )


class RotateIn(Schema):
    secret: str | None = Field(
        None, max_length=200, description="Twilio: the new auth token. Others: leave out."
    )
    grace_hours: int = Field(
        24, ge=0, le=168, description="How long the previous secret stays valid."
    )


def _out(channel: Channel, request: HttpRequest) -> dict[str, Any]:
    return {
        "id": channel.public_id,
        "name": channel.name,
        "channel_type": channel.channel_type,
        "is_active": channel.is_active,
        "address": channel.address,
        "webhook_url": webhook_url(channel, base=public_base_url(request)),
        "ack_enabled": channel.ack_enabled,
        "ack_texts": dict(channel.ack_texts or {}),
        "ip_allowlist": list(channel.ip_allowlist or []),
        "default_admin_unit": (
            channel.default_admin_unit.pcode if channel.default_admin_unit else None
        ),
        "secret_rotated_at": channel.secret_rotated_at,
        "previous_secret_expires_at": channel.previous_secret_expires_at,
        "message_count": int(getattr(channel, "message_count", 0) or 0),
        "last_received_at": getattr(channel, "last_received_at", None),
        "created_at": channel.created_at,
    }


def _secret_out(
    membership: Membership, channel: Channel, secret: str | None, request: HttpRequest
) -> dict[str, Any]:
    fresh = selectors.channel_get(membership=membership, public_id=channel.public_id)
    assert fresh is not None
    return {
        **_out(fresh, request),
        "secret": secret,
        "callback_url": callback_url(fresh, base=public_base_url(request), secret=secret),
    }


def _get(membership: Membership, channel_id: str) -> Channel:
    found = selectors.channel_get(membership=membership, public_id=channel_id)
    if found is None:
        raise Http404
    return found


def _create(request: HttpRequest, membership: Membership, payload: ChannelIn) -> dict[str, Any]:
    area: AdminUnit | None = None
    if payload.default_admin_unit:
        area = AdminUnit.objects.filter(
            mission_id=membership.mission_id, pcode=payload.default_admin_unit
        ).first()
        if area is None:
            raise HttpError(422, _("No place with this P-code in the mission."))
    try:
        created = services.channel_create(
            actor=membership.user,
            mission=membership.mission,
            name=payload.name,
            channel_type=payload.channel_type,
            secret=payload.secret,
            address=payload.address,
            ip_allowlist=payload.ip_allowlist,
            default_admin_unit=area,
            ack_enabled=payload.ack_enabled,
            ack_texts=payload.ack_texts,
        )
    except ValidationError as exc:
        raise invalid_input(exc) from None
    return _secret_out(membership, created.channel, created.secret, request)


def _own(request: HttpRequest, perm: Perm) -> Membership:
    membership = principal(request).membership
    if not role_has(membership.role, perm):
        raise HttpError(403, _("Your role does not allow this."))
    return membership


class _LazyList:
    """A sliceable view of a queryset that shapes only the page that is sent."""

    def __init__(self, queryset: Any, request: HttpRequest) -> None:
        self.queryset = queryset
        self.request = request

    def __len__(self) -> int:
        return int(self.queryset.count())

    def count(self) -> int:
        return len(self)

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        return [_out(obj, self.request) for obj in self.queryset[key]]


@router.get(
    "/missions/{slug}/channels",
    response={200: list[ChannelOut], **error_responses(401, 403, 404, 422)},
    operation_id="channels_list",
    summary="Channels of the mission",
    description="Active channels first, then by name; never their secrets.",
    openapi_extra=permission(Perm.CHANNEL_VIEW),
)
@paginate(Pagination)
def channels_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.CHANNEL_VIEW)
    return _LazyList(selectors.channel_list(membership=membership), request)  # type: ignore[return-value]


@router.post(
    "/missions/{slug}/channels",
    response={201: ChannelSecretOut, **error_responses(401, 403, 404, 422)},
    operation_id="channels_create",
    summary="Create a channel",
    description=(
        "Africa's Talking and generic channels get a new 256-bit secret (or take the one given); "
        "Twilio channels need the account's auth token. The secret is in this answer only."
    ),
    openapi_extra=permission(Perm.CHANNEL_MANAGE),
)
def channels_create(request: HttpRequest, slug: str, payload: ChannelIn) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.CHANNEL_MANAGE)
    return Status(201, _create(request, membership, payload))


@router.get(
    "/missions/{slug}/channels/{channel_id}",
    response={200: ChannelOut, **error_responses(401, 403, 404)},
    operation_id="channels_get",
    summary="One channel",
    description="Never its secret.",
    openapi_extra=permission(Perm.CHANNEL_VIEW),
)
def channels_get(request: HttpRequest, slug: str, channel_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.CHANNEL_VIEW)
    return _out(_get(membership, channel_id), request)


@router.post(
    "/missions/{slug}/channels/{channel_id}/rotate",
    response={200: ChannelSecretOut, **error_responses(401, 403, 404, 422)},
    operation_id="channels_rotate",
    summary="Rotate a channel's secret",
    description=(
        "The previous secret stays valid for grace_hours (default 24). Twilio: give the new "
        "auth token. The new secret is in this answer only."
    ),
    openapi_extra=permission(Perm.CHANNEL_MANAGE),
)
def channels_rotate(
    request: HttpRequest, slug: str, channel_id: str, payload: RotateIn
) -> dict[str, Any]:
    membership = require(request, slug, Perm.CHANNEL_MANAGE)
    channel = _get(membership, channel_id)
    try:
        rotated = services.channel_rotate_secret(
            actor=membership.user,
            channel=channel,
            secret=payload.secret,
            grace=timedelta(hours=payload.grace_hours),
        )
    except ValidationError as exc:
        raise invalid_input(exc) from None
    return _secret_out(membership, rotated.channel, rotated.secret, request)


@router.get(
    "/channels",
    response={200: list[ChannelOut], **error_responses(401, 403, 422)},
    operation_id="channels_list_own",
    summary="Channels of the token's mission",
    description="As channels_list, for the one mission the token reaches.",
    openapi_extra={**permission(Perm.CHANNEL_VIEW), **TOKEN_MISSION},
)
@paginate(Pagination)
def channels_list_own(request: HttpRequest) -> list[dict[str, Any]]:
    membership = _own(request, Perm.CHANNEL_VIEW)
    return _LazyList(selectors.channel_list(membership=membership), request)  # type: ignore[return-value]


@router.post(
    "/channels",
    response={201: ChannelSecretOut, **error_responses(401, 403, 422)},
    operation_id="channels_create_own",
    summary="Create a channel in the token's mission",
    description="As channels_create, for the one mission the token reaches.",
    openapi_extra={**permission(Perm.CHANNEL_MANAGE), **TOKEN_MISSION},
)
def channels_create_own(request: HttpRequest, payload: ChannelIn) -> Status[dict[str, Any]]:
    membership = _own(request, Perm.CHANNEL_MANAGE)
    return Status(201, _create(request, membership, payload))
