"""JSON API (mounted under /api/v1/ by palava/api.py): the outbound log, retrying a dead letter,
and reply templates. No number and no message text is ever sent (see ``schemas``)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.core.api_base import Pagination, error_responses, permission, require
from palava.feedback.models import OutboundMessage, ReplyTemplate
from palava.feedback.outbound import selectors
from palava.feedback.outbound.replies import reply_template_save
from palava.feedback.outbound.schemas import (
    OutboundFilterQuery,
    OutboundOut,
    ReplyTemplateIn,
    ReplyTemplateOut,
)
from palava.feedback.outbound.services import outbound_retry
from palava.missions.permissions import Perm

router = Router(tags=["outbound"])


def _out(row: OutboundMessage) -> dict[str, Any]:
    return {
        "id": row.public_id,
        "purpose": row.purpose,
        "status": row.status,
        "channel": row.channel.public_id,
        "case": row.case.reference if row.case else None,
        "language": row.language,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at,
        "last_error": row.last_error,
        "created_at": row.created_at,
        "sent_at": row.sent_at,
        "delivered_at": row.delivered_at,
        "failed_at": row.failed_at,
    }


def _template_out(row: ReplyTemplate) -> dict[str, Any]:
    return {
        "id": row.public_id,
        "code": row.code,
        "name": row.name,
        "case_type": row.case_type,
        "texts": dict(row.texts or {}),
        "is_active": row.is_active,
        "order": row.order,
    }


def _invalid(exc: ValidationError) -> HttpError:
    return HttpError(422, " ".join(exc.messages) or _("Invalid."))


class _Shaped:
    def __init__(self, queryset: Any) -> None:
        self.queryset = queryset

    def __len__(self) -> int:
        return int(self.queryset.count())

    def count(self) -> int:
        return len(self)

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        return [_out(row) for row in self.queryset[key]]


@router.get(
    "/missions/{slug}/outbound",
    response={200: list[OutboundOut], **error_responses(401, 403, 404)},
    operation_id="outbound_list",
    summary="Outbound messages and their delivery",
    description="Newest first; filter by status and purpose. No number, no text.",
    openapi_extra=permission(Perm.OUTBOUND_VIEW),
)
@paginate(Pagination)
def outbound_list(
    request: HttpRequest, slug: str, filters: Query[OutboundFilterQuery]
) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.OUTBOUND_VIEW)
    rows = selectors.outbound_list(
        membership=membership,
        filters=selectors.OutboundFilters(
            status=filters.status or "", purpose=filters.purpose or ""
        ),
    )
    return _Shaped(rows)  # type: ignore[return-value]


@router.post(
    "/missions/{slug}/outbound/{outbound_id}/retry",
    response={200: OutboundOut, **error_responses(401, 403, 404, 422)},
    operation_id="outbound_retry",
    summary="Send a dead letter again",
    description="Only a message in the dead-letter state; it keeps its idempotency key.",
    openapi_extra=permission(Perm.OUTBOUND_MANAGE),
)
def outbound_retry_api(request: HttpRequest, slug: str, outbound_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.OUTBOUND_MANAGE)
    row = _row(membership, outbound_id)
    try:
        row = outbound_retry(outbound=row, actor=membership.user)
    except ValidationError as exc:
        raise _invalid(exc) from None
    return _out(row)


def _row(membership: Any, outbound_id: str) -> OutboundMessage:
    import uuid

    try:
        public_id = uuid.UUID(outbound_id)
    except ValueError:
        raise HttpError(404, _("Not found.")) from None
    row = selectors.outbound_get(membership=membership, public_id=public_id)
    if row is None:
        raise HttpError(404, _("Not found."))
    return row


@router.get(
    "/missions/{slug}/reply-templates",
    response={200: list[ReplyTemplateOut], **error_responses(401, 403, 404)},
    operation_id="reply_templates_list",
    summary="Reply templates",
    openapi_extra=permission(Perm.OUTBOUND_VIEW),
)
def reply_templates_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.OUTBOUND_VIEW)
    return [_template_out(t) for t in selectors.templates_list(membership)]


@router.post(
    "/missions/{slug}/reply-templates",
    response={201: ReplyTemplateOut, **error_responses(401, 403, 404, 422)},
    operation_id="reply_templates_create",
    summary="Create a reply template",
    description="texts: language code to text; {reference} becomes the case reference.",
    openapi_extra=permission(Perm.OUTBOUND_MANAGE),
)
def reply_templates_create(
    request: HttpRequest, slug: str, payload: ReplyTemplateIn
) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.OUTBOUND_MANAGE)
    try:
        row = reply_template_save(
            mission=membership.mission,
            actor=membership.user,
            code=payload.code,
            name=payload.name,
            texts=payload.texts,
            case_type=payload.case_type,
            is_active=payload.is_active,
            order=payload.order,
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    return Status(201, _template_out(row))
