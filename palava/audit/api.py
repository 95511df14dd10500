"""JSON API: the mission's audit trail. Reading it is itself audited (``audit.read``)."""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from palava.audit.models import AuditEvent
from palava.audit.schemas import AuditEventOut, AuditFilters
from palava.audit.selectors import audit_events_for_mission
from palava.audit.services import audit_trail_read
from palava.core.api_base import Pagination, error_responses, permission, require
from palava.missions.models import Mission
from palava.missions.permissions import Perm

router = Router(tags=["audit"])


@transaction.atomic
def audit_events_read(
    *, actor: Any, mission: Mission, filters: AuditFilters
) -> QuerySet[AuditEvent]:
    """Record an ``audit.read`` (a sensitive read), then return the matching events.

    The row for this read is left out of the result, so a page shows the trail as it was when
    the reader asked. Filter values are recorded by name only (the trail redacts them).
    """
    event = audit_trail_read(
        actor=actor, mission=mission, filters=filters.model_dump(exclude_none=True)
    )
    events = audit_events_for_mission(
        mission=mission,
        user=actor,
        action=filters.action or "",
        actor=filters.actor or "",
        object_id=filters.object_id or "",
        since=filters.since,
        until=filters.until,
    )
    return events.exclude(pk=event.pk)


@router.get(
    "/missions/{slug}/audit",
    response={200: list[AuditEventOut], **error_responses(401, 403, 404, 422)},
    operation_id="audit_list",
    summary="The mission's audit trail",
    description=(
        "Newest first. Filters: exact action, exact actor username (case-insensitive), exact "
        "object id, since (inclusive) and until (exclusive) as date-times with a UTC offset. "
        "Each call writes an audit.read row."
    ),
    openapi_extra=permission(Perm.AUDIT_VIEW),
)
@paginate(Pagination)
def audit_list(
    request: HttpRequest, slug: str, filters: Query[AuditFilters]
) -> QuerySet[AuditEvent]:
    membership = require(request, slug, Perm.AUDIT_VIEW)
    return audit_events_read(actor=membership.user, mission=membership.mission, filters=filters)
