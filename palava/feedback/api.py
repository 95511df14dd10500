"""JSON API: list and search messages, read one (audited when restricted), correct labels.

Every route checks its permission first (``require``) and finds messages only through
``palava.feedback.selectors`` (mission, geographic scope, restricted queue): a message the
caller may not see answers 404 exactly like one that does not exist, and list counts never
include one. No phone number, name or pseudonym is ever sent (see ``schemas``).
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.core.api_base import Pagination, error_responses, invalid_input, permission, require
from palava.feedback import selectors, services
from palava.feedback.models import Category, Message
from palava.feedback.schemas import (
    MessageDetailOut,
    MessageFilterQuery,
    MessageOut,
    MessagePatch,
)
from palava.missions.models import Membership
from palava.missions.permissions import Perm
from palava.places import selectors as places_selectors

router = Router(tags=["messages"])


def _message_out(obj: Message) -> dict[str, Any]:
    category = obj.category
    return {
        "id": obj.public_id,
        "channel": {
            "id": obj.channel.public_id,
            "name": obj.channel.name,
            "channel_type": obj.channel.channel_type,
        },
        "received_at": obj.received_at,
        "sent_at": obj.sent_at,
        "body": obj.body,
        "status": obj.status,
        "language": obj.language,
        "language_confidence": obj.language_confidence,
        "category": category.code if category else None,
        "category_parent": category.parent.code if category and category.parent else None,
        "category_source": obj.category_source,
        "category_confidence": obj.category_confidence,
        "urgency": obj.urgency,
        "urgency_source": obj.urgency_source,
        "admin_unit": obj.admin_unit.pcode if obj.admin_unit else None,
        "site": obj.site.code if obj.site else None,
        "place_source": obj.place_source,
        "is_restricted": obj.is_restricted,
        "cluster": obj.cluster.public_id if obj.cluster else None,
        "reporter": obj.reporter.public_id if obj.reporter else None,
        "triaged_at": obj.triaged_at,
    }


def _detail_out(obj: Message, membership: Membership) -> dict[str, Any]:
    coordinates = selectors.coordinates_for(membership, obj)
    siblings = selectors.cluster_sizes(membership=membership, cluster_ids=[obj.cluster_id or 0])
    return {
        **_message_out(obj),
        "cluster_size": siblings.get(obj.cluster_id or 0, 0),
        "reporter_other_messages": selectors.reporter_other_count(
            membership=membership, message=obj
        ),
        "given_place": obj.given_place,
        "latitude": coordinates[0] if coordinates else None,
        "longitude": coordinates[1] if coordinates else None,
    }


class _AuditedPage:
    """A sliceable view of a queryset that shapes only the page sent, and audits the
    restricted messages on it (one ``message.list`` row each)."""

    def __init__(
        self,
        queryset: QuerySet[Message],
        shape: Callable[[Message], dict[str, Any]],
        record: Callable[[list[Message]], None],
    ) -> None:
        self.queryset = queryset
        self.shape = shape
        self.record = record

    def __len__(self) -> int:
        return int(self.queryset.count())

    def count(self) -> int:
        return len(self)

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        rows = list(self.queryset[key])
        self.record(rows)
        return [self.shape(obj) for obj in rows]


def _filters(query: MessageFilterQuery) -> selectors.MessageFilters:
    return selectors.MessageFilters(
        queue=selectors.RESTRICTED if query.restricted else selectors.INBOX,
        channel=str(query.channel) if query.channel else "",
        category=query.category or "",
        urgency=query.urgency or "",
        place=(query.place or "").strip(),
        language=query.language or "",
        status=query.status or "",
        since=query.since,
        until=query.until,
        cluster=str(query.cluster) if query.cluster else "",
        reporter=str(query.reporter) if query.reporter else "",
        query=query.q or "",
        sort=query.sort,
    )


def _get(membership: Membership, message_id: str) -> Message:
    found = selectors.message_get(membership=membership, public_id=message_id)
    if found is None:
        raise Http404
    return found


@router.get(
    "/missions/{slug}/messages",
    response={200: list[MessageOut], **error_responses(401, 403, 404, 422)},
    operation_id="messages_list",
    summary="Messages of the mission",
    description=(
        "Inbound messages the caller may see (geographic scope; never the restricted queue "
        "unless restricted=true, which needs message.restricted_view and audits every message "
        "returned). Filters: channel, category (a parent includes its children), urgency, place "
        "(P-code, includes the units below it), language, status, since/until (days in the "
        "mission's time zone), cluster, reporter, q (words of the message). Newest first."
    ),
    openapi_extra=permission(Perm.MESSAGE_VIEW),
)
@paginate(Pagination)
def messages_list(
    request: HttpRequest, slug: str, filters: Query[MessageFilterQuery]
) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.MESSAGE_VIEW)
    if filters.restricted and not selectors.may_see_restricted(membership):
        raise HttpError(403, _("Your role does not allow this."))
    found = selectors.message_list(membership=membership, filters=_filters(filters))

    def record(rows: list[Message]) -> None:
        services.messages_listed(actor=membership.user, membership=membership, messages=rows)

    return _AuditedPage(found, _message_out, record)  # type: ignore[return-value]


@router.get(
    "/missions/{slug}/messages/{message_id}",
    response={200: MessageDetailOut, **error_responses(401, 403, 404)},
    operation_id="messages_get",
    summary="One message",
    description=(
        "404 outside the caller's area, and for a restricted message without "
        "message.restricted_view. Reading a restricted message writes a message.read audit row."
    ),
    openapi_extra=permission(Perm.MESSAGE_VIEW),
)
def messages_get(request: HttpRequest, slug: str, message_id: str) -> dict[str, Any]:
    membership = require(request, slug, Perm.MESSAGE_VIEW)
    obj = _get(membership, message_id)
    services.message_read(actor=membership.user, membership=membership, message=obj)
    return _detail_out(obj, membership)


@router.patch(
    "/missions/{slug}/messages/{message_id}",
    response={200: MessageDetailOut, **error_responses(401, 403, 404, 422)},
    operation_id="messages_update",
    summary="Correct a message's labels or status",
    description=(
        "Only the fields sent change. Labels become staff labels (the classifier learns from "
        "them); a restricted category moves the message to the restricted queue. A place must "
        "be inside the caller's area. status: open, reviewed, closed or spam."
    ),
    openapi_extra=permission(Perm.MESSAGE_MANAGE),
)
def messages_update(
    request: HttpRequest, slug: str, message_id: str, payload: MessagePatch
) -> dict[str, Any]:
    membership = require(request, slug, Perm.MESSAGE_MANAGE)
    obj = _get(membership, message_id)
    services.message_read(actor=membership.user, membership=membership, message=obj)
    category = None
    if payload.category:
        category = Category.objects.filter(
            mission_id=membership.mission_id, code=payload.category, is_active=True
        ).first()
        if category is None:
            raise HttpError(422, _("Unknown category."))
    unit = site = None
    if payload.admin_unit:
        unit = places_selectors.admin_unit_get(membership=membership, pcode=payload.admin_unit)
        if unit is None:
            raise HttpError(422, _("Unknown place, or a place outside your area."))
    if payload.site:
        site = places_selectors.site_get(membership=membership, code=payload.site)
        if site is None:
            raise HttpError(422, _("Unknown site, or a site outside your area."))
    try:
        with transaction.atomic():
            if payload.status:  # first: a new category may hide the message from the caller
                services.message_set_status(
                    actor=membership.user,
                    membership=membership,
                    messages=[obj],
                    status=payload.status,
                )
            services.message_relabel(
                actor=membership.user,
                membership=membership,
                message=obj,
                category=category,
                urgency=payload.urgency,
                admin_unit=unit,
                site=site,
            )
    except ValidationError as exc:
        raise invalid_input(exc) from None
    # The caller sees what they just wrote, even when it moved to the restricted queue.
    fresh = (
        Message.objects.select_related(
            "channel", "category", "category__parent", "admin_unit", "site", "reporter", "cluster"
        )
        .defer(*selectors.SECRET_FIELDS)
        .get(pk=obj.pk)
    )
    return _detail_out(fresh, membership)
