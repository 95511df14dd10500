"""Reads about cases and notifications. Every case selector builds on :func:`cases_visible`.

A case is visible to a member when the membership is active, the role has ``Perm.CASE_VIEW``,
the case is in the member's mission, its place is inside the member's geographic scope (a case
with no place only for whole-mission members, like messages) and, when it is restricted, the
role has ``Perm.MESSAGE_RESTRICTED_VIEW``. Looking up a hidden case gives ``None`` exactly as a
missing one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from palava.feedback.cases.timeline import OPEN_STATUSES
from palava.feedback.models import Case, CaseEvent, CaseStatus, Message, Notification, Team
from palava.feedback.selectors import may_see_restricted
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has
from palava.places.models import AdminUnit
from palava.places.scope import scope_for

OPEN = "open"  # the ``status`` filter value for every status but closed
OVERDUE = "overdue"
MINE = "me"
CASE_SORTS = ("newest", "oldest", "due")
LIST_RELATED = ("category", "category__parent", "admin_unit", "site", "team", "assignee")


def cases_visible(membership: Membership) -> QuerySet[Case]:
    """Every case ``membership`` may see: mission, role, scope and the restricted rule."""
    if not membership.is_active or not role_has(membership.role, Perm.CASE_VIEW):
        return Case.objects.none()
    found = Case.objects.filter(
        scope_for(membership).q("admin_unit"), mission_id=membership.mission_id
    )
    if not may_see_restricted(membership):
        found = found.filter(is_restricted=False)
    return found


def overdue_q(now: datetime) -> Q:
    """Cases past a running deadline: not acknowledged in time, or acknowledged without a
    response in time (and not closed or unfounded)."""
    running = ~Q(status__in=[CaseStatus.CLOSED, CaseStatus.UNFOUNDED])
    ack = Q(acknowledged_at__isnull=True, acknowledge_due_at__lte=now)
    respond = Q(response_dispatched_at__isnull=True, respond_due_at__lte=now)
    return running & (ack | respond)


@dataclass(frozen=True)
class CaseFilters:
    """Filters of the case list and the API; empty values do not filter."""

    status: str = ""  # a CaseStatus value, OPEN or OVERDUE
    case_type: str = ""
    urgency: str = ""
    place: str | AdminUnit | None = None  # a unit or its P-code: it and everything inside it
    team: str | Team | None = None  # a team or its public id
    assignee: Any = None  # MINE, a user, or a user id
    overdue: bool = False  # only cases past a running deadline
    open_only: bool = False  # only cases not closed
    query: str = ""  # a reference ("C-00042" or 42) or words of the title
    sort: str = "newest"


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _filtered(membership: Membership, filters: CaseFilters) -> QuerySet[Case]:
    found = cases_visible(membership)
    if filters.status == OPEN or filters.open_only:
        found = found.exclude(status=CaseStatus.CLOSED)
    if filters.status == OVERDUE or filters.overdue:
        found = found.filter(overdue_q(timezone.now()))
    if filters.status and filters.status not in (OPEN, OVERDUE):
        found = found.filter(status=filters.status)
    if filters.case_type:
        found = found.filter(case_type=filters.case_type)
    if filters.urgency:
        found = found.filter(urgency=filters.urgency)
    if filters.place:
        unit = (
            filters.place
            if isinstance(filters.place, AdminUnit)
            else AdminUnit.objects.filter(
                mission_id=membership.mission_id, pcode=filters.place
            ).first()
        )
        found = found.filter(admin_unit__path__startswith=unit.path) if unit else found.none()
    if isinstance(filters.team, Team):
        found = found.filter(team_id=filters.team.pk)
    elif filters.team:
        key = _uuid(filters.team)
        found = found.filter(team__public_id=key) if key else found.none()
    assignee = filters.assignee
    if assignee == MINE:
        found = found.filter(assignee_id=membership.user_id)
    elif hasattr(assignee, "pk"):
        found = found.filter(assignee_id=assignee.pk)
    elif assignee:
        value = str(assignee)
        found = found.filter(assignee_id=int(value)) if value.isdigit() else found.none()
    query = filters.query.strip()[:100]
    if query:
        digits = query.upper().removeprefix("C-").lstrip("0")
        by_title = Q()
        for word in query.split()[:10]:
            by_title &= Q(title__icontains=word)
        found = found.filter(Q(number=int(digits)) | by_title if digits.isdigit() else by_title)
    return found


def case_list(*, membership: Membership, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """Visible cases matching ``filters``: newest first, oldest first, or by next deadline."""
    filters = filters or CaseFilters()
    found = _filtered(membership, filters).select_related(*LIST_RELATED)
    if filters.sort == "oldest":
        return found.order_by("opened_at", "id")
    if filters.sort == "due":
        return found.order_by("next_escalation_at", "opened_at", "id")
    return found.order_by("-opened_at", "-id")


def case_get(*, membership: Membership, public_id: uuid.UUID | str) -> Case | None:
    """One visible case, or None (missing, outside scope, or restricted for this role)."""
    key = _uuid(str(public_id))
    if key is None:
        return None
    return (
        cases_visible(membership)
        .select_related(
            "mission", *LIST_RELATED, "team__duty_officer", "reply_channel", "cluster", "rumour"
        )
        .filter(public_id=key)
        .first()
    )


def case_for_message(*, membership: Membership, message_id: int) -> Case | None:
    """The visible case a message belongs to, if any (for the message page)."""
    return cases_visible(membership).filter(case_messages__message_id=message_id).first()


def case_timeline(*, membership: Membership, case: Case) -> list[CaseEvent]:
    """The case's events in time order (empty when the case is not visible to the member)."""
    if not cases_visible(membership).filter(pk=case.pk).exists():
        return []
    return list(CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id"))


def case_messages(*, membership: Membership, case: Case) -> QuerySet[Message]:
    """The case's messages the member may see (the message selectors' own rules apply)."""
    from palava.feedback.selectors import SECRET_FIELDS, messages_visible

    return (
        messages_visible(membership)
        .filter(case_link__case=case)
        .select_related("channel", "category", "admin_unit", "case_link")
        .defer(*SECRET_FIELDS)
        .order_by("received_at", "id")
    )


# --- Duty officer's board --------------------------------------------------------------------


@dataclass(frozen=True)
class Board:
    """Open cases grouped for the duty officer's board, each column oldest deadline first."""

    overdue: list[Case] = field(default_factory=list)  # past a running deadline
    new: list[Case] = field(default_factory=list)  # waiting for acknowledgement
    acknowledged: list[Case] = field(default_factory=list)  # acknowledged or verified
    in_response: list[Case] = field(default_factory=list)  # response dispatched
    to_close: list[Case] = field(default_factory=list)  # resolved, unfounded or informed
    now: datetime | None = None

    @property
    def total(self) -> int:
        return sum(
            len(c)
            for c in (self.overdue, self.new, self.acknowledged, self.in_response, self.to_close)
        )


BOARD_LIMIT = 100


def board(*, membership: Membership, mine_only: bool = False, limit: int = BOARD_LIMIT) -> Board:
    """Open cases the member may see, grouped (one query); overdue ones come first."""
    now = timezone.now()
    found = cases_visible(membership).exclude(status=CaseStatus.CLOSED)
    if mine_only:
        found = found.filter(assignee_id=membership.user_id)
    rows = list(
        found.select_related(*LIST_RELATED).order_by("next_escalation_at", "opened_at", "id")[
            : limit * 5
        ]
    )
    overdue = set(
        found.filter(overdue_q(now), pk__in=[c.pk for c in rows]).values_list("pk", flat=True)
    )
    columns: dict[str, list[Case]] = {
        "overdue": [],
        "new": [],
        "acknowledged": [],
        "in_response": [],
        "to_close": [],
    }
    for case in rows:
        if case.pk in overdue:
            key = "overdue"
        elif case.status == CaseStatus.NEW:
            key = "new"
        elif case.status in (CaseStatus.ACKNOWLEDGED, CaseStatus.VERIFIED):
            key = "acknowledged"
        elif case.status == CaseStatus.RESPONSE_DISPATCHED:
            key = "in_response"
        else:
            key = "to_close"
        if len(columns[key]) < limit:
            columns[key].append(case)
    return Board(now=now, **columns)


def board_stamp(*, membership: Membership) -> str:
    """A short fingerprint of the open cases the member sees, for htmx polling: it changes
    when a case opens, moves or escalates."""
    found = cases_visible(membership).filter(status__in=list(OPEN_STATUSES))
    latest = found.order_by("-updated_at").values_list("updated_at", flat=True).first()
    return f"{found.count()}:{latest.timestamp() if latest else 0}"


# --- Notifications ---------------------------------------------------------------------------


def notifications_for(
    *, membership: Membership, unread_only: bool = False, limit: int = 50
) -> Sequence[Notification]:
    """The member's own notices in this mission, newest first. Notices of cases the member may
    no longer see (moved out of scope, restricted) are left out."""
    found = Notification.objects.filter(
        recipient_id=membership.user_id, mission_id=membership.mission_id
    )
    if unread_only:
        found = found.filter(read_at__isnull=True)
    visible = cases_visible(membership).values("pk")
    found = found.filter(Q(case__isnull=True) | Q(case__in=visible))
    return list(found.select_related("case").order_by("-created_at", "-id")[:limit])


def notification_unread_count(*, membership: Membership) -> int:
    visible = cases_visible(membership).values("pk")
    return (
        Notification.objects.filter(
            recipient_id=membership.user_id,
            mission_id=membership.mission_id,
            read_at__isnull=True,
        )
        .filter(Q(case__isnull=True) | Q(case__in=visible))
        .count()
    )


def notification_latest_unread(*, membership: Membership) -> Notification | None:
    """The newest unread notice (the board's sound cue plays when its id changes)."""
    found = notifications_for(membership=membership, unread_only=True, limit=1)
    return found[0] if found else None
