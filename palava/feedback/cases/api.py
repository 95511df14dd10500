"""JSON API for cases (mounted under /api/v1/ by palava/api.py): list, open, read, move through
the state machine, record responses, read the timeline; and the caller's notifications.

Cases are found only through :mod:`palava.feedback.cases.selectors` (mission, scope, the
restricted rule): a case the caller may not see answers 404 like a missing one. A move the
state machine refuses answers 409; invalid values 422. No body of a message, no name or number
of a reporter is sent (see ``schemas``).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.core.api_base import Pagination, error_responses, permission, require
from palava.feedback import selectors as message_selectors
from palava.feedback.cases import display, selectors, services
from palava.feedback.cases.schemas import (
    CaseCreateIn,
    CaseDetailOut,
    CaseFilterQuery,
    CaseOut,
    EventOut,
    NotificationOut,
    ResponseIn,
    ResponseOut,
    TransitionIn,
)
from palava.feedback.models import Case, CaseEvent, CaseResponse, Notification
from palava.missions.models import Membership
from palava.missions.permissions import Perm
from palava.places import selectors as places_selectors

router = Router(tags=["cases"])


def case_out(case: Case) -> dict[str, Any]:
    return {
        "id": case.public_id,
        "reference": case.reference,
        "case_type": case.case_type,
        "status": case.status,
        "title": case.title,
        "urgency": case.urgency,
        "category": case.category.code if case.category else None,
        "admin_unit": case.admin_unit.pcode if case.admin_unit else None,
        "site": case.site.code if case.site else None,
        "is_restricted": case.is_restricted,
        "language": case.language,
        "team": {"id": case.team.public_id, "name": case.team.name} if case.team else None,
        "assignee": case.assignee.get_username() if case.assignee else None,
        "opened_at": case.opened_at,
        "acknowledged_at": case.acknowledged_at,
        "verified_at": case.verified_at,
        "response_dispatched_at": case.response_dispatched_at,
        "resolved_at": case.resolved_at,
        "reporter_informed_at": case.reporter_informed_at,
        "closed_at": case.closed_at,
        "acknowledge_due_at": case.acknowledge_due_at,
        "respond_due_at": case.respond_due_at,
        "overdue": display.is_overdue(case, timezone.now()),
        "escalation_level": case.escalation_level,
        "source_reliability": case.source_reliability,
        "credibility": case.credibility,
    }


def _response_out(row: CaseResponse) -> dict[str, Any]:
    return {
        "id": row.public_id,
        "responder_type": row.responder_type,
        "responder_name": row.responder_name,
        "responded_at": row.responded_at,
        "action": row.action,
        "outcome": row.outcome,
        "notes": row.notes,
    }


def _detail_out(case: Case, membership: Membership) -> dict[str, Any]:
    shown = set(
        selectors.case_messages(membership=membership, case=case).values_list("pk", flat=True)
    )
    links = [
        link
        for link in case.case_messages.select_related("message").only(
            "role", "added_at", "message__public_id", "message_id"
        )
        if link.message_id in shown
    ]
    return {
        **case_out(case),
        "summary": case.summary,
        "messages": [
            {"id": link.message.public_id, "role": link.role, "added_at": link.added_at}
            for link in links
        ],
        "incidents": [
            {
                "id": i.public_id,
                "source": i.source,
                "reference": i.reference,
                "occurred_on": i.occurred_on,
                "description": i.description,
                "url": i.url,
            }
            for i in case.incidents.all()
        ],
        "responses": [_response_out(r) for r in case.responses.all()],
    }


def _get(membership: Membership, case_id: str) -> Case:
    found = selectors.case_get(membership=membership, public_id=case_id)
    if found is None:
        raise Http404
    return found


def _fresh(membership: Membership, case: Case) -> Case:
    found = selectors.case_get(membership=membership, public_id=case.public_id)
    if found is None:  # pragma: no cover - a move never hides a case from its actor
        raise Http404
    return found


def _invalid(exc: ValidationError) -> HttpError:
    status = 409 if isinstance(exc, services.CaseTransitionError) else 422
    return HttpError(status, " ".join(str(m) for m in exc.messages))


@router.get(
    "/missions/{slug}/cases",
    response={200: list[CaseOut], **error_responses(401, 403, 404, 422)},
    operation_id="cases_list",
    summary="Cases of the mission",
    description=(
        "Cases the caller may see (geographic scope; restricted cases only with "
        "message.restricted_view), newest first. Filters: status (a status, open or overdue), "
        "case_type, urgency, place (P-code, includes the units below), team, assignee (me or a "
        "user id), overdue, q (a reference such as C-00042 or words of the title), sort "
        "(newest, oldest, due)."
    ),
    openapi_extra=permission(Perm.CASE_VIEW),
)
@paginate(Pagination)
def cases_list(request: HttpRequest, slug: str, filters: Query[CaseFilterQuery]) -> Any:
    membership = require(request, slug, Perm.CASE_VIEW)
    found = selectors.case_list(
        membership=membership,
        filters=selectors.CaseFilters(
            status=filters.status or "",
            case_type=filters.case_type or "",
            urgency=filters.urgency or "",
            place=(filters.place or "").strip() or None,
            team=str(filters.team) if filters.team else None,
            assignee=filters.assignee or None,
            overdue=filters.overdue,
            query=filters.q or "",
            sort=filters.sort,
        ),
    )
    return _Shaped(found, case_out)


class _Shaped:
    """A sliceable view of a queryset that shapes only the page sent."""

    def __init__(self, queryset: Any, shape: Any) -> None:
        self.queryset = queryset
        self.shape = shape

    def __len__(self) -> int:
        return int(self.queryset.count())

    def count(self) -> int:
        return len(self)

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        return [self.shape(obj) for obj in self.queryset[key]]


@router.post(
    "/missions/{slug}/cases",
    response={201: CaseDetailOut, **error_responses(401, 403, 404, 422)},
    operation_id="cases_create",
    summary="Open a case by hand",
    description=(
        "Opens a case (routed and timed like an automatic one) and joins the given messages, "
        "which must be visible to the caller and not in another case. admin_unit must be inside "
        "the caller's area."
    ),
    openapi_extra=permission(Perm.CASE_MANAGE),
)
def cases_create(request: HttpRequest, slug: str, payload: CaseCreateIn) -> Any:
    membership = require(request, slug, Perm.CASE_MANAGE)
    unit = None
    if payload.admin_unit:
        unit = places_selectors.admin_unit_get(membership=membership, pcode=payload.admin_unit)
        if unit is None:
            raise HttpError(422, _("Unknown place, or a place outside your area."))
    messages = []
    for message_id in payload.messages:
        found = message_selectors.message_get(membership=membership, public_id=message_id)
        if found is None:
            raise HttpError(422, _("No message with this id that you can see."))
        messages.append(found)
    try:
        case = services.case_open(
            mission=membership.mission,
            actor=membership.user,
            case_type=payload.case_type,
            title=payload.title,
            messages=messages,
            urgency=payload.urgency,
            admin_unit=unit,
            summary=payload.summary,
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    found_case = selectors.case_get(membership=membership, public_id=case.public_id)
    return Status(201, _detail_out(found_case or case, membership))


@router.get(
    "/missions/{slug}/cases/{case_id}",
    response={200: CaseDetailOut, **error_responses(401, 403, 404)},
    operation_id="cases_get",
    summary="One case",
    description="404 outside the caller's area, and for a restricted case without "
    "message.restricted_view.",
    openapi_extra=permission(Perm.CASE_VIEW),
)
def cases_get(request: HttpRequest, slug: str, case_id: str) -> Any:
    membership = require(request, slug, Perm.CASE_VIEW)
    return _detail_out(_get(membership, case_id), membership)


@router.post(
    "/missions/{slug}/cases/{case_id}/transitions",
    response={200: CaseDetailOut, **error_responses(401, 403, 404, 409, 422)},
    operation_id="cases_transition",
    summary="Move a case through its states",
    description=(
        "action: acknowledge, verify, unfound, grade (source_reliability A-F and credibility "
        "1-6, both required), resolve, inform (the reporter was told the outcome by other "
        "means), close. Each move is stamped with the time and the caller and appears in the "
        "timeline. A move the case's state does not allow answers 409."
    ),
    openapi_extra=permission(Perm.CASE_MANAGE),
)
def cases_transition(request: HttpRequest, slug: str, case_id: str, payload: TransitionIn) -> Any:
    membership = require(request, slug, Perm.CASE_MANAGE)
    case = _get(membership, case_id)
    actor, note = membership.user, payload.note
    try:
        if payload.action == "acknowledge":
            services.case_acknowledge(case=case, actor=actor, note=note)
        elif payload.action in ("verify", "unfound"):
            services.case_verify(
                case=case,
                actor=actor,
                verified=payload.action == "verify",
                source_reliability=payload.source_reliability,
                credibility=payload.credibility,
                note=note,
            )
        elif payload.action == "grade":
            if not (payload.source_reliability and payload.credibility):
                raise HttpError(422, _("Give both grades."))
            services.case_grade(
                case=case,
                actor=actor,
                source_reliability=payload.source_reliability,
                credibility=payload.credibility,
                note=note,
            )
        elif payload.action == "resolve":
            services.case_resolve(case=case, actor=actor, note=note)
        elif payload.action == "inform":
            services.case_reporter_informed(case=case, actor=actor, note=note)
        else:
            services.case_close(case=case, actor=actor, note=note)
    except ValidationError as exc:
        raise _invalid(exc) from None
    return _detail_out(_fresh(membership, case), membership)


@router.post(
    "/missions/{slug}/cases/{case_id}/responses",
    response={201: ResponseOut, **error_responses(401, 403, 404, 409, 422)},
    operation_id="cases_response_create",
    summary="Record a response",
    description=(
        "Who responded (mission force, police, local authority, partner, nobody...), when, what "
        "was done and the outcome. The first response moves an acknowledged or verified case to "
        "response dispatched at responded_at (never in the future, never before the case "
        "opened); a new case must be acknowledged first (409)."
    ),
    openapi_extra=permission(Perm.CASE_MANAGE),
)
def cases_response_create(
    request: HttpRequest, slug: str, case_id: str, payload: ResponseIn
) -> Any:
    membership = require(request, slug, Perm.CASE_MANAGE)
    case = _get(membership, case_id)
    try:
        row = services.case_response_record(
            case=case,
            actor=membership.user,
            responder_type=payload.responder_type,
            action=payload.action,
            responded_at=payload.responded_at,
            responder_name=payload.responder_name,
            outcome=payload.outcome,
            notes=payload.notes,
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    return Status(201, _response_out(row))


def _event_out(event: CaseEvent) -> dict[str, Any]:
    data = event.data if isinstance(event.data, dict) else {}
    level = data.get("level")
    return {
        "kind": event.kind,
        "at": event.at,
        "actor": event.actor.get_username() if event.actor else event.actor_label,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "note": event.note,
        "level": level if isinstance(level, int) else None,
    }


@router.get(
    "/missions/{slug}/cases/{case_id}/timeline",
    response={200: list[EventOut], **error_responses(401, 403, 404, 422)},
    operation_id="cases_timeline",
    summary="A case's timeline",
    description="Every event of the case, oldest first: who, when, what.",
    openapi_extra=permission(Perm.CASE_VIEW),
)
@paginate(Pagination)
def cases_timeline(request: HttpRequest, slug: str, case_id: str) -> Any:
    membership = require(request, slug, Perm.CASE_VIEW)
    case = _get(membership, case_id)
    return [_event_out(e) for e in selectors.case_timeline(membership=membership, case=case)]


def _notification_out(row: Notification) -> dict[str, Any]:
    return {
        "id": row.pk,
        "kind": row.kind,
        "title": row.title,
        "case": row.case.public_id if row.case else None,
        "level": row.level,
        "url": row.url,
        "created_at": row.created_at,
        "read_at": row.read_at,
    }


@router.get(
    "/missions/{slug}/notifications",
    response={200: list[NotificationOut], **error_responses(401, 403, 404, 422)},
    operation_id="notifications_list",
    summary="The caller's notifications",
    description=(
        "Notices addressed to the caller in this mission (new cases, assignments, overdue "
        "acknowledgements and responses, failed deliveries), newest first; the latest 500. "
        "unread=true: only unread ones."
    ),
    openapi_extra=permission(Perm.CASE_VIEW),
)
@paginate(Pagination)
def notifications_list(request: HttpRequest, slug: str, unread: bool = False) -> Any:
    membership = require(request, slug, Perm.CASE_VIEW)
    rows = selectors.notifications_for(membership=membership, unread_only=unread, limit=500)
    return [_notification_out(n) for n in rows]
